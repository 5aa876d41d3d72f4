"""The public double-opt-in page: no login, German, one use, expiry."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from maklerwerk.inquiries.models import Inquiry
from maklerwerk.inquiries.services import (
    inquiries_expire,
    inquiry_automate,
    inquiry_create_from_form,
    inquiry_retry,
)
from tests.conftest import RATE_LIMIT_INSTANT
from tests.inquiries.conftest import links_in, text_of

pytestmark = pytest.mark.django_db

FORM = {
    "salutation": "herr", "first_name": "Jörg", "last_name": "Weißmann", "street": "Hauptstraße",
    "house_number": "5", "postal_code": "51465", "city": "Bergisch Gladbach", "phone": "", "privacy": "on",
}  # fmt: skip


def _waiting(office: Any, agent: Any, smtp_sink: Any) -> tuple[Inquiry, str]:
    inquiry = inquiry_create_from_form(
        office=office,
        acting_user=agent,
        data={
            "email": "joerg.weissmann@example.net",
            "last_name": "Weißmann",
            "property_external_id": "MW-1002",
        },
    )
    inquiry = inquiry_automate(inquiry_id=inquiry.pk)
    assert inquiry.status == "waiting_for_confirmation"
    [link] = links_in(text_of(smtp_sink.parsed()[-1]))
    return inquiry, link[link.index("/inquiries/") :]


def test_a_link_used_twice_shows_a_friendly_page_and_creates_nothing_twice(
    office: Any, agent: Any, properties: Any, smtp_sink: Any
) -> None:
    inquiry, path = _waiting(office, agent, smtp_sink)
    assert len(inquiry.token_hash) == 64 and inquiry.token_hash not in path  # only the hash is stored
    first = Client().post(path, FORM)
    assert "Vielen Dank für Ihre Bestätigung!" in first.content.decode()
    second = Client().post(path, FORM)
    assert second.status_code == 410
    assert "Sie haben bereits bestätigt" in second.content.decode()
    assert Client().get(path).status_code == 410
    inquiry.refresh_from_db()
    assert inquiry.status == "completed"
    assert sum(1 for m in smtp_sink.parsed() if m["Subject"].startswith("Ihr Exposé")) == 1
    from maklerwerk.contacts.models import Contact

    assert Contact.objects.filter(office=office, last_name="Weißmann").count() == 1


def test_an_expired_link_aborts_the_inquiry_with_a_reason(
    office: Any, agent: Any, properties: Any, smtp_sink: Any
) -> None:
    inquiry, path = _waiting(office, agent, smtp_sink)
    with time_machine.travel(timezone.now() + dt.timedelta(days=8)):
        response = Client().get(path)
        assert response.status_code == 410
        assert "Dieser Link ist abgelaufen" in response.content.decode()
        assert inquiries_expire() == 1
    inquiry.refresh_from_db()
    assert inquiry.status == "aborted"
    assert inquiry.reason.startswith("Bestätigung abgelaufen")
    assert "Dieser Link ist abgelaufen" in Client().post(path, FORM).content.decode()


def test_retrying_an_expired_inquiry_sends_a_new_link_and_the_old_one_is_void(
    office: Any, agent: Any, properties: Any, smtp_sink: Any
) -> None:
    """GIVEN an inquiry whose link expired WHEN the agent processes it again THEN the prospect gets a
    new double-opt-in mail, the new link confirms, the old one no longer works."""
    inquiry, old_path = _waiting(office, agent, smtp_sink)
    with time_machine.travel(timezone.now() + dt.timedelta(days=8)):
        assert inquiries_expire() == 1
        inquiry.refresh_from_db()
        inquiry = inquiry_retry(inquiry=inquiry, acting_user=agent)
        assert inquiry.status == "waiting_for_confirmation"
        assert len(smtp_sink.parsed()) == 2
        [new_link] = links_in(text_of(smtp_sink.parsed()[-1]))
        new_path = new_link[new_link.index("/inquiries/") :]
        assert new_path != old_path
        assert "Dieser Link ist ungültig" in Client().post(old_path, FORM).content.decode()
        response = Client().post(new_path, FORM)
        assert "Vielen Dank für Ihre Bestätigung!" in response.content.decode()
    inquiry.refresh_from_db()
    assert inquiry.status == "completed" and inquiry.contact is not None
    assert [m["Subject"].startswith("Ihr Exposé") for m in smtp_sink.parsed()] == [False, False, True]


def test_an_unknown_link_and_invalid_data(office: Any, agent: Any, properties: Any, smtp_sink: Any) -> None:
    response = Client().get("/inquiries/confirm/nicht-echt/")
    assert response.status_code == 404
    assert "Dieser Link ist ungültig" in response.content.decode()
    _inquiry, path = _waiting(office, agent, smtp_sink)
    response = Client().post(path, {**FORM, "city": "", "privacy": ""})
    assert response.status_code == 200
    assert "Dieses Feld ist zwingend erforderlich." in response.content.decode()
    assert Inquiry.objects.get().status == "waiting_for_confirmation"


@pytest.mark.ratelimit
def test_the_page_is_rate_limited(db: None) -> None:
    from django.core.cache import cache

    cache.clear()
    client = Client()
    with time_machine.travel(RATE_LIMIT_INSTANT, tick=False):
        codes = [client.get("/inquiries/confirm/x/").status_code for _ in range(31)]
    assert codes[:30] == [404] * 30
    assert codes[30] == 429


def test_line_breaks_typed_into_the_confirmation_form_get_a_german_error(
    office: Any, agent: Any, properties: Any, smtp_sink: Any
) -> None:
    from maklerwerk.contacts.models import Contact

    inquiry, path = _waiting(office, agent, smtp_sink)
    form = {**FORM, "first_name": "Jörg\r\nBcc: alle@example.org", "city": "Bergisch\tGladbach"}
    html = Client().post(path, form).content.decode()
    assert "muss eine Zeile sein" in html, html[-3000:]
    assert not Contact.objects.filter(office=office, last_name="Weißmann").exists()
    inquiry.refresh_from_db()
    assert inquiry.status == "waiting_for_confirmation"  # nothing lost: the link still works
    assert "Vielen Dank für Ihre Bestätigung!" in Client().post(path, FORM).content.decode()
