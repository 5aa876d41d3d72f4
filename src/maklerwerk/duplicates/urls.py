from django.urls import path

from maklerwerk.duplicates import views

app_name = "duplicates"
urlpatterns = [
    path("merge/<int:a>/<int:b>/", views.merge, name="merge"),
]
