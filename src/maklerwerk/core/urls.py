from django.urls import path

from maklerwerk.core import activity_views, views

app_name = "core"
urlpatterns = [
    path("search/", views.search, name="search"),
    path("activities/", activity_views.activity_timeline, name="activity_timeline"),
    path("activities/new/", activity_views.activity_create, name="activity_create"),
    path("activities/<int:pk>/", activity_views.activity_edit, name="activity_edit"),
    path("activities/<int:pk>/delete/", activity_views.activity_delete, name="activity_delete"),
    path("activities/property/<int:pk>/", activity_views.property_activities, name="property_activities"),
    path("activities/property-lookup/", activity_views.property_lookup, name="property_lookup"),
]
