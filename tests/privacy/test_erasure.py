import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.test import Client

from maklerwerk.contacts.models import Contact, ContactEmail, ContactFile
from maklerwerk.contacts.selectors import contact_list, contact_processing_allowed
from maklerwerk.core.models import Activity, ChangeLog
from maklerwerk.matching.models import SearchProfile
from maklerwerk.privacy import services
from maklerwerk.privacy.models import ErasureRequest
from tests.conftest import api_client_for, assert_problem

pytestmark = pytest.mark.django_db


def _activity(contact: Any, type_: str) -> Activity:
    return Activity.objects.get(contact=contact, type=type_)


def _execute(admin_user: Any, buyer: Any) -> tuple[int, dict[str, Any]]:
    api = api_client_for(admin_user)
    created = api.post(
        f"/api/v1/contacts/{buyer.pk}/erasure-requests", {"requested_by": "Berta Käufer", "channel": "E-Mail"}
    )
    assert created.status_code == 201, created.content
    request_id = created.json()["id"]
    response = api.post(
        f"/api/v1/erasure-requests/{request_id}/execute", {"decision": "Löschung soweit zulässig"}
    )
    assert response.status_code == 200, response.content
    return request_id, response.json()


@time_machine.travel(dt.datetime(2026, 12, 5, 12, 0, tzinfo=dt.UTC))
def test_an_erasure_keeps_each_record_by_its_own_rule_and_erases_the_rest(
    buyer: Any, admin_user: Any
) -> None:
    invoice = ContactFile.objects.get(contact=buyer, name="Provisionsrechnung.pdf")
    note_file = ContactFile.objects.get(contact=buyer, name="Notiz.txt")
    letter, expose, note = (_activity(buyer, t) for t in ("email_sent", "expose_sent", "note"))
    request_id, answer = _execute(admin_user, buyer)

    held = {h["record"]: (h["reason"], h["until"]) for h in answer["held"]}
    assert held[f"files:{invoice.pk}"] == (
        "Rechnung oder Provisionsabrechnung (AO §147 Abs. 1 Nr. 4, Abs. 3; HGB §257 Abs. 1 Nr. 4, Abs. 4; "
        "UStG §14b, 8 Jahre)",
        "2033-12-31",
    )
    assert held[f"activities:{letter.pk}"][1] == "2030-12-31"  # business letter 2024 + 6 years
    assert held[f"activities:{letter.pk}"][0].startswith("Geschäftsbrief (HGB §257")
    assert held[f"activities:{expose.pk}"][1] == "2028-12-31"  # Nachweis 2025 + 3 years
    assert held[f"contact:{buyer.pk}"][1] == "2033-12-31"
    assert f"files:{note_file.pk}" in answer["deleted"]
    assert f"activities:{note.pk}" in answer["anonymised"]
    assert any(r.startswith("emails:") for r in answer["deleted"])
    assert any(r.startswith("search_profiles:") for r in answer["deleted"])

    buyer.refresh_from_db()
    # Held: restricted, hidden from lists and mailings, with the date the hold ends.
    assert buyer.restricted and buyer.restricted_until == dt.date(2033, 12, 31)
    assert buyer.last_name == "Käufer"
    assert not contact_list(user=admin_user).filter(pk=buyer.pk).exists()
    assert not contact_processing_allowed(buyer.pk)
    # Free: gone or scrubbed, statistics kept.
    assert not ContactEmail.objects.filter(contact=buyer).exists()
    assert not SearchProfile.objects.filter(contact=buyer).exists()
    assert not ContactFile.objects.filter(pk=note_file.pk).exists()
    assert ContactFile.objects.filter(pk=invoice.pk).exists()
    note.refresh_from_db()
    assert note.subject == "Gelöscht" and note.body == "" and note.type == "note"
    request = ErasureRequest.objects.get(pk=request_id)
    assert request.status == "restricted" and request.decided_by == admin_user
    assert request.decision == "Löschung soweit zulässig" and request.requested_by == "Berta Käufer"


