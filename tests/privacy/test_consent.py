import datetime as dt
from importlib import import_module
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.test import Client

from maklerwerk.contacts.services import contact_create
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.mailing.placeholders import MailContext
from maklerwerk.privacy.consent import consent_granted, consent_record, marketing_mail_prepare
from maklerwerk.privacy.models import ConsentRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def anna(office: Any, admin_user: Any) -> Any:
    return contact_create(
        office=office,
        acting_user=admin_user,
        data={
            "first_name": "Anna",
            "last_name": "Angebot",
            "emails": [{"value": "anna@example.org", "kind": "private"}],
        },
    )


def _prepare(contact: Any, user: Any) -> Any:
    return marketing_mail_prepare(
        office=contact.office,
        ctx=MailContext(office=contact.office, acting_user=user, contact=contact),
        to_email="anna@example.org",
        acting_user=user,
        purpose="newsletter",
        subject="Neue Altbauwohnungen",
        body="Guten Tag, drei neue Wohnungen.",
    )


def test_a_marketing_mail_needs_a_granted_consent_and_carries_a_working_one_click_unsubscribe(
    anna: Any, admin_user: Any
) -> None:
    with pytest.raises(ApplicationError, match="keine Werbe-Mail"):
        _prepare(anna, admin_user)
    consent_record(
        contact=anna,
        purpose="newsletter",
        status="granted",
        channel="form",
        acting_user=admin_user,
        text="Ja, ich möchte Angebote per E-Mail.",
        text_version="2026-01",
        evidence={"confirmed_at": "2026-12-01T10:00:00+01:00", "ip": "203.0.113.0/24"},
    )
    mail = _prepare(anna, admin_user)
    headers = mail.message.extra_headers
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = headers["List-Unsubscribe"].strip("<>")
    path = url.split("://", 1)[1].split("/", 1)[1]
    assert f"Abmelden: {url}" in mail.message.body
    # The mail client's one click: a POST without cookies or CSRF token.
    client = Client(enforce_csrf_checks=True)
    response = client.post(f"/{path}", {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200 and "abgemeldet" in response.content.decode()
    assert not consent_granted(contact_id=anna.pk, purpose="newsletter")
    withdrawal = ConsentRecord.objects.filter(contact=anna).first()
    assert withdrawal is not None and withdrawal.status == "withdrawn" and withdrawal.withdrawn_at is not None
    # The proof of the consent stays next to the withdrawal.
    assert ConsentRecord.objects.filter(contact=anna, status="granted", text_version="2026-01").exists()
    with pytest.raises(ApplicationError):
        _prepare(anna, admin_user)


def test_a_forged_unsubscribe_token_changes_nothing(anna: Any) -> None:
    assert Client().post("/privacy/unsubscribe/bogus-token/").status_code == 404


def test_the_yes_no_field_becomes_a_consent_record(anna: Any, office: Any, admin_user: Any) -> None:
    from maklerwerk.contacts.models import Contact

    Contact.objects.filter(pk=anna.pk).update(
        marketing_consent=True, marketing_consent_on=dt.date(2024, 3, 1), marketing_consent_source="Messe"
    )
    migration = import_module("maklerwerk.privacy.migrations.0003_consent_from_yes_no_field")
    migration.forwards(django_apps, None)
    record = ConsentRecord.objects.get(contact=anna)
    assert (record.purpose, record.status, record.channel) == ("newsletter", "granted", "import")
    assert record.evidence == {"source": "Messe", "given_on": "2024-03-01"}
    assert consent_granted(contact_id=anna.pk, purpose="newsletter")


def test_consents_over_the_api(anna: Any, agent: Any, readonly_user: Any) -> None:
    from tests.conftest import api_client_for, assert_problem

    api = api_client_for(agent)
    body = {
        "purpose": "newsletter",
        "status": "granted",
        "channel": "phone",
        "text": "Ja",
        "text_version": "1",
    }
    created = api.post(f"/api/v1/contacts/{anna.pk}/consents", body)
    assert created.status_code == 201 and created.json()["recorded_by_id"] == agent.pk
    assert len(created.json()["text_hash"]) == 64
    assert [c["status"] for c in api.get(f"/api/v1/contacts/{anna.pk}/consents").json()] == ["granted"]
    assert_problem(api_client_for(readonly_user).post(f"/api/v1/contacts/{anna.pk}/consents", body), 403)
