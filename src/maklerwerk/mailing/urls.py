from django.urls import path

from maklerwerk.mailing import views

app_name = "mailing"
urlpatterns = [
    path("templates/", views.template_list, name="template_list"),
    path("templates/new/", views.template_edit, name="template_create"),
    path("templates/check/", views.template_check, name="template_check"),
    path("templates/<int:pk>/", views.template_edit, name="template_edit"),
    path("templates/<int:pk>/delete/", views.template_delete, name="template_delete"),
    path("smtp/", views.smtp_settings, name="smtp_settings"),
    path("letter/<int:contact_id>/", views.letter, name="letter"),
]
