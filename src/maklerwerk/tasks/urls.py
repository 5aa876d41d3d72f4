from django.urls import path

from maklerwerk.tasks import views

app_name = "tasks"
urlpatterns = [
    path("", views.task_list_view, name="list"),
    path("new/", views.task_create_view, name="create"),
    path("due/", views.task_due_widget, name="due_widget"),
    path("<int:task_id>/", views.task_edit_view, name="edit"),
    path("<int:task_id>/toggle/", views.task_toggle_view, name="toggle"),
]