def test_time_machine_the_nightly_sweep_erases_what_became_free_and_finally_anonymises(
    buyer: Any, admin_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    invoice = ContactFile.objects.get(contact=buyer, name="Provisionsrechnung.pdf")
    invoice_path = str(invoice.file.name)
    expose = _activity(buyer, "expose_sent")
    with time_machine.travel(dt.datetime(2026, 12, 5, 12, 0, tzinfo=dt.UTC)):
        request_id, _answer = _execute(admin_user, buyer)
    # The last day of the exposé's hold: nothing changes.
    with time_machine.travel(dt.datetime(2028, 12, 31, 12, 0, tzinfo=dt.UTC)):
        assert services.retention_sweep() == []
    expose.refresh_from_db()
    assert expose.subject == "Exposé Domstraße 5"
    # The next morning the Nachweis is free; the invoice still holds the contact.
    with time_machine.travel(dt.datetime(2029, 1, 1, 3, 17, tzinfo=dt.UTC)):
        assert services.retention_sweep() == [request_id]
    expose.refresh_from_db()
    buyer.refresh_from_db()
    assert expose.subject == "Gelöscht" and buyer.restricted and buyer.last_name == "Käufer"
    # After the invoice's eight years everything goes; the contact stays only as "Gelöscht #id".
    with (
        time_machine.travel(dt.datetime(2034, 1, 1, 3, 17, tzinfo=dt.UTC)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert services.retention_sweep() == [request_id]
    buyer.refresh_from_db()
    assert buyer.last_name == f"Gelöscht #{buyer.pk}" and buyer.first_name == "" and buyer.street == ""
    assert buyer.remarks == "" and not buyer.restricted
    assert not ContactFile.objects.filter(pk=invoice.pk).exists()
    assert not default_storage.exists(invoice_path)
    assert ErasureRequest.objects.get(pk=request_id).status == "done"
    # The erasure's own activities stay as its proof; the person's texts are gone.
    assert Activity.objects.filter(
        contact=buyer, subject=f"Löschantrag #{request_id} (Art. 17 DSGVO)"
    ).exists()
    assert not Activity.objects.filter(contact=buyer, subject__contains="Kaufvertrag").exists()
    # The history keeps who changed what when, but no longer the person's values.
    values = [
        c
        for row in ChangeLog.objects.filter(object_id=str(buyer.pk), content_type__model="contact")
        for c in row.changes
    ]
    assert not any("Käufer" in str(c.get("old")) or "Käufer" in str(c.get("new")) for c in values)
    assert Contact.objects.filter(pk=buyer.pk).exists()


@time_machine.travel(dt.datetime(2026, 12, 5, 12, 0, tzinfo=dt.UTC))
def test_a_prospect_without_duties_is_anonymised_at_once(office: Any, admin_user: Any) -> None:
    from maklerwerk.contacts.services import contact_create

    prospect = contact_create(
        office=office,
        acting_user=admin_user,
        data={
            "first_name": "Paul",
            "last_name": "Probe",
            "emails": [{"value": "paul@example.org", "kind": "private"}],
        },
    )
    _request_id, answer = _execute(admin_user, prospect)
    assert answer["held"] == [] and f"contact:{prospect.pk}" in answer["anonymised"]
    prospect.refresh_from_db()
    assert prospect.display_name == f"Gelöscht #{prospect.pk}" and not prospect.emails.exists()


@time_machine.travel(dt.datetime(2040, 1, 1, 12, 0, tzinfo=dt.UTC))
def test_a_legal_hold_overrides_every_rule_until_released(buyer: Any, admin_user: Any) -> None:
    hold = services.legal_hold_set(contact=buyer, reason="Klage LG Köln 2 O 17/39", acting_user=admin_user)
    request_id, answer = _execute(admin_user, buyer)
    assert answer["deleted"] == [] and answer["anonymised"] == []
    assert {h["reason"] for h in answer["held"]} == {
        "Gesetzliche Aufbewahrungssperre: Klage LG Köln 2 O 17/39"
    }
    buyer.refresh_from_db()
    assert buyer.restricted and buyer.restricted_until is None
    services.legal_hold_release(hold=hold, acting_user=admin_user)
    assert services.retention_sweep() == [request_id]
    buyer.refresh_from_db()
    assert buyer.last_name == f"Gelöscht #{buyer.pk}"


def test_an_office_can_change_a_period_and_the_plan_follows(buyer: Any, admin_user: Any, office: Any) -> None:
    services.retention_rule_set(
        office=office, kind="invoice", years=10, legal_basis="", acting_user=admin_user
    )
    with time_machine.travel(dt.datetime(2026, 12, 5, 12, 0, tzinfo=dt.UTC)):
        _request_id, answer = _execute(admin_user, buyer)
    invoice = ContactFile.objects.get(contact=buyer, name="Provisionsrechnung.pdf")
    assert {h["record"]: h["until"] for h in answer["held"]}[f"files:{invoice.pk}"] == "2035-12-31"


def test_a_blocked_contact_gets_no_mail_and_leaves_the_lists(buyer: Any, admin_user: Any) -> None:
    from maklerwerk.core.exceptions import ApplicationError
    from maklerwerk.mailing.placeholders import MailContext
    from maklerwerk.mailing.sending import mail_prepare

    services.contact_block(
        contact=buyer, reason="Widerspruch per Brief (Art. 21 DSGVO)", acting_user=admin_user
    )
    assert not contact_list(user=admin_user, search="Käufer").exists()
    with pytest.raises(ApplicationError, match="gesperrt"):
        mail_prepare(
            office=buyer.office,
            ctx=MailContext(office=buyer.office, acting_user=admin_user, contact=buyer),
            to_email="berta@example.org",
            acting_user=admin_user,
            subject="Neues Angebot",
            body="Hallo",
        )
    client = Client()
    client.force_login(admin_user)
    assert "Kontakt gesperrt" in client.get(f"/contacts/{buyer.pk}/").content.decode()
    services.contact_unblock(contact=buyer, acting_user=admin_user)
    assert contact_list(user=admin_user, search="Käufer").exists()


@pytest.mark.parametrize("persona", ["agent", "backoffice_user", "readonly_user"])
def test_erasure_is_refused_without_the_privacy_capability(
    buyer: Any, admin_user: Any, persona: str, request: Any
) -> None:
    api = api_client_for(request.getfixturevalue(persona))
    assert_problem(api.post(f"/api/v1/contacts/{buyer.pk}/erasure-requests", {}), 403)
    erasure = services.erasure_request_create(contact=buyer, acting_user=admin_user)
    assert_problem(api.post(f"/api/v1/erasure-requests/{erasure.pk}/execute", {}), 403)
    buyer.refresh_from_db()
    assert buyer.last_name == "Käufer" and ContactEmail.objects.filter(contact=buyer).exists()


def test_a_decided_request_is_not_executed_twice(buyer: Any, admin_user: Any) -> None:
    erasure = services.erasure_request_create(contact=buyer, acting_user=admin_user)
    services.erasure_request_refuse(request=erasure, acting_user=admin_user, decision="Vertrag läuft noch")
    api = api_client_for(admin_user)
    assert_problem(api.post(f"/api/v1/erasure-requests/{erasure.pk}/execute", {}), 409)
    buyer.refresh_from_db()
    assert buyer.last_name == "Käufer"
