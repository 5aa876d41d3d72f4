from django.urls import path

from maklerwerk.mailsync import compose, views

app_name = "mailsync"
urlpatterns = [
    path("", views.account_list, name="accounts"),
    path("new/", views.account_edit, name="account_create"),
    path("<int:pk>/", views.account_edit, name="account_edit"),
    path("<int:pk>/delete/", views.account_delete, name="account_delete"),
    path("<int:pk>/sync/", views.account_sync_view, name="account_sync"),
    path("mail/<int:pk>/", views.mail_detail, name="mail"),
    path("compose/<int:contact_id>/", compose.compose, name="compose"),
]
