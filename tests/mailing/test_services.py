"""Templates (validation, defaults), rendering for a recipient, and sending over a real SMTP server."""

from __future__ import annotations

import email
import email.policy
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.integrations.smtp.client import SmtpError
from maklerwerk.mailing import selectors, sending, services
from maklerwerk.mailing.models import MailTemplate, OutgoingMail
from maklerwerk.mailing.placeholders import MailContext

pytestmark = pytest.mark.django_db


def test_it_creates_the_german_default_templates_once(agent: Any) -> None:
    names = set(selectors.template_list(user=agent).values_list("name", flat=True))
    assert names == {
        "Exposé-Versand",
        "Exposé-Versand mit Dokumentenfreigabe",
        "Anfrage-Bestätigung (Double-Opt-in)",
        "Zugang freigeschaltet",
        "Dokumentenfreigabe per E-Mail",
        "Rundgang: Zugriff gestattet",
        # the appointment mails (appointments/invitations.py)
        "Besichtigung: Buchungslink",
        "Termin: Einladung",
        "Termin: Änderung",
        "Termin: Absage",
        "Termin: Erinnerung an Kontakte",
        "Termin: Erinnerung an Makler",
        "Termine: Tagesübersicht",
        "Besichtigung: Anfrage erhalten",
        "Besichtigung: Anfrage abgelehnt",
        "Besichtigung: Anfrage an Makler",
        "Besichtigung: vom Interessenten abgesagt",
        "Besichtigung: vom Interessenten verschoben",
    }
    assert selectors.template_list(user=agent).count() == 18
    for t in MailTemplate.objects.filter(office=agent.office):
        assert services.template_check(subject=t.subject, body=t.body) == []


def test_it_rejects_a_template_with_an_unknown_field_with_line_and_reason(agent: Any) -> None:
    with pytest.raises(ValidationError) as info:
        services.template_create(
            office=agent.office,
            acting_user=agent,
            name="Kaputt",
            subject="Hallo",
            body="Zeile 1\n{{ objekt.farbe }}",
        )
    assert info.value.message_dict["body"] == ["Zeile 2: Unbekanntes Feld „objekt.farbe“."]
    assert not MailTemplate.objects.filter(name="Kaputt").exists()


def test_it_renders_a_mail_for_a_recipient_with_escaped_html(agent: Any, contact: Any, prop: Any) -> None:
    contact.last_name = "<Müller & Söhne>"
    contact.save()
    ctx = MailContext(office=agent.office, acting_user=agent, contact=contact, prop=prop)
    rendered = services.mail_render(
        subject="Exposé {{ objekt.kennung }}",
        body="{{ kontakt.briefanrede }},\n\nPreis: {{ objekt.preis }}",
        ctx=ctx,
    )
    assert rendered.subject == "Exposé W-2024-017"
    assert rendered.text == "Sehr geehrter Herr Dr. <Müller & Söhne>,\n\nPreis: 450.000 €"
    assert "&lt;Müller &amp; Söhne&gt;" in rendered.html and "<Müller" not in rendered.html


def test_a_field_without_value_is_an_error_not_a_blank(agent: Any, contact: Any) -> None:
    ctx = MailContext(office=agent.office, acting_user=agent, contact=contact)
    with pytest.raises(ApplicationError) as info:
        services.mail_render(subject="x", body="{{ objekt.titel }}", ctx=ctx)
    assert "objekt.titel" in info.value.message
    # inside "if" a missing value just means "leave it out"
    rendered = services.mail_render(
        subject="x", body="A{% if objekt.titel %}{{ objekt.titel }}{% endif %}B", ctx=ctx
    )
    assert rendered.text == "AB"


def test_it_sends_a_proper_mime_mail_over_smtp_and_stores_the_message_id(
    smtp_sink: Any, agent: Any, contact: Any, prop: Any
) -> None:
    template = selectors.template_by_key(user=agent, key="expose")
    ctx = MailContext(office=agent.office, acting_user=agent, contact=contact, prop=prop)
    pdf = services.Attachment("Exposé W-2024-017.pdf", b"%PDF-1.7\n%fake\n", "application/pdf")
    sent = sending.mail_send(
        office=agent.office,
        acting_user=agent,
        template=template,
        to_email="juergen.mueller@example.org",
        ctx=ctx,
        attachments=[pdf],
    )
    assert len(smtp_sink.messages) == 1
    envelope = smtp_sink.messages[0]
    assert envelope.rcpt_tos == ["juergen.mueller@example.org"]
    msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert msg["Subject"] == "Ihr Exposé: Helle Wohnung am Rheinufer (W-2024-017)"
    assert msg["To"].addresses[0].display_name == "Dr. Jürgen Müller"
    assert msg["To"].addresses[0].addr_spec == "juergen.mueller@example.org"
    assert msg["Reply-To"] == "Max Makler <max.makler@testbuero.example>"
    assert msg["From"].addresses[0].display_name == "Max Makler | Testbüro Immobilien GmbH"
    assert b"=?utf-8?" in envelope.content.split(b"\r\n\r\n", 1)[0]  # umlauts encoded in the headers
    assert msg["Message-ID"] == sent.message_id and OutgoingMail.objects.get().message_id == sent.message_id
    plain_part, html_part = msg.get_body(("plain",)), msg.get_body(("html",))
    assert plain_part is not None and html_part is not None
    text, html = plain_part.get_content(), html_part.get_content()
    assert "Sehr geehrter Herr Dr. Müller," in text and "Preis: 450.000 €" in text
    assert "Sehr geehrter Herr Dr. Müller," in html
    attachment = next(msg.iter_attachments())
    assert attachment.get_filename() == "Exposé W-2024-017.pdf"
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content().startswith(b"%PDF")
    assert sent.attachments[0]["name"] == "Exposé W-2024-017.pdf"


