from django.urls import path

from maklerwerk.appointments import public, views, views_settings

app_name = "appointments"
urlpatterns = [
    # Public (no login): the prospect's booking page; the token is the only key.
    path("b/<str:token>/", public.book, name="book"),
    # Agents
    path("", views.calendar_view, name="calendar"),
    path("events/", views.events_view, name="events"),
    path("new/", views.create_view, name="create"),
    path("conflicts/", views.conflicts_view, name="conflicts"),
    path("today/", views.today_widget, name="today_widget"),
    path("feed/", views_settings.feed_page, name="feed"),
    path("settings/", views_settings.settings_page, name="settings"),
    path("send-links/", views.send_links_view, name="send_links"),
    path("<int:pk>/", views.detail_view, name="detail"),
    path("<int:pk>/edit/", views.edit_view, name="edit"),
    path("<int:pk>/move/", views.move_view, name="move"),
    path("<int:pk>/status/", views.status_view, name="status"),
    path("<int:pk>/invite/", views.invite_view, name="invite"),
    path("requests/<int:pk>/", views.request_answer_view, name="request_answer"),
    path("property/<int:pk>/tab/", views.property_tab, name="property_tab"),
    path("property/<int:pk>/series/", views.series_create_view, name="series_create"),
]
