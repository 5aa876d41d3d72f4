"""Rectification (Art. 16) and objection (Art. 21) requests, and the one consent gate every
marketing mail path asks (issue 22)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from maklerwerk.contacts.models import Contact
from maklerwerk.contacts.services import contact_create, contact_update
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.exposes import services as offers
from maklerwerk.mailing.placeholders import MailContext
from maklerwerk.privacy.consent import consent_record, marketing_blocked, marketing_mail_prepare
from maklerwerk.privacy.models import ConsentRecord, SubjectRequest
from tests.conftest import api_client_for, assert_problem, mail_template
from tests.mailing.conftest import make_prop

pytestmark = pytest.mark.django_db


@pytest.fixture
def olga(office: Any, admin_user: Any) -> Any:
    contact = contact_create(
        office=office,
        acting_user=admin_user,
        data={
            "first_name": "Olga",
            "last_name": "Objekt",
            "emails": [{"value": "olga@example.org", "kind": "private"}],
            "marketing_consent": True,
            "marketing_consent_source": "Messe 2026",
        },
    )
    consent_record(
        contact=contact, purpose="property_contact", status="granted", channel="form", acting_user=admin_user
    )
    return contact


def _newsletter(contact: Any, user: Any) -> Any:
    return marketing_mail_prepare(
        office=contact.office,
        ctx=MailContext(office=contact.office, acting_user=user, contact=contact),
        to_email="olga@example.org",
        acting_user=user,
        purpose="newsletter",
        subject="Neu im Angebot",
        body="Guten Tag",
    )


def test_the_yes_no_field_of_the_contact_form_becomes_a_consent_record(olga: Any, admin_user: Any) -> None:
    record = ConsentRecord.objects.get(contact=olga, purpose="newsletter")
    assert record.status == "granted" and record.channel == "contact_record"
    assert record.evidence["source"] == "Messe 2026"
    _newsletter(olga, admin_user)  # granted: prepared
    contact_update(contact=olga, acting_user=admin_user, data={"marketing_consent": False})
    with pytest.raises(ApplicationError, match="Werbeeinwilligung widerrufen am"):
        _newsletter(olga, admin_user)


def test_an_objection_to_marketing_stops_every_mail_path_at_once(
    olga: Any, admin_user: Any, agent: Any, office: Any
) -> None:
    api = api_client_for(admin_user)
    response = api.post(
        f"/api/v1/contacts/{olga.pk}/subject-requests",
        {
            "kind": "objection",
            "scope": "marketing",
            "channel": "E-Mail",
            "requested_at": "2026-12-01T09:00:00+01:00",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    # Art. 21 Abs. 3: no weighing, done when recorded; the deadline is still shown (one month).
    assert body["status"] == "done" and body["due_on"] == "2027-01-01"
    assert "Werbung" in body["result"]
    olga.refresh_from_db()
    assert olga.marketing_consent is False  # the contact page says "no"
    reasons = marketing_blocked(contact_ids=[olga.pk], purposes=["newsletter"], need_grant=True)
    assert (
        reasons[olga.pk].startswith("Widerspruch gegen Werbung am") and "(Art. 21 DSGVO)" in reasons[olga.pk]
    )
    with pytest.raises(ApplicationError, match="Widerspruch gegen Werbung"):
        _newsletter(olga, admin_user)
    # The offer (mass mail of exposés) skips her and says why, in the preview and on the offer.
    prop = make_prop(office, agent)
    offer = offers.offer_create(
        office=office,
        acting_user=agent,
        contacts=[olga],
        properties=[prop],
        mail_template=mail_template(agent, "expose"),
    )
    recipient = offer.recipients.get()
    assert recipient.status == "skipped" and recipient.reason.startswith("Widerspruch gegen Werbung am")
    client = Client()
    client.force_login(agent)
    page = client.get(f"/exposes/offers/{offer.pk}/").content.decode()
    assert "Widerspruch gegen Werbung am" in page


def test_a_newsletter_without_a_granted_record_is_refused_with_the_reason(
    office: Any, admin_user: Any
) -> None:
    plain = contact_create(office=office, acting_user=admin_user, data={"last_name": "Ohne"})
    pending = contact_create(office=office, acting_user=admin_user, data={"last_name": "Wartet"})
    consent_record(
        contact=pending, purpose="newsletter", status="pending", channel="form", acting_user=admin_user
    )
    reasons = marketing_blocked(contact_ids=[plain.pk, pending.pk], purposes=["newsletter"], need_grant=True)
    assert reasons == {
        plain.pk: "keine Werbeeinwilligung erfasst",
        pending.pk: "Einwilligung noch nicht bestätigt (Double-Opt-in)",
    }


def test_a_rectification_is_tracked_with_deadline_status_and_result(olga: Any, admin_user: Any) -> None:
    client = Client()
    client.force_login(admin_user)
    # Bad input: a rectification without saying what is wrong is refused in German, nothing stored.
    response = client.post(f"/privacy/contacts/{olga.pk}/requests/", {"kind": "rectification"}, follow=True)
    assert "Beschreiben Sie, welche Daten" in response.content.decode()
    assert not SubjectRequest.objects.exists()
    response = client.post(
        f"/privacy/contacts/{olga.pk}/requests/",
        {"kind": "rectification", "channel": "Brief", "details": "Nachname ist Objekt-Meier"},
        follow=True,
    )
    page = response.content.decode()
    assert "Berichtigung (Art. 16 DSGVO)" in page and "offen" in page and "Antwort fällig bis" in page
    item = SubjectRequest.objects.get()
    assert 28 <= (item.due_on - timezone.localdate(item.requested_at)).days <= 31  # one month
    # Done without a result: refused in German, still open.
    response = client.post(
        f"/privacy/requests/{item.pk}/decide/", {"action": "complete", "result": " "}, follow=True
    )
    assert "Halten Sie fest, was getan wurde." in response.content.decode()
    client.post(
        f"/privacy/requests/{item.pk}/decide/",
        {"action": "complete", "result": "Nachname berichtigt"},
        follow=True,
    )
    item.refresh_from_db()
    assert item.status == "done" and item.result == "Nachname berichtigt" and item.decided_by == admin_user
    # The open list of the office no longer shows it; a second decision is a conflict.
    api = api_client_for(admin_user)
    assert api.get("/api/v1/subject-requests").json() == []
    again = api.post(f"/api/v1/subject-requests/{item.pk}/decide", {"action": "refuse", "result": "x"})
    assert_problem(again, 409)


def test_an_objection_to_all_processing_waits_for_a_decision_and_can_block(
    olga: Any, admin_user: Any
) -> None:
    api = api_client_for(admin_user)
    created = api.post(f"/api/v1/contacts/{olga.pk}/subject-requests", {"kind": "objection", "scope": "all"})
    assert created.json()["status"] == "open"
    done = api.post(
        f"/api/v1/subject-requests/{created.json()['id']}/decide",
        {"action": "complete", "result": "Keine zwingenden Gründe; Verarbeitung eingestellt", "block": True},
    )
    assert done.status_code == 200 and done.json()["status"] == "done"
    assert Contact.objects.get(pk=olga.pk).restricted


def test_requests_are_for_the_privacy_role_of_the_own_office_only(
    olga: Any, agent: Any, readonly_user: Any, outsider: Any
) -> None:
    for user in (agent, readonly_user):
        response = api_client_for(user).post(
            f"/api/v1/contacts/{olga.pk}/subject-requests", {"kind": "objection"}
        )
        assert_problem(response, 403)
    outsider.role = "admin"
    outsider.save()
    response = api_client_for(outsider).post(
        f"/api/v1/contacts/{olga.pk}/subject-requests", {"kind": "objection"}
    )
    assert_problem(response, 404)
    bad = api_client_for(outsider).post(
        f"/api/v1/contacts/{olga.pk}/subject-requests", {"kind": "delete-all"}
    )
    assert_problem(bad, 422)
    assert not SubjectRequest.objects.exists()
