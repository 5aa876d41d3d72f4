"""The demo shows the inquiry manager at work: one inquiry in every status, with the steps that led
there, and a letter template to write a letter from a contact's page."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from maklerwerk.accounts.models import User
from maklerwerk.inquiries.handler import resume_unfinished
from maklerwerk.inquiries.models import Inquiry
from maklerwerk.mailing.models import MailTemplate

pytestmark = pytest.mark.django_db


def test_the_demo_has_an_inquiry_in_every_status_and_a_letter() -> None:
    for _ in range(2):  # idempotent
        call_command("seed_demo", "--contacts", "30", "--properties", "4", "--activities", "0", verbosity=0)
    inquiries = Inquiry.objects.all()
    # "received" lasts only until its job has read the mail (seconds), so the demo shows none.
    shown = sorted(set(Inquiry.Status.values) - {Inquiry.Status.RECEIVED})
    assert sorted(inquiries.values_list("status", flat=True)) == shown
    for inquiry in inquiries:
        assert inquiry.reason and inquiry.steps.exists(), inquiry.status
    completed = inquiries.get(status=Inquiry.Status.COMPLETED)
    assert completed.contact_id and completed.property_id and completed.expose_sent_at
    assert "{" not in "".join(inquiries.values_list("reason", flat=True))  # every name filled in
    # The job worker leaves them as they are: "Neu" stays new for the agent to work on.
    assert resume_unfinished() == 0
    letter = MailTemplate.objects.get(kind=MailTemplate.Kind.LETTER)
    assert "Vermarktungsbericht" in letter.name and "{{ objekt.titel }}" in letter.body


def test_the_demo_inquiries_show_on_the_list_with_german_statuses() -> None:
    call_command("seed_demo", "--contacts", "30", "--properties", "4", "--activities", "0", verbosity=0)
    client = Client()
    client.force_login(User.objects.get(username="demo"))
    html = client.get("/inquiries/").content.decode()
    for label in ("Warte auf Bestätigung", "Abgeschlossen", "Nicht erkannt", "Ignoriert", "Nur Adresse"):
        assert label in html
    with_contact = Inquiry.objects.exclude(contact=None).first()
    assert with_contact is not None
    letter_page: Any = client.get(f"/mailing/letter/{with_contact.contact_id}/")
    assert "Vermarktungsbericht an Eigentümer (Brief)" in letter_page.content.decode()
