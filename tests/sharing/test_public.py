"""The public page of a link: what the prospect sees, downloads, ZIP, consent gate and security."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from maklerwerk.core.models import Activity
from maklerwerk.sharing import services
from maklerwerk.sharing.models import AccessEvent, ConsentAcceptance, ShareLink
from tests.conftest import RATE_LIMIT_INSTANT, streamed

from .conftest import add_document, public_path, token_of

pytestmark = pytest.mark.django_db

UA: dict[str, Any] = {"HTTP_USER_AGENT": "Mozilla/5.0 Testbrowser"}


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()


@pytest.fixture
def visitor() -> Client:
    return Client(REMOTE_ADDR="203.0.113.77")


def download_links(html: str) -> list[str]:
    return re.findall(r'href="(/sharing/d/[^"]+/f/[^"]+/)"', html)


def test_page_shows_protected_and_personal_files_only(
    visitor: Client, link: Any, documents: Any, agent: Any, other_prospect: Any
) -> None:
    cloud = link.cloud
    services.cloud_file_add(
        cloud=cloud, upload=SimpleUploadedFile("Flurkarte.pdf", b"karte"), acting_user=agent
    )
    services.personal_file_add(
        cloud=cloud,
        contact=link.contact,
        upload=SimpleUploadedFile("Vertragsentwurf.pdf", b"x"),
        acting_user=agent,
    )
    services.personal_file_add(
        cloud=cloud,
        contact=other_prospect,
        upload=SimpleUploadedFile("Fremdvertrag.pdf", b"y"),
        acting_user=agent,
    )
    response = visitor.get(public_path(link), **UA)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Testbüro Immobilien GmbH" in html and "Altbauwohnung Nordend" in html
    for name in (
        "Grundbuchauszug",
        "Energieausweis",
        "Flurkarte",
        "Vertragsentwurf",
        "Persönliche Unterlagen",
    ):
        assert name in html
    assert "Exposé intern" not in html and "Fremdvertrag" not in html
    assert len(download_links(html)) == 4
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]


def test_a_page_view_is_tracked_on_contact_and_property(visitor: Client, link: Any, documents: Any) -> None:
    visitor.get(public_path(link), **UA)
    event = AccessEvent.objects.get()
    assert (event.kind, event.ip_coarse, event.user_agent) == (
        "view",
        "203.0.113.0/24",
        "Mozilla/5.0 Testbrowser",
    )
    activity = Activity.objects.get(type="document_opened")
    assert activity.contact_id == link.contact_id and activity.property_id == link.property_id
    link.refresh_from_db()
    assert link.open_count == 1 and link.last_opened_at is not None


def test_file_ids_in_public_urls_are_opaque_and_bound_to_the_link(
    visitor: Client, office: Any, link: Any, documents: Any, other_prospect: Any, prop: Any, agent: Any
) -> None:
    html = visitor.get(public_path(link)).content.decode()
    keys = [u.rstrip("/").rsplit("/", 1)[-1] for u in download_links(html)]
    assert all(len(k) == 24 and not k.isdigit() for k in keys)
    assert not any(str(d.pk) == k for d in documents for k in keys)
    other = services.share_link_create(
        office=office, contact=other_prospect, property=prop, acting_user=agent
    )
    stolen = visitor.get(f"/sharing/d/{token_of(other)}/f/{keys[0]}/")
    assert stolen.status_code == 404 and "Link nicht mehr gültig" in stolen.content.decode()


def test_download_is_an_attachment_with_a_safe_german_name(visitor: Client, link: Any, prop: Any) -> None:
    add_document(prop, "Grundriss Erdgeschoß / Küche", b"%PDF plan", name="plan.pdf")
    url = download_links(visitor.get(public_path(link)).content.decode())[0]
    response = visitor.get(url, **UA)
    assert response.status_code == 200
    assert streamed(response) == b"%PDF plan"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''Grundriss%20Erdgescho%C3%9F%20_%20K%C3%BCche.pdf" in disposition
    assert "/" not in disposition.split("filename*=")[1].replace("%2F", "/").split("''", 1)[1].replace(
        ".pdf", ""
    )
    event = AccessEvent.objects.get(kind="download")
    assert event.file_name == "Grundriss Erdgeschoß _ Küche.pdf" and event.file_source == "property_document"
    assert Activity.objects.filter(type="document_opened", subject__contains="Küche").exists()


def test_zip_streams_everything_shown_for_the_search(
    visitor: Client, link: Any, documents: Any, agent: Any
) -> None:
    folder = services.cloud_folder_create(cloud=link.cloud, name="Pläne", acting_user=agent)
    services.cloud_file_add(
        cloud=link.cloud, upload=SimpleUploadedFile("EG.pdf", b"eg"), folder=folder, acting_user=agent
    )
    full = visitor.get(f"/sharing/d/{token_of(link)}/zip/", **UA)
    assert full.streaming and full["Content-Type"] == "application/zip"
    assert full["Content-Disposition"] == 'attachment; filename="Unterlagen W-001.zip"'
    archive = zipfile.ZipFile(io.BytesIO(streamed(full)))
    assert sorted(archive.namelist()) == ["Energieausweis.pdf", "Grundbuchauszug.pdf", "Pläne/EG.pdf"]
    assert archive.read("Pläne/EG.pdf") == b"eg"
    searched = visitor.get(f"/sharing/d/{token_of(link)}/zip/?q=pläne")
    assert zipfile.ZipFile(io.BytesIO(streamed(searched))).namelist() == ["Pläne/EG.pdf"]
    zips = AccessEvent.objects.filter(kind="zip")
    assert zips.count() == 4 and set(zips.values_list("file_name", flat=True)) >= {"EG.pdf"}
    assert Activity.objects.filter(subject__startswith="3 Dokumente als ZIP").exists()


def test_search_sort_and_tile_view(visitor: Client, link: Any, documents: Any) -> None:
    html = visitor.get(public_path(link) + "?q=grund&view=tiles").content.decode()
    assert "Grundbuchauszug" in html and "Energieausweis" not in html and 'data-view-mode="tiles"' in html
    html = visitor.get(public_path(link) + "?sort=-size").content.decode()
    assert html.index("Energieausweis") < html.index("Grundbuchauszug")
    html = visitor.get(public_path(link) + "?sort=name").content.decode()
    assert html.index("Energieausweis") < html.index("Grundbuchauszug")
    html = visitor.get(public_path(link) + "?sort=size").content.decode()
    assert html.index("Grundbuchauszug") < html.index("Energieausweis")


def test_unknown_expired_deleted_and_deactivated_links_look_the_same(
    visitor: Client, office: Any, prospect: Any, prop: Any, agent: Any, documents: Any, other_prospect: Any
) -> None:
    def make(contact: Any = prospect) -> ShareLink:
        return services.share_link_create(office=office, contact=contact, property=prop, acting_user=agent)

    expired, deleted, deactivated = make(), make(), make(other_prospect)
    ShareLink.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    services.share_link_delete(link=deleted, acting_user=agent)
    services.access_set(cloud=deactivated.cloud, contact=other_prospect, active=False, acting_user=agent)
    answers = [
        visitor.get("/sharing/d/" + "A" * 43 + "/"),
        visitor.get("/sharing/d/short/"),
        visitor.get(public_path(expired)),
        visitor.get(public_path(deleted)),
        visitor.get(public_path(deactivated)),
        visitor.get(f"/sharing/d/{token_of(deleted)}/zip/"),
    ]
    assert {r.status_code for r in answers} == {404}
    assert len({r.content for r in answers}) == 1
    body = answers[0].content.decode()
    assert "Link nicht mehr gültig" in body and "Testbüro" not in body and "Grundbuch" not in body
    assert not AccessEvent.objects.exists()


def test_a_deleted_link_stops_at_once_even_for_downloads(
    visitor: Client, link: Any, documents: Any, agent: Any
) -> None:
    url = download_links(visitor.get(public_path(link)).content.decode())[0]
    assert visitor.get(url).status_code == 200
    services.share_link_delete(link=link, acting_user=agent)
    assert visitor.get(url).status_code == 404


@pytest.mark.parametrize(
    "suffix",
    ["f/..%2F..%2F..%2Fsettings.py/", "f/../../etc/passwd/", "f/%2e%2e%2fsecret/", "f/12/"],
)
def test_no_directory_traversal(visitor: Client, link: Any, documents: Any, suffix: str) -> None:
    response = visitor.get(f"/sharing/d/{token_of(link)}/{suffix}")
    assert response.status_code == 404
    assert b"PDF" not in response.content and b"SECRET" not in response.content


def test_consent_gate_before_the_documents(
    visitor: Client, link: Any, documents: Any, office_texts: Any
) -> None:
    gate = visitor.get(public_path(link)).content.decode()
    assert "vierzehn Tagen" in gate and "Es gelten unsere AGB." in gate and "Grundbuchauszug" not in gate
    url = f"/sharing/d/{token_of(link)}/zip/"
    assert visitor.get(url).status_code == 302  # no download before accepting
    refused = visitor.post(f"/sharing/d/{token_of(link)}/consent/", {"accept_notice": "1"})
    assert refused.status_code == 400 and "Bitte bestätigen Sie" in refused.content.decode()
    assert not ConsentAcceptance.objects.exists()
    accepted = visitor.post(
        f"/sharing/d/{token_of(link)}/consent/", {"accept_notice": "1", "accept_terms": "1"}, **UA
    )
    assert accepted.status_code == 302
    consent = ConsentAcceptance.objects.get()
    assert consent.link == link and consent.ip_coarse == "203.0.113.0/24" and len(consent.text_version) == 64
    assert "Grundbuchauszug" in visitor.get(public_path(link)).content.decode()


@pytest.mark.ratelimit
def test_public_pages_are_rate_limited_in_german(visitor: Client, settings: Any) -> None:
    settings.SHARING_RATE_LIMIT = "3/m"
    with time_machine.travel(RATE_LIMIT_INSTANT, tick=False):
        statuses = [visitor.get("/sharing/d/" + "B" * 43 + "/").status_code for _ in range(4)]
        assert statuses == [404, 404, 404, 429]
        assert "Zu viele Anfragen" in visitor.get("/sharing/d/" + "B" * 43 + "/").content.decode()
        assert Client(REMOTE_ADDR="198.51.100.1").get("/sharing/d/" + "B" * 43 + "/").status_code == 404


def test_preview_shows_the_page_without_downloads_or_tracking(
    agent_client: Client, link: Any, documents: Any
) -> None:
    response = agent_client.get(f"/sharing/links/{link.pk}/preview/")
    html = response.content.decode()
    assert response.status_code == 200 and "Vorschau" in html and "Grundbuchauszug" in html
    assert download_links(html) == [] and "/zip/" not in html and "disabled" in html
    assert not AccessEvent.objects.exists() and not Activity.objects.filter(type="document_opened").exists()


def test_preview_of_another_office_is_not_found(link: Any, outsider: Any) -> None:
    client = Client()
    client.force_login(outsider)
    assert client.get(f"/sharing/links/{link.pk}/preview/").status_code == 404
    assert client.get(f"/sharing/property/{link.property_id}/preview/").status_code == 404
