from django.urls import path

from maklerwerk.portals import views

app_name = "portals"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.portal_create, name="create"),
    path("<int:pk>/", views.portal_edit, name="edit"),
    path("<int:pk>/check/", views.portal_check, name="check"),
    path("<int:pk>/feed-token/", views.portal_feed_token, name="feed_token"),
    path("feed/<str:token>/openimmo.zip", views.feed, name="feed"),
    path("<int:pk>/is24/connect/", views.is24_connect, name="is24_connect"),
    path("<int:pk>/is24/callback/", views.is24_callback, name="is24_callback"),
    path("<int:pk>/is24/disconnect/", views.is24_disconnect, name="is24_disconnect"),
    path("<int:pk>/transfer/", views.portal_transfer, name="transfer"),
    path("<int:pk>/withdraw-all/", views.portal_withdraw_all, name="withdraw_all"),
    path("<int:pk>/runs/", views.runs, name="runs"),
    path("<int:pk>/feedback/", views.portal_feedback, name="feedback"),
    path("<int:pk>/runs/<int:run_id>/package/", views.run_package, name="run_package"),
    path("property/<int:pk>/tab/", views.property_tab, name="property_tab"),
    path("property/<int:pk>/assign/", views.property_assign, name="property_assign"),
    path("property/<int:pk>/transfer/", views.property_transfer, name="property_transfer"),
]
