from django.urls import path

from maklerwerk.inquiries import views

app_name = "inquiries"
urlpatterns = [
    path("", views.inquiry_list, name="list"),
    path("widget/", views.widget, name="widget"),
    path("<int:pk>/", views.inquiry_detail, name="detail"),
    path("<int:pk>/retry/", views.inquiry_retry, name="retry"),
    path("settings/", views.settings_page, name="settings"),
    path("mailboxes/", views.mailbox_list, name="mailboxes"),
    path("mailboxes/new/", views.mailbox_create, name="mailbox_create"),
    path("mailboxes/<int:pk>/fetch/", views.mailbox_fetch, name="mailbox_fetch"),
    path("processes/", views.process_list, name="processes"),
    path("processes/new/", views.process_edit, name="process_create"),
    path("processes/<int:pk>/edit/", views.process_edit, name="process_edit"),
    path("processes/<int:pk>/toggle/", views.process_toggle, name="process_toggle"),
    path("processes/<int:pk>/delete/", views.process_delete, name="process_delete"),
    path("processes/<int:pk>/cancel/", views.process_cancel, name="process_cancel"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
]
