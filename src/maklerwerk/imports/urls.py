from django.urls import path

from maklerwerk.imports import views

app_name = "imports"

urlpatterns = [
    path("", views.index, name="index"),
    path("cutover/", views.cutover_page, name="cutover"),
    path("<int:pk>/", views.run_detail, name="run"),
    path("<int:pk>/mapping/", views.run_mapping, name="mapping"),
    path("<int:pk>/values/", views.run_values, name="values"),
    path("<int:pk>/commit/", views.run_commit, name="commit"),
    path("<int:pk>/undo/", views.run_undo, name="undo"),
    path("<int:pk>/report.csv", views.run_report, name="report"),
]
