from django.urls import path

from maklerwerk.properties import views

app_name = "properties"
urlpatterns = [
    path("", views.property_list, name="list"),
    path("new/", views.property_create, name="create"),
    path("<int:pk>/", views.property_detail, name="detail"),
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
    path("contact-tab/<int:contact_id>/", views.contact_tab, name="contact_tab"),
    path("contact-tab/<int:contact_id>/profiles/new/", views.profile_create, name="profile_create"),
    path(
        "contact-tab/<int:contact_id>/self-service/", views.self_service_link_create, name="self_service_link"
    ),
    path(
        "contact-tab/<int:contact_id>/self-service/<int:link_id>/revoke/",
        views.self_service_link_revoke,
        name="self_service_link_revoke",
    ),
    path("profiles/", views.profile_list, name="profile_list"),
    path("profiles/<int:pk>/edit/", views.profile_edit, name="profile_edit"),
    path("profiles/<int:pk>/delete/", views.profile_delete, name="profile_delete"),
    path("new-matches/", views.new_matches_page, name="new_matches"),
    path("new-matches/widget/", views.new_matches_widget, name="new_matches_widget"),
    path("new-matches/seen/", views.new_matches_seen, name="new_matches_seen"),
    path("notifications/<int:pk>/done/", views.notification_done, name="notification_done"),
    path("settings/", views.match_settings, name="settings"),
    path("s/<str:token>/", views.self_service, name="self_service"),
]
