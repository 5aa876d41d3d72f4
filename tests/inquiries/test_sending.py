"""The inquiry manager's mails go through the mailing templates and the exposé app's offers (real SMTP)."""

from __future__ import annotations

from typing import Any

import pytest

from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.core.models import Activity
from maklerwerk.exposes.models import Offer, OfferRecipient
from maklerwerk.inquiries.models import Inquiry
from maklerwerk.inquiries.services import (
    inquiry_automate,
    inquiry_create_from_form,
    inquiry_retry,
    settings_for,
)
from maklerwerk.mailing.models import MailTemplate, OutgoingMail
from maklerwerk.mailing.seed import templates_ensure_defaults
from tests.inquiries.conftest import contact, links_in, pdfs_of, text_of, to_addr

pytestmark = pytest.mark.django_db


def _inquiry(office: Any, agent: Any, email: str, ref: str = "MW-1001") -> Inquiry:
    inquiry = inquiry_create_from_form(
        office=office,
        acting_user=agent,
        data={"email": email, "first_name": "Jonas", "last_name": "Weber", "property_external_id": ref},
    )
    return inquiry_automate(inquiry_id=inquiry.pk)


def test_the_exposé_template_chosen_in_the_settings_is_used(
    office: Any, agent: Any, properties: Any, smtp_sink: Any
) -> None:
    templates_ensure_defaults(office)
    own = MailTemplate.objects.create(
        office=office,
        name="Exposé kurz",
        subject="Unterlagen zu {{ objekt.titel }}",
        body="{{ kontakt.briefanrede }},\n\nanbei das Exposé.\n\n{{ buero.name }}",
    )
    cfg = settings_for(office)
    cfg.expose_template = own
    cfg.save()
    known = contact(office, first_name="Jonas", last_name="Weber", emails=[{"value": "jonas@example.com"}])

    inquiry = _inquiry(office, agent, "jonas@example.com")

    assert inquiry.status == "completed" and inquiry.expose_sent_at is not None
    [mail] = smtp_sink.parsed()
    assert to_addr(mail) == "jonas@example.com"
    assert mail["Subject"] == "Unterlagen zu Helle 3-Zimmer-Wohnung mit Balkon"
    assert text_of(mail) == f"Guten Tag Jonas Weber,\n\nanbei das Exposé.\n\n{office.name}\n"
    [pdf] = pdfs_of(mail)
    assert pdf.startswith(b"%PDF")
    # The exposé app's record: the offer with one sent recipient, the stored mail with its Message-ID.
    recipient = OfferRecipient.objects.get(offer=inquiry.expose_offer)
    assert (recipient.status, recipient.contact, recipient.offer.mail_template) == ("sent", known, own)
    stored = OutgoingMail.objects.get(contact=known)
    assert stored.message_id == mail["Message-ID"] and stored.attachments[0]["mimetype"] == "application/pdf"
    [activity] = Activity.objects.filter(contact=known, type="expose_sent")
    assert activity.property_id == properties["MW-1001"].pk
    assert activity.subject == "Exposé versendet: Helle 3-Zimmer-Wohnung mit Balkon"


def test_a_refused_exposé_is_retried_with_the_same_offer_and_arrives_once(
    office: Any, agent: Any, properties: Any, smtp_sink: Any
) -> None:
    contact(office, first_name="Jonas", last_name="Weber", emails=[{"value": "jonas@example.com"}])
    smtp_sink.refuse.add("jonas@example.com")

    inquiry = _inquiry(office, agent, "jonas@example.com")

    assert inquiry.status == "aborted"
    assert inquiry.reason.startswith(
        "Exposé konnte nicht gesendet werden: Der Mailserver hat diesen Empfänger"
    )
    assert smtp_sink.messages == []
    assert OfferRecipient.objects.get(offer=inquiry.expose_offer).status == "failed"

    smtp_sink.refuse.clear()
    inquiry = inquiry_retry(inquiry=inquiry, acting_user=agent)

    assert inquiry.status == "completed"
    assert Offer.objects.filter(office=office).count() == 1
    recipient = OfferRecipient.objects.get(offer=inquiry.expose_offer)
    assert (recipient.status, recipient.attempts) == ("sent", 2)
    assert len(smtp_sink.messages) == 1
    assert Activity.objects.filter(type="expose_sent").count() == 1
    with pytest.raises(ApplicationError, match=r"^Diese Anfrage kann nicht erneut verarbeitet werden\.$"):
        inquiry_retry(inquiry=inquiry, acting_user=agent)
    assert len(smtp_sink.messages) == 1


@pytest.mark.parametrize("done", ["confirmed_at", "expose_sent_at"])
def test_an_inquiry_confirmed_or_answered_is_not_run_again(
    office: Any, agent: Any, properties: Any, smtp_sink: Any, done: str
) -> None:
    from django.utils import timezone

    from maklerwerk.inquiries.models import Inquiry

    inquiry = _inquiry(office, agent, "jonas@example.com")
    Inquiry.objects.filter(pk=inquiry.pk).update(status="aborted", **{done: timezone.now()})
    inquiry.refresh_from_db()
    sent = len(smtp_sink.messages)
    with pytest.raises(ApplicationError, match=r"^Diese Anfrage wurde bereits bestätigt oder beantwortet\.$"):
        inquiry_retry(inquiry=inquiry, acting_user=agent)
    assert len(smtp_sink.messages) == sent
    inquiry.refresh_from_db()
    assert inquiry.status == "aborted"


