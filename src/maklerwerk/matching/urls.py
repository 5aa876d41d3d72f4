"""URLs of matching, under /properties/ in the namespace "properties" (composed in config/urls.py):
the paths and names stayed as they were before matching became its own app."""

from django.urls import path

from maklerwerk.matching import views

urlpatterns = [
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
    path("profiles/<int:pk>/history/", views.profile_history, name="profile_history"),
    path("profiles/<int:pk>/delete/", views.profile_delete, name="profile_delete"),
    path("new-matches/", views.new_matches_page, name="new_matches"),
    path("new-matches/widget/", views.new_matches_widget, name="new_matches_widget"),
    path("new-matches/seen/", views.new_matches_seen, name="new_matches_seen"),
    path("notifications/<int:pk>/done/", views.notification_done, name="notification_done"),
    path("s/<str:token>/", views.self_service, name="self_service"),
]
