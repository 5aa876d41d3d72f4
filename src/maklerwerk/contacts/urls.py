from django.urls import path

from maklerwerk.contacts import views

app_name = "contacts"
urlpatterns = [
    path("", views.contact_list, name="list"),
    path("new/", views.contact_create, name="create"),
    path("export/", views.contact_export, name="export"),
    path("bulk/tag/", views.contact_bulk_tag, name="bulk_tag"),
    path("lookup/", views.contact_lookup, name="lookup"),
    path("import/", views.vcard_import, name="import"),
    path("<int:pk>/", views.contact_detail, name="detail"),
    path("<int:pk>/edit/", views.contact_update, name="update"),
    path("<int:pk>/history/", views.contact_history, name="history"),
    path("<int:pk>/delete/", views.contact_delete, name="delete"),
    path("<int:pk>/vcard/", views.contact_vcard, name="vcard"),
    path("<int:pk>/files/", views.file_upload, name="file_upload"),
    path("<int:pk>/files/<int:file_id>/", views.file_download, name="file_download"),
    path("<int:pk>/files/<int:file_id>/delete/", views.file_delete, name="file_delete"),
    path("<int:pk>/relationships/", views.relationship_create, name="relationship_create"),
    path("<int:pk>/relationships/<int:rel_id>/", views.relationship_update, name="relationship_update"),
    path(
        "<int:pk>/relationships/<int:rel_id>/delete/", views.relationship_delete, name="relationship_delete"
    ),
]
