from django.urls import path

from maklerwerk.properties import views

app_name = "properties"  # matching's URLs join this namespace (config/urls.py)
urlpatterns = [
    path("", views.property_list, name="list"),
    path("new/", views.property_create, name="create"),
    path("<int:pk>/", views.property_detail, name="detail"),
    path("<int:pk>/history/", views.property_history, name="history"),
    path("<int:pk>/edit/", views.property_edit, name="edit"),
    path("<int:pk>/delete/", views.property_delete, name="delete"),
    path("<int:pk>/matches/", views.property_matches, name="matches"),
    path("<int:pk>/images/", views.image_upload, name="image_upload"),
    path("<int:pk>/images/order/", views.image_order, name="image_order"),
    path("<int:pk>/images/<int:image_id>/", views.image_edit, name="image_edit"),
    path("<int:pk>/images/<int:image_id>/delete/", views.image_delete, name="image_delete"),
    path("<int:pk>/documents/", views.document_upload, name="document_upload"),
    path("<int:pk>/documents/<int:document_id>/delete/", views.document_delete, name="document_delete"),
    path("<int:pk>/contacts/", views.property_contact_add, name="contact_add"),
    path("<int:pk>/contacts/<int:link_id>/delete/", views.property_contact_delete, name="contact_delete"),
    path("images/<int:image_id>/<str:size>/", views.image_file, name="image_file"),
    path("documents/<int:document_id>/", views.document_file, name="document_file"),
    path("contact-search/", views.contact_search, name="contact_search"),
    path("settings/", views.match_settings, name="settings"),
]