def test_a_refused_recipient_is_a_permanent_smtp_error(
    smtp_sink: Any, agent: Any, contact: Any, prop: Any
) -> None:
    smtp_sink.refuse.add("juergen.mueller@example.org")
    template = selectors.template_by_key(user=agent, key="expose")
    ctx = MailContext(office=agent.office, acting_user=agent, contact=contact, prop=prop)
    with pytest.raises(SmtpError) as info:
        sending.mail_send(
            office=agent.office,
            acting_user=agent,
            template=template,
            to_email="juergen.mueller@example.org",
            ctx=ctx,
        )
    assert info.value.permanent and info.value.code == 550
    assert "mailbox unavailable" in info.value.message
    assert not OutgoingMail.objects.exists()


def test_a_server_that_does_not_listen_is_a_temporary_error(
    settings: Any, agent: Any, contact: Any, prop: Any
) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings.MAILERS = {
        "default": {
            "BACKEND": "maklerwerk.integrations.smtp.backend.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 2},
        }
    }
    template = selectors.template_by_key(user=agent, key="expose")
    ctx = MailContext(office=agent.office, acting_user=agent, contact=contact, prop=prop)
    with pytest.raises(SmtpError) as info:
        sending.mail_send(
            office=agent.office, acting_user=agent, template=template, to_email="a@example.org", ctx=ctx
        )
    assert not info.value.permanent
    assert info.value.kind == "connection_refused"


@pytest.mark.parametrize(
    ("first", "last", "company", "office_name"),
    [
        ("Hans", "Müller", "Müller, Hans & Söhne Immobilienverwaltung GmbH & Co. KG",
         "Mustermann Immobilien GmbH & Co. KG, Niederlassung Koeln-Suedstadt"),
        ("Hans-Joachim", "Mustermann", "Mustermann, Hans-Joachim Hausverwaltung \"Rheinblick\"",
         "Testbüro Immobilien GmbH, Niederlassung Köln-Südstadt am Rhein"),
    ],
)  # fmt: skip
def test_long_display_names_with_commas_survive_folding(
    smtp_sink: Any, agent: Any, prop: Any, first: str, last: str, company: str, office_name: str
) -> None:
    from tests.mailing.conftest import make_contact

    agent.office.name = office_name
    agent.office.save()
    contact = make_contact(
        agent.office, email="hans@example.org", first_name=first, last_name=last, company_name=company
    )
    template = selectors.template_by_key(user=agent, key="expose")
    ctx = MailContext(office=agent.office, acting_user=agent, contact=contact, prop=prop)
    sending.mail_send(
        office=agent.office, acting_user=agent, template=template, to_email="hans@example.org", ctx=ctx
    )
    msg = smtp_sink.parsed()[0]
    to = msg["To"].addresses
    assert [(a.display_name, a.addr_spec) for a in to] == [
        (f"{first} {last} ({company})", "hans@example.org")
    ]
    sender = msg["From"].addresses
    assert [a.display_name for a in sender] == [f"Max Makler | {office_name}"]
    assert [a.addr_spec for a in msg["Reply-To"].addresses] == ["max.makler@testbuero.example"]
    head = smtp_sink.messages[0].content.split(b"\r\n\r\n", 1)[0]
    assert max(len(line) for line in head.split(b"\r\n")) <= 78  # folded, as RFC 5322 asks


def test_the_expose_mail_signs_off_once_when_the_office_signature_has_a_closing(
    agent: Any, contact: Any, prop: Any
) -> None:
    # The demo office's signature starts with the same closing as the template ("Mit freundlichen Grüßen").
    agent.office.email_signature = "Mit freundlichen Grüßen\n\nIhr Team der Musterimmobilien Rhein-Main GmbH"
    agent.office.save()
    template = selectors.template_list(user=agent).get(key="expose")
    ctx = MailContext(office=agent.office, acting_user=agent, contact=contact, prop=prop)
    rendered = services.mail_render(subject=template.subject, body=template.body, ctx=ctx)
    assert rendered.text.count("Mit freundlichen Grüßen") == 1
    assert rendered.html.count("Mit freundlichen Grüßen") == 1
    assert rendered.text.rstrip().endswith("Ihr Team der Musterimmobilien Rhein-Main GmbH")
    # A template without its own closing keeps the signature's.
    alone = services.mail_render(subject="x", body="Danke.\n\n{{ buero.signatur }}", ctx=ctx)
    assert "Mit freundlichen Grüßen" in alone.text
