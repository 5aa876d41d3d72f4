from django.urls import path

from maklerwerk.tours import views, views_public

app_name = "tours"
urlpatterns = [
    # Public (no login): the page key or the personal token is the only key.
    path("t/<str:page_key>/", views_public.page, name="page"),
    path("t/<str:page_key>/beacon/", views_public.page_beacon, name="page_beacon"),
    path("p/<str:token>/", views_public.personal, name="personal"),
    path("p/<str:token>/beacon/", views_public.personal_beacon, name="personal_beacon"),
    # Agents
    path("property/<int:pk>/tab/", views.property_tab, name="property_tab"),
    path("property/<int:pk>/new/", views.tour_create, name="create"),
    path("<int:pk>/publish/", views.tour_publish, name="publish"),
    path("<int:pk>/delete/", views.tour_delete, name="delete"),
    path("<int:pk>/stats/", views.tour_stats, name="stats"),
    path("<int:pk>/pdf/", views.tour_pdf, name="pdf"),
    path("registrations/<int:pk>/grant/", views.registration_grant, name="registration_grant"),
    path("contact/<int:pk>/grant/", views.contact_grant, name="contact_grant"),
    path("inquiry/<int:pk>/grant/", views.inquiry_grant, name="inquiry_grant"),
    path("grants/<int:pk>/revoke/", views.grant_revoke, name="grant_revoke"),
]
