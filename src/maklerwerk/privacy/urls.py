from django.urls import path

from maklerwerk.privacy import views, views_inactive, views_public, views_register, views_requests

app_name = "privacy"

urlpatterns = [
    path("", views.overview_view, name="overview"),
    path("contacts/<int:pk>/", views.contact_view, name="contact"),
    path("contacts/<int:pk>/data-export/", views.data_export_view, name="data_export"),
    path("contacts/<int:pk>/erasure-requests/", views.erasure_request_view, name="erasure_create"),
    path("contacts/<int:pk>/block/", views.block_view, name="block"),
    path("contacts/<int:pk>/legal-hold/", views.legal_hold_view, name="legal_hold"),
    path("exports/<uuid:job_id>/download/", views.export_download_view, name="export_download"),
    path("erasure-requests/<int:request_id>/", views.erasure_view, name="erasure"),
    path("erasure-requests/<int:request_id>/execute/", views.erasure_execute_view, name="erasure_execute"),
    path("erasure-requests/<int:request_id>/refuse/", views.erasure_refuse_view, name="erasure_refuse"),
    path(
        "contacts/<int:pk>/requests/",
        views_requests.subject_request_create_view,
        name="subject_request_create",
    ),
    path("requests/<int:request_id>/", views_requests.subject_request_view, name="subject_request"),
    path(
        "requests/<int:request_id>/decide/",
        views_requests.subject_request_decide_view,
        name="subject_request_decide",
    ),
    path("inactive/", views_inactive.inactive_view, name="inactive"),
    path("inactive/check/", views_inactive.inactive_check_view, name="inactive_check"),
    path("inactive/decide/", views_inactive.inactive_decide_view, name="inactive_decide"),
    path("register/", views_register.register_view, name="register"),
    path("register/edit/", views_register.register_edit_view, name="register_edit"),
    path("register.pdf", views_register.register_pdf_view, name="register_pdf"),
    path("unsubscribe/<str:token>/", views_public.unsubscribe_view, name="unsubscribe"),
]
