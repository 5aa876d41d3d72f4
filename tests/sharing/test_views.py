"""The agents' side: the Dokumente tab of a property and the Geschützte Dokumente tab of a contact."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from maklerwerk.sharing import services
from maklerwerk.sharing.models import AccessDeactivation, CloudFile, PersonalFile, ShareLink

from .conftest import public_path, token_of

pytestmark = pytest.mark.django_db


def test_tabs_are_registered_for_property_and_contact() -> None:
    from maklerwerk.core.tabs import TABS

    assert TABS[("property", "document-sharing")].url_name == "sharing:property_tab"
    assert TABS[("contact", "protected-documents")].template == "sharing/_contact_tab.html"


def test_agent_creates_a_link_on_the_contact_tab(agent_client: Client, prospect: Any, prop: Any) -> None:
    page = agent_client.get(f"/sharing/contact/{prospect.pk}/tab/").content.decode()
    assert "Persönliche Dokumentenlinks" in page and "W-001" in page
    response = agent_client.post(
        "/sharing/links/new/",
        {
            "contact_id": prospect.pk,
            "property_id": prop.pk,
            "expires_at": "2099-12-31",
            "consent_required": "1",
        },
        follow=True,
    )
    link = ShareLink.objects.get()
    html = response.content.decode()
    assert "Link für Erika Mustermann erstellt, gültig bis 31.12.2099." in html
    assert token_of(link) in html  # the agent can copy it
    assert link.expires_at.date().isoformat() == "2099-12-31"


def test_readonly_users_cannot_create_or_delete(
    readonly_user: Any, link: Any, prospect: Any, prop: Any
) -> None:
    client = Client()
    client.force_login(readonly_user)
    assert client.get(f"/sharing/contact/{prospect.pk}/tab/").status_code == 200
    assert (
        client.post("/sharing/links/new/", {"contact_id": prospect.pk, "property_id": prop.pk}).status_code
        == 403
    )
    assert client.post(f"/sharing/links/{link.pk}/delete/").status_code == 403
    link.refresh_from_db()
    assert link.deleted_at is None


def test_delete_ends_the_link_and_the_row_shows_it(agent_client: Client, link: Any) -> None:
    path = public_path(link)
    response = agent_client.post(f"/sharing/links/{link.pk}/delete/", follow=True)
    assert "Der Link wurde gelöscht" in response.content.decode()
    assert Client().get(path).status_code == 404
    tab = agent_client.get(f"/sharing/contact/{link.contact_id}/tab/").content.decode()
    assert "gelöscht" in tab and token_of(link) not in tab


def test_property_tab_shows_cloud_access_and_tracking(
    agent_client: Client, link: Any, documents: Any, prop: Any
) -> None:
    Client(HTTP_USER_AGENT="Safari").get(public_path(link))
    html = agent_client.get(f"/sharing/property/{prop.pk}/tab/").content.decode()
    assert "Dokumenten-Cloud" in html and "Grundbuchauszug" in html and "Exposé intern" not in html
    assert "Wer hat Zugriff" in html and "Erika Mustermann" in html
    assert "Dokumenten-Tracking" in html and "Seite aufgerufen" in html and "Safari" in html
    partial = agent_client.get(f"/sharing/property/{prop.pk}/tab/", headers={"HX-Request": "true"})
    assert b"<html" not in partial.content and b"Dokumenten-Tracking" in partial.content


def test_upload_folder_and_delete_cloud_files(agent_client: Client, prop: Any) -> None:
    agent_client.post(f"/sharing/property/{prop.pk}/folders/", {"name": "Pläne"})
    folder = services.cloud_for(prop).folders.get()
    agent_client.post(
        f"/sharing/property/{prop.pk}/files/",
        {"files": [SimpleUploadedFile("Schnitt.pdf", b"s")], "folder_id": str(folder.pk)},
    )
    cloud_file = CloudFile.objects.get()
    assert cloud_file.folder == folder and cloud_file.size == 1
    html = agent_client.get(f"/sharing/property/{prop.pk}/tab/").content.decode()
    assert "Schnitt.pdf" in html and "Pläne" in html
    agent_client.post(f"/sharing/property/{prop.pk}/files/{cloud_file.pk}/delete/")
    assert not CloudFile.objects.exists()


def test_personal_files_on_the_contact_tab(agent_client: Client, prospect: Any, prop: Any) -> None:
    agent_client.post(
        f"/sharing/contact/{prospect.pk}/files/",
        {"files": [SimpleUploadedFile("Reservierung.pdf", b"r")], "property_id": str(prop.pk)},
    )
    assert PersonalFile.objects.get().contact == prospect
    assert "Reservierung.pdf" in agent_client.get(f"/sharing/contact/{prospect.pk}/tab/").content.decode()


def test_unticking_one_person_ends_only_their_access(
    agent_client: Client, office: Any, link: Any, other_prospect: Any, prop: Any, agent: Any, prospect: Any
) -> None:
    other = services.share_link_create(
        office=office, contact=other_prospect, property=prop, acting_user=agent
    )
    agent_client.post(f"/sharing/property/{prop.pk}/access/{prospect.pk}/", {"active": "0"})
    assert AccessDeactivation.objects.filter(contact=prospect).exists()
    assert Client().get(public_path(link)).status_code == 404
    assert Client().get(public_path(other)).status_code == 200
    agent_client.post(f"/sharing/property/{prop.pk}/access/{prospect.pk}/", {"active": "1"})
    assert Client().get(public_path(link)).status_code == 200


def test_consent_is_shown_on_the_contact(agent_client: Client, link: Any, office_texts: Any) -> None:
    visitor = Client(REMOTE_ADDR="192.0.2.44")
    visitor.post(f"/sharing/d/{token_of(link)}/consent/", {"accept_notice": "1", "accept_terms": "1"})
    html = agent_client.get(f"/sharing/contact/{link.contact_id}/tab/").content.decode()
    assert "Akzeptierte Rechtstexte" in html and "Widerrufsbelehrung + AGB" in html and "192.0.2.0/24" in html


def test_email_button_sends_the_link(agent_client: Client, link: Any, smtp_sink: Any) -> None:
    response = agent_client.post(f"/sharing/links/{link.pk}/email/", follow=True)
    assert "Der Link wurde an erika@example.org gesendet." in response.content.decode()
    assert token_of(link) in smtp_sink.parsed()[0].get_body().get_content()


def test_office_setting_switches_the_gate(
    admin_user: Any, agent_client: Client, link: Any, office_texts: Any
) -> None:
    assert agent_client.get("/sharing/settings/").status_code == 403
    admin = Client()
    admin.force_login(admin_user)
    admin.post("/sharing/settings/", {"consent_gate": "0", "require_terms": "1"})
    assert "Bevor es weitergeht" not in Client().get(public_path(link)).content.decode()


def test_other_office_sees_nothing(link: Any, outsider: Any, prop: Any, prospect: Any) -> None:
    client = Client()
    client.force_login(outsider)
    assert client.get(f"/sharing/property/{prop.pk}/tab/").status_code == 404
    assert client.get(f"/sharing/contact/{prospect.pk}/tab/").status_code == 404
    assert client.post(f"/sharing/links/{link.pk}/delete/").status_code == 404
    assert (
        client.post(f"/sharing/property/{prop.pk}/access/{prospect.pk}/", {"active": "0"}).status_code == 404
    )
    link.refresh_from_db()
    assert link.deleted_at is None and not AccessDeactivation.objects.exists()
