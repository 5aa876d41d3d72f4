from django.urls import path

from maklerwerk.exposes import views

app_name = "exposes"
urlpatterns = [
    path("", views.offer_list, name="index"),
    path("property/<int:pk>/", views.property_page, name="property"),
    path("property/<int:pk>/preview/", views.property_preview, name="preview"),
    path("property/<int:pk>/pdf/", views.property_pdf, name="pdf"),
    path("contact/<int:contact_id>/", views.contact_page, name="contact"),
    path("evidence/<int:contact_id>/<int:property_id>/", views.evidence, name="evidence"),
    path("offers/new/", views.offer_new, name="offer_new"),
    path("offers/<int:pk>/", views.offer_detail, name="offer"),
    path("offers/<int:pk>/retry/", views.offer_retry, name="offer_retry"),
    path(
        "offers/<int:pk>/recipients/<int:recipient_id>/resolve/",
        views.offer_recipient_resolve,
        name="offer_recipient_resolve",
    ),
    path("layouts/", views.template_list, name="template_list"),
    path("layouts/new/", views.template_edit, name="template_create"),
    path("layouts/<int:pk>/", views.template_edit, name="template_edit"),
]
