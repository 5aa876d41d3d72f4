"""The inquiry manager takes its prospect in through contacts.intake with the office's inquiry policy,
against the real Dovecot, SMTP sink and duplicate engine: "ask" stops on any candidate with a task;
"attach-certain" attaches only to a certain duplicate, and a merely possible one gets a new contact
that is flagged on the inquiry and listed on the Dubletten page, never silently merged."""

from __future__ import annotations

from typing import Any

import pytest

from maklerwerk.contacts.duplicates import check_duplicates
from maklerwerk.contacts.models import Contact
from maklerwerk.duplicates.models import DuplicatePair, DuplicateSettings
from maklerwerk.inquiries.handler import fetch_all
from maklerwerk.inquiries.models import Inquiry, InquiryStep, Mailbox
from tests.inquiries.conftest import contact, deliver, fixture_mail

pytestmark = pytest.mark.django_db

# The prospect of immoscout24_kontaktanfrage.eml: Sabine Krüger, sabine.krueger@example.org,
# 0221 4711230, Venloer Straße 212a, 50823 Köln.
PROSPECT = {
    "first_name": "Sabine",
    "last_name": "Krüger",
    "emails": ["sabine.krueger@example.org"],
    "phones": ["+492214711230"],
    "street": "Venloer Straße",
    "house_number": "212a",
    "postal_code": "50823",
    "city": "Köln",
}


@pytest.fixture
def no_opt_in(office: Any) -> None:
    from maklerwerk.inquiries.services import settings_for

    cfg = settings_for(office)
    cfg.double_opt_in = False  # the contact is taken in at once
    cfg.save()


def _certain(office: Any) -> Any:
    """Same name, phone and address, another e-mail."""
    return contact(
        office, first_name="Sabine", last_name="Krüger", street="Venloer Straße", house_number="212a",
        postal_code="50823", city="Köln", phones=[{"value": "0221 4711230"}],
        emails=[{"value": "s.k@example.net"}],
    )  # fmt: skip


def _possible(office: Any) -> Any:
    """Only the same name in the same city: maybe her, maybe a namesake."""
    return contact(office, first_name="Sabine", last_name="Krüger", city="Köln")


def _level(office: Any) -> str:
    return check_duplicates(office=office, data=PROSPECT)[0].level


def _take_in(imap_account: Any) -> Inquiry:
    deliver(imap_account, fixture_mail("immoscout24_kontaktanfrage.eml"))
    fetch_all()
    return Inquiry.objects.get()


def _steps(inquiry: Inquiry) -> dict[str, str]:
    return dict(InquiryStep.objects.filter(inquiry=inquiry).values_list("kind", "text"))


@pytest.mark.parametrize("property_agent", ["colleague", "none"])
def test_ask_stops_even_on_a_merely_possible_duplicate_and_creates_a_task(
    property_agent: str,
    office: Any,
    agent: Any,
    mailbox: Mailbox,
    properties: Any,
    smtp_sink: Any,
    imap_account: Any,
    no_opt_in: None,
    admin_user: Any,
) -> None:
    prop = properties["MW-1001"]
    # The property's agent gets the task; a property without one leaves it to the mailbox's user.
    prop.responsible_agent = admin_user if property_agent == "colleague" else None
    prop.save()
    assignee = admin_user if property_agent == "colleague" else agent
    existing = _possible(office)
    assert _level(office) == "possible"
    inquiry = _take_in(imap_account)
    assert inquiry.status == "aborted" and inquiry.duplicate_of == existing
    assert inquiry.reason.startswith("Mögliche Dublette von Sabine Krüger")
    assert Contact.objects.filter(office=office).count() == 1
    from maklerwerk.tasks.models import Task

    task = Task.objects.get(office=office)
    assert task.title == "Mögliche Dublette prüfen: Sabine Krüger / Sabine Krüger"
    assert (task.assignee, task.contact_id, task.property_id) == (assignee, existing.pk, prop.pk)
    assert (task.link_url, task.source) == (f"/inquiries/{inquiry.pk}/", "inquiry")
    assert task.description == (
        f"Die Anfrage #{inquiry.pk} (ImmobilienScout24) von Sabine Krüger <sabine.krueger@example.org> "
        "ähnelt dem bestehenden Kontakt Sabine Krüger (gleicher Name, gleicher Ort). "
        "Bitte zusammenführen oder als neuen Kontakt anlegen."
    )
    assert _steps(inquiry)["task"] == f"Aufgabe „{task.title}“ für {assignee} angelegt"


def test_attach_certain_adds_the_inquiry_email_to_the_certain_duplicate(
    office: Any,
    agent: Any,
    mailbox: Mailbox,
    properties: Any,
    smtp_sink: Any,
    imap_account: Any,
    no_opt_in: None,
) -> None:
    DuplicateSettings.objects.create(office=office, inquiry_policy="attach_certain")
    existing = _certain(office)
    assert _level(office) == "certain"
    inquiry = _take_in(imap_account)
    assert inquiry.contact == existing and Contact.objects.filter(office=office).count() == 1
    emails = set(existing.emails.values_list("value", flat=True))
    assert emails == {"s.k@example.net", "sabine.krueger@example.org"}
    assert (
        "An den bestehenden Kontakt Sabine Krüger angehängt, eine sichere Dublette"
        in _steps(inquiry)["duplicate_attached"]
    )
    assert len(smtp_sink.messages) == 1  # the exposé went out to her


def test_attach_certain_never_attaches_to_a_possible_duplicate(
    office: Any,
    agent: Any,
    mailbox: Mailbox,
    properties: Any,
    smtp_sink: Any,
    imap_account: Any,
    no_opt_in: None,
) -> None:
    DuplicateSettings.objects.create(office=office, inquiry_policy="attach_certain")
    existing = _possible(office)
    inquiry = _take_in(imap_account)
    assert inquiry.contact is not None and inquiry.contact != existing  # a new contact for the prospect
    assert not existing.emails.exists()  # nothing of hers went to the namesake
    assert inquiry.duplicate_of == existing  # flagged on the inquiry
    assert "zur Prüfung auf der Dubletten-Seite" in _steps(inquiry)["duplicate_review"]
    pair = DuplicatePair.objects.get(office=office)
    assert {pair.contact_a_id, pair.contact_b_id} == {existing.pk, inquiry.contact.pk}
    assert "inquiry_review" in pair.codes
    assert len(smtp_sink.messages) == 1  # the prospect is served at once


def test_a_new_prospect_is_validated_once(
    office: Any, agent: Any, mailbox: Mailbox, properties: Any, smtp_sink: Any, imap_account: Any,
    no_opt_in: None, monkeypatch: Any,
) -> None:  # fmt: skip
    from maklerwerk.contacts import services

    calls: list[int] = []
    real = services.contact_validate

    def counting(**kwargs: Any) -> Any:
        calls.append(1)
        return real(**kwargs)

    monkeypatch.setattr(services, "contact_validate", counting)
    inquiry = _take_in(imap_account)
    assert inquiry.contact is not None and inquiry.contact.last_name == "Krüger"
    assert len(calls) == 1
