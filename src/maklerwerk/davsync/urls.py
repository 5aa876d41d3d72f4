from django.urls import path

from maklerwerk.davsync import views

app_name = "davsync"
urlpatterns = [
    path("", views.account_list, name="accounts"),
    path("<int:account_id>/", views.account_detail, name="account"),
    path("<int:account_id>/delete/", views.account_delete, name="account_delete"),
]