def test_an_exposé_the_server_may_have_accepted_is_never_sent_again(
    office: Any, agent: Any, properties: Any, smtp_sink: Any, monkeypatch: Any
) -> None:
    """GIVEN the process died after handing the exposé to the server (recipient still "sending")
    WHEN the inquiry is retried THEN no second mail goes out and the reason says to check."""
    from maklerwerk.integrations.smtp import client

    contact(office, first_name="Jonas", last_name="Weber", emails=[{"value": "jonas@example.com"}])
    real_send = client.message_send

    def send_then_die(message: Any, *, mailer: Any) -> float:
        real_send(message, mailer=mailer)
        raise SystemExit("Stromausfall")

    monkeypatch.setattr(client, "message_send", send_then_die)
    with pytest.raises(SystemExit):
        _inquiry(office, agent, "jonas@example.com")
    monkeypatch.setattr(client, "message_send", real_send)
    inquiry = Inquiry.objects.get()
    assert OfferRecipient.objects.get(offer=inquiry.expose_offer).status == "sending"
    Inquiry.objects.filter(pk=inquiry.pk).update(status="aborted", expose_claimed_at=None)
    inquiry.refresh_from_db()

    inquiry = inquiry_retry(inquiry=inquiry, acting_user=agent)

    assert inquiry.status == "aborted"
    assert "Der Exposé-Versand wurde schon begonnen" in inquiry.reason
    assert len(smtp_sink.messages) == 1


def test_the_double_opt_in_mail_uses_the_office_text_and_adds_a_missing_link(
    office: Any, agent: Any, properties: Any, smtp_sink: Any
) -> None:
    templates_ensure_defaults(office)
    MailTemplate.objects.filter(office=office, key="double_opt_in").update(
        subject="Ihre Anfrage bei {{ buero.name }}",
        body="Hallo {{ kontakt.vorname }} {{ kontakt.nachname }} ({{ kontakt.email }}),\nbitte bestätigen.",
    )

    inquiry = _inquiry(office, agent, "neu@example.org")

    assert inquiry.status == "waiting_for_confirmation"
    [mail] = smtp_sink.parsed()
    assert mail["Subject"] == f"Ihre Anfrage bei {office.name}"
    body = text_of(mail)
    assert body.startswith("Hallo Jonas Weber (neu@example.org),\nbitte bestätigen.\n\nhttp")
    assert "(Der Link ist 7 Tage gültig.)" in body
    assert len(links_in(body)) == 1
    stored = OutgoingMail.objects.get(to_email__contains="neu@example.org")
    assert (
        stored.template is not None
        and stored.template.key == "double_opt_in"
        and stored.property_id == properties["MW-1001"].pk
    )


def test_a_double_opt_in_template_with_personal_links_stops_with_a_reason(
    office: Any, agent: Any, properties: Any, smtp_sink: Any
) -> None:
    templates_ensure_defaults(office)
    MailTemplate.objects.filter(office=office, key="double_opt_in").update(
        body="{{ links.bestaetigung }}\n{{ links.dokumente }}"
    )

    inquiry = _inquiry(office, agent, "neu@example.org")

    assert inquiry.status == "aborted"
    assert "{{ links.dokumente }}; diese Links gibt es erst nach der Bestätigung" in inquiry.reason
    assert smtp_sink.messages == []


def test_the_inquiry_exposé_carries_the_documents_anyone_may_have_like_an_offer(
    office: Any, agent: Any, properties: Any, smtp_sink: Any
) -> None:
    """GIVEN a property with a floor plan anyone may have and a protected land-register extract
    WHEN a known prospect's inquiry sends the exposé THEN the mail carries the exposé and the floor plan
    (as an offer with that document would), the protected extract stays behind its personal link."""
    from django.core.files.base import ContentFile

    from maklerwerk.properties.models import PropertyDocument

    prop = properties["MW-1001"]
    for title, kind, protected in (("Grundriss", "floor_plan", False), ("Grundbuch", "land_register", True)):
        doc = PropertyDocument(property=prop, title=title, kind=kind, protected=protected)
        doc.file.save(f"{title.lower()}.pdf", ContentFile(b"%PDF-1.4 " + title.encode()), save=True)
    contact(office, first_name="Jonas", last_name="Weber", emails=[{"value": "jonas@example.com"}])

    inquiry = _inquiry(office, agent, "jonas@example.com")

    assert inquiry.status == "completed"
    [mail] = smtp_sink.parsed()
    names = [part.get_filename() for part in mail.iter_attachments()]
    assert len(names) == 2 and names[0].endswith(".pdf") and names[1] == "grundriss.pdf"
    assert pdfs_of(mail)[1] == b"%PDF-1.4 Grundriss"
    stored = OutgoingMail.objects.get()
    assert [a["name"] for a in stored.attachments] == names
