"""The consent gate (single downloads wait for it; only administrators open a link without it),
colleagues opening a prospect's link (never the prospect's visit), and bounded tracking."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from maklerwerk.core.models import Activity
from maklerwerk.sharing import services
from maklerwerk.sharing.models import AccessEvent, ConsentAcceptance, ShareLink
from tests.conftest import streamed

from ..conftest import api_client_for, assert_problem
from .conftest import public_path, token_of

pytestmark = pytest.mark.django_db

UA: dict[str, Any] = {"HTTP_USER_AGENT": "Mozilla/5.0 Testbrowser"}


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    cache.clear()


@pytest.fixture
def visitor() -> Client:
    return Client(REMOTE_ADDR="203.0.113.77")


def download_url(link: Any, source: str, file_id: int) -> str:
    return f"{public_path(link)}f/{services.file_key(link, source, file_id)}/"


# --- the consent gate on single downloads -------------------------------------------------------


def test_a_single_download_waits_for_the_consent(
    visitor: Client, link: Any, documents: Any, office_texts: Any
) -> None:
    url = download_url(link, "property_document", documents[0].pk)  # the URL, e.g. from a forwarded mail
    refused = visitor.get(url, **UA)
    assert refused.status_code == 302 and refused["Location"] == public_path(link)
    assert not getattr(refused, "streaming", False)
    assert not AccessEvent.objects.exists()
    assert not Activity.objects.filter(type="document_opened").exists()
    page = visitor.get(public_path(link)).content.decode()
    assert "Widerruf" in page and "Grundbuchauszug" not in page  # the gate, not the files

    visitor.post(f"{public_path(link)}consent/", {"accept_notice": "1", "accept_terms": "1"})
    granted = visitor.get(url, **UA)
    assert granted.status_code == 200
    assert streamed(granted) == b"%PDF-1.4 grundbuch" * 10
    assert AccessEvent.objects.get().kind == "download"


# --- only administrators open a link without the gate ---------------------------------------------


def test_an_agent_cannot_switch_the_gate_off_for_a_link(
    office: Any, agent: Any, admin_user: Any, prospect: Any, prop: Any
) -> None:
    with pytest.raises(services.ConsentGateError) as refused:
        services.share_link_create(
            office=office, contact=prospect, property=prop, acting_user=agent, consent_required=False
        )
    assert refused.value.status_code == 403
    assert not ShareLink.objects.exists()
    link = services.share_link_create(
        office=office, contact=prospect, property=prop, acting_user=admin_user, consent_required=False
    )
    assert link.consent_required is False


def test_the_api_and_the_form_refuse_an_agent_without_the_gate(
    office: Any, agent: Any, admin_user: Any, prospect: Any, prop: Any
) -> None:
    body = {"contact_id": prospect.pk, "property_id": prop.pk, "consent_required": False}
    problem = assert_problem(api_client_for(agent).post("/api/v1/shares", body), 403)
    assert "administrators" in problem["detail"] or "Administratoren" in problem["detail"], problem
    assert not ShareLink.objects.exists()
    assert api_client_for(admin_user).post("/api/v1/shares", body).json()["consent_required"] is False

    browser = Client()
    browser.force_login(agent)
    form = {"contact_id": prospect.pk, "property_id": prop.pk, "consent_required": "0"}
    answer = browser.post("/sharing/links/new/", form, follow=True)
    assert "Nur Administratoren dürfen einen Link ohne Einwilligungsabfrage" in answer.content.decode()
    assert ShareLink.objects.filter(consent_required=False).count() == 1  # only the admin's
    tab = browser.get(f"/sharing/contact/{prospect.pk}/tab/").content.decode()
    assert 'name="consent_required"' not in tab  # the agent is not offered the switch
    browser.force_login(admin_user)
    assert 'name="consent_required"' in browser.get(f"/sharing/contact/{prospect.pk}/tab/").content.decode()


# --- a colleague opening the prospect's link ------------------------------------------------------


def test_a_colleague_opening_the_link_is_not_the_prospects_visit(
    office: Any, link: Any, documents: Any, office_texts: Any, agent: Any
) -> None:
    colleague = Client(REMOTE_ADDR="198.51.100.5")
    colleague.force_login(agent)
    page = colleague.get(public_path(link), **UA)
    assert page.status_code == 302 and page["Location"] == f"/sharing/links/{link.pk}/preview/"
    preview = colleague.get(page["Location"]).content.decode()
    assert "Grundbuchauszug" in preview
    download = colleague.get(download_url(link, "property_document", documents[0].pk), **UA)
    assert download.status_code == 200  # a colleague needs no consent and is not tracked
    zipped = colleague.get(f"{public_path(link)}zip/", **UA)
    assert zipped.status_code == 200
    consent = colleague.post(f"{public_path(link)}consent/", {"accept_notice": "1", "accept_terms": "1"})
    assert consent.status_code == 302
    assert not AccessEvent.objects.exists()
    assert not ConsentAcceptance.objects.exists()  # the prospect still has to accept themselves
    assert not Activity.objects.filter(type="document_opened").exists()
    link.refresh_from_db()
    assert link.open_count == 0 and link.last_opened_at is None

    prospect = Client(REMOTE_ADDR="203.0.113.77")  # the prospect still gets the gate and is tracked
    assert "Widerruf" in prospect.get(public_path(link)).content.decode()
    prospect.post(f"{public_path(link)}consent/", {"accept_notice": "1", "accept_terms": "1"})
    assert "Grundbuchauszug" in prospect.get(public_path(link), **UA).content.decode()
    assert ConsentAcceptance.objects.count() == 1 and AccessEvent.objects.get().kind == "view"


def test_a_colleague_who_may_not_see_the_property_gets_the_invalid_link_page(
    office: Any, prospect: Any, agent: Any, admin_user: Any, documents: Any, prop: Any
) -> None:
    from maklerwerk.properties.models import Property

    Property.objects.filter(pk=prop.pk).update(visibility="restricted", responsible_agent=admin_user)
    link = services.share_link_create(office=office, contact=prospect, property=prop, acting_user=admin_user)
    colleague = Client()
    colleague.force_login(agent)
    for path in (
        public_path(link),
        f"{public_path(link)}zip/",
        download_url(link, "property_document", documents[0].pk),
    ):
        answer = colleague.get(path)
        assert answer.status_code == 404 and "Link nicht mehr gültig" in answer.content.decode(), path
    assert colleague.post(f"{public_path(link)}consent/", {"accept_notice": "1"}).status_code == 404
    # ... while the prospect, who has the link, opens it as before.
    assert "Grundbuchauszug" in Client().get(public_path(link)).content.decode()


# --- bounded tracking -----------------------------------------------------------------------------


def test_repeated_views_on_a_day_are_counted_on_one_row(visitor: Client, link: Any, documents: Any) -> None:
    for _ in range(5):
        assert visitor.get(public_path(link), **UA).status_code == 200
    event = AccessEvent.objects.get()
    assert (event.kind, event.count) == ("view", 5) and event.last_at is not None and event.last_at > event.at
    assert Activity.objects.filter(type="document_opened").count() == 1  # the first, for the evidence
    link.refresh_from_db()
    assert link.open_count == 5
    url = download_url(link, "property_document", documents[0].pk)
    for _ in range(3):
        visitor.get(url, **UA)
    download = AccessEvent.objects.get(kind="download")
    assert download.count == 3 and download.file_name == "Grundbuchauszug.pdf"
    # Another browser, or the next day, is a row (and an activity) of its own.
    visitor.get(public_path(link), HTTP_USER_AGENT="Anderer Browser")
    AccessEvent.objects.filter(kind="view").update(at=event.at - dt.timedelta(days=1))
    visitor.get(public_path(link), **UA)
    assert AccessEvent.objects.filter(kind="view").count() == 3
    assert Activity.objects.filter(type="document_opened").count() == 4  # 2 views + 1 download + today's


def test_tracking_rows_per_link_are_capped_without_losing_the_count(
    visitor: Client, link: Any, documents: Any, settings: Any, agent: Any
) -> None:
    settings.SHARING_MAX_EVENTS_PER_LINK = 3
    for i in range(10):
        visitor.get(public_path(link), HTTP_USER_AGENT=f"Browser {i}")
    rows = AccessEvent.objects.filter(link=link)
    assert rows.count() == 3
    assert sum(rows.values_list("count", flat=True)) == 10
    assert rows.order_by("at")[0].user_agent == "Browser 0"  # the first access stays as it was
    services.cloud_file_add(cloud=link.cloud, upload=SimpleUploadedFile("Neu.pdf", b"n"), acting_user=agent)
    cloud_file = link.cloud.files.get()
    visitor.get(download_url(link, "cloud_file", cloud_file.pk), HTTP_USER_AGENT="Browser 11")
    assert AccessEvent.objects.filter(kind="download", file_name="Neu.pdf").count() == 1


def test_events_api_reports_the_count(visitor: Client, link: Any, api: Any) -> None:
    for _ in range(2):
        visitor.get(public_path(link), **UA)
    item = api.get(f"/api/v1/shares/{link.pk}/events").json()["items"][0]
    assert item["count"] == 2 and item["last_at"] is not None
    assert token_of(link) not in str(item)
