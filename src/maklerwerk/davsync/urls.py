from django.urls import path

from maklerwerk.davsync import views

app_name = "davsync"
urlpatterns = [
    path("", views.account_list, name="accounts"),
    path("<int:account_id>/", views.account_detail, name="account"),
    path("<int:account_id>/contacts/", views.account_contacts, name="account_contacts"),
    path("<int:account_id>/delete/", views.account_delete, name="account_delete"),
    path("<int:account_id>/busy/<int:item_id>/", views.busy_take_over, name="busy_take_over"),
]
