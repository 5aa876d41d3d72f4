from django.urls import path

from maklerwerk.sharing import views_agent, views_public

app_name = "sharing"
urlpatterns = [
    # Public (no login): the token is the only key; file ids are opaque per link.
    path("d/<str:token>/", views_public.public, name="public"),
    path("d/<str:token>/consent/", views_public.public_consent, name="public_consent"),
    path("d/<str:token>/zip/", views_public.public_zip, name="public_zip"),
    path("d/<str:token>/f/<str:key>/", views_public.public_download, name="public_download"),
    # Agents
    path("settings/", views_agent.settings_view, name="settings"),
    path("links/new/", views_agent.link_create, name="link_create"),
    path("links/<int:pk>/delete/", views_agent.link_delete, name="link_delete"),
    path("links/<int:pk>/email/", views_agent.link_email, name="link_email"),
    path("links/<int:pk>/preview/", views_agent.link_preview, name="link_preview"),
    path("files/<str:source>/<int:pk>/", views_agent.agent_file, name="agent_file"),
    path("property/<int:pk>/tab/", views_agent.property_tab, name="property_tab"),
    path("property/<int:property_id>/preview/", views_agent.cloud_preview, name="cloud_preview"),
    path("property/<int:property_id>/files/", views_agent.cloud_upload, name="cloud_upload"),
    path(
        "property/<int:property_id>/files/<int:file_id>/delete/",
        views_agent.cloud_file_delete,
        name="cloud_file_delete",
    ),
    path("property/<int:property_id>/folders/", views_agent.folder_create, name="folder_create"),
    path(
        "property/<int:property_id>/folders/<int:folder_id>/delete/",
        views_agent.folder_delete,
        name="folder_delete",
    ),
    path(
        "property/<int:property_id>/access/<int:contact_id>/", views_agent.access_toggle, name="access_toggle"
    ),
    path("contact/<int:pk>/tab/", views_agent.contact_tab, name="contact_tab"),
    path("contact/<int:contact_id>/files/", views_agent.personal_upload, name="personal_upload"),
    path(
        "contact/<int:contact_id>/files/<int:file_id>/delete/",
        views_agent.personal_delete,
        name="personal_delete",
    ),
]
