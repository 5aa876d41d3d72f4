from django.urls import path

from maklerwerk.gwg import views

app_name = "gwg"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("cases/new/", views.case_create, name="case_create"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("cases/<int:pk>/parties/", views.party_create, name="party_create"),
    path("cases/<int:pk>/risk/", views.risk, name="risk"),
    path("cases/<int:pk>/notes/", views.note_create, name="note_create"),
    path("cases/<int:pk>/close/", views.case_close, name="close"),
    path("cases/<int:pk>/dossier.pdf", views.dossier_pdf, name="dossier_pdf"),
    path("cases/<int:pk>/dossier.zip", views.dossier_zip, name="dossier_zip"),
    path("parties/<int:pk>/identification/", views.identification, name="identification"),
    path("parties/<int:pk>/id-copy/", views.id_copy, name="id_copy"),
    path("parties/<int:pk>/extract/", views.extract, name="extract"),
    path("parties/<int:pk>/delete/", views.party_delete, name="party_delete"),
    path("parties/<int:pk>/owners/", views.owner_create, name="owner_create"),
    path("owners/<int:pk>/delete/", views.owner_delete, name="owner_delete"),
    path("risk-analysis/", views.risk_analysis, name="risk_analysis"),
]
