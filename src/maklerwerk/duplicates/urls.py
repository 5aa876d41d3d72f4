from django.urls import path

from maklerwerk.duplicates import views

app_name = "duplicates"
urlpatterns = [
    path("", views.index, name="index"),
    path("search/", views.search_start, name="search"),
    path("settings/", views.settings_update, name="settings"),
    path("not-duplicate/", views.not_duplicate, name="not_duplicate"),
    path("merge/<int:a>/<int:b>/", views.merge, name="merge"),
    path("merges/<int:pk>/", views.merge_detail, name="merge_detail"),
    path("merges/<int:pk>/undo/", views.merge_undo, name="merge_undo"),
]
