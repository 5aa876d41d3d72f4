"""One way to send a mail: every path leaves through `mailing.sending`, over the sender's own SMTP
account where set, and leaves a stored mail and an activity (real aiosmtpd servers)."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest

import maklerwerk
from maklerwerk.core.models import Activity
from maklerwerk.inquiries.models import ProcessInstance, ProcessStepRun
from maklerwerk.inquiries.processes import definition_create, run_next_step
from maklerwerk.mailing.models import MailTemplate, OutgoingMail
from maklerwerk.mailing.services import template_update
from maklerwerk.sharing.services import share_link_create, share_link_send_email, share_link_token
from tests.mailing.conftest import use_own_server

pytestmark = pytest.mark.django_db

SRC = Path(maklerwerk.__file__).resolve().parent
ALLOWED = (SRC / "mailing", SRC / "integrations" / "smtp")
MAIL_NAMES = {"send_mail", "send_mass_mail", "mail_admins", "mail_managers", "EmailMessage",
              "EmailMultiAlternatives", "get_connection", "mailers"}  # fmt: skip


def _mail_code(source: str) -> list[str]:
    """Where `source` builds or sends a mail itself: Django's mail API or smtplib (strings don't count:
    "send_mail" is also the name of a process step kind)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
            ("django.core.mail", "smtplib")
        ):
            found.append(f"line {node.lineno}: from {node.module} import …")
        elif isinstance(node, ast.Import):
            found += [f"line {node.lineno}: import {a.name}" for a in node.names
                      if a.name.startswith(("django.core.mail", "smtplib"))]  # fmt: skip
        elif isinstance(node, ast.Name) and node.id in MAIL_NAMES:
            found.append(f"line {node.lineno}: {node.id}")
        elif isinstance(node, ast.Attribute) and node.attr in MAIL_NAMES:
            found.append(f"line {node.lineno}: .{node.attr}")
    return found


def test_the_check_finds_mail_code_and_ignores_the_step_kind() -> None:
    assert _mail_code("from django.core.mail import send_mail\nsend_mail('a', 'b', None, ['c'])")
    assert _mail_code("import django.core.mail\ndjango.core.mail.EmailMessage()")
    assert _mail_code("import smtplib")
    assert _mail_code("kind = 'send_mail'\nSEND_MAIL = 'send_mail'") == []


def test_no_mail_leaves_outside_mailing_and_the_smtp_adapter() -> None:
    offenders = {}
    for path in sorted(SRC.rglob("*.py")):
        if "migrations" in path.parts or any(path.is_relative_to(a) for a in ALLOWED):
            continue
        found = _mail_code(path.read_text(encoding="utf-8"))
        if found:
            offenders[str(path.relative_to(SRC))] = found
    assert offenders == {}, "send mail through maklerwerk.mailing.sending, not directly"


# --- share-link mails ------------------------------------------------------------------------------


@pytest.fixture
def link(agent: Any, prop: Any, contact: Any) -> Any:
    return share_link_create(office=agent.office, contact=contact, property=prop, acting_user=agent)


def test_the_share_link_mail_leaves_over_the_agents_own_server_and_is_recorded(
    own_server: Any, smtp_sink: Any, agent: Any, link: Any
) -> None:
    use_own_server(agent, own_server)

    assert share_link_send_email(link=link, acting_user=agent) == "juergen.mueller@example.org"

    assert smtp_sink.messages == []  # not over the office's server
    [mail] = own_server.parsed()
    assert mail["Subject"] == "Ihre Unterlagen zu Helle Wohnung am Rheinufer"
    text = mail.get_body(("plain",)).get_content()
    assert text.startswith("Sehr geehrter Herr Dr. Müller,")
    assert share_link_token(link) in text
    expires = link.expires_at.astimezone().strftime("%d.%m.%Y")
    assert f"gültig bis {expires}" in text
    stored = OutgoingMail.objects.get()
    assert (stored.contact_id, stored.property_id) == (link.contact_id, link.property_id)
    assert (
        stored.template is not None
        and stored.template.key == "share_link"
        and stored.message_id == mail["Message-ID"]
    )
    activity = Activity.objects.get(type="email_sent", contact=link.contact)
    assert activity.subject == mail["Subject"] and activity.property_id == link.property_id
    assert activity.payload["outgoing_mail_id"] == stored.pk and activity.payload["share_link_id"] == link.pk


def test_the_office_edits_the_share_link_mail_and_the_next_one_says_so(
    smtp_sink: Any, agent: Any, link: Any
) -> None:
    share_link_send_email(link=link, acting_user=agent)  # the shipped default
    template = MailTemplate.objects.get(office=agent.office, key="share_link")
    template_update(
        template=template,
        acting_user=agent,
        data={
            "subject": "Unterlagen {{ objekt.kennung }}",
            "body": "Hallo {{ kontakt.vorname }}, bitte schön.",
        },
    )

    share_link_send_email(link=link, acting_user=agent)

    first, second = smtp_sink.parsed()
    assert first["Subject"] == "Ihre Unterlagen zu Helle Wohnung am Rheinufer"
    assert second["Subject"] == "Unterlagen W-2024-017"
    text = second.get_body(("plain",)).get_content()
    # The office's text; the link it left out goes below, or the mail would be pointless.
    assert text.startswith("Hallo Jürgen, bitte schön.")
    assert share_link_token(link) in text


def test_a_share_link_template_with_a_field_without_value_sends_nothing_and_says_why(
    smtp_sink: Any, agent: Any, link: Any
) -> None:
    from maklerwerk.core.exceptions import ApplicationError

    MailTemplate.objects.filter(office=agent.office, key="share_link").delete()
    MailTemplate.objects.create(  # the confirmation link exists only in the inquiry manager's mail
        office=agent.office, key="share_link", name="Link", subject="Link", body="{{ links.bestaetigung }}"
    )

    with pytest.raises(ApplicationError, match=r"links\.bestaetigung"):
        share_link_send_email(link=link, acting_user=agent)

    assert smtp_sink.messages == [] and not OutgoingMail.objects.exists()
    assert not Activity.objects.filter(type="email_sent").exists()


# --- process-step mails ----------------------------------------------------------------------------


def _mail_process(agent: Any, contact: Any, prop: Any, subject: str, body: str) -> ProcessInstance:
    definition = definition_create(
        office=agent.office,
        acting_user=agent,
        data={"name": "Nachfassen", "trigger": "expose_sent",
              "steps": [{"kind": "send_mail", "params": {"subject": subject, "body": body}}]},
    )  # fmt: skip
    return ProcessInstance.objects.create(
        office=agent.office, definition=definition, contact=contact, property=prop
    )


def test_a_process_mail_leaves_over_the_responsible_agents_own_server_and_is_recorded(
    own_server: Any, smtp_sink: Any, agent: Any, contact: Any, prop: Any
) -> None:
    use_own_server(agent, own_server)  # the property's responsible agent
    instance = _mail_process(
        agent,
        contact,
        prop,
        "Noch Fragen zu {{ objekt.titel }}?",
        "{{ kontakt.briefanrede }},\n\nwie gefällt es Ihnen?",
    )

    assert run_next_step(instance_id=instance.pk) is True

    assert smtp_sink.messages == []
    [mail] = own_server.parsed()
    assert mail["Subject"] == "Noch Fragen zu Helle Wohnung am Rheinufer?"
    assert mail["From"].addresses[0].display_name == "Max Makler | Testbüro Immobilien GmbH"
    text = mail.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert text.startswith("Sehr geehrter Herr Dr. Müller,\n\nwie gefällt")
    run = ProcessStepRun.objects.get(instance=instance)
    assert run.ok and run.result == "E-Mail an juergen.mueller@example.org gesendet"
    stored = OutgoingMail.objects.get()
    assert (stored.contact, stored.property, stored.message_id) == (contact, prop, mail["Message-ID"])
    activity = Activity.objects.get(type="email_sent", contact=contact)
    assert activity.subject == "Noch Fragen zu Helle Wohnung am Rheinufer?"
    assert activity.payload["process_instance_id"] == instance.pk


def test_a_process_mail_with_a_field_without_value_fails_with_the_reason(
    smtp_sink: Any, agent: Any, contact: Any
) -> None:
    instance = _mail_process(agent, contact, None, "Zu {{ objekt.titel }}", "Hallo")

    assert run_next_step(instance_id=instance.pk) is True

    assert smtp_sink.messages == [] and not OutgoingMail.objects.exists()
    run = ProcessStepRun.objects.get(instance=instance)
    assert not run.ok and "objekt.titel" in run.result and run.result.startswith("E-Mail fehlgeschlagen")
    instance.refresh_from_db()
    assert instance.status == "failed"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"subject": "Hallo {contact}", "body": "x"},
         "Schritt 1: Betreff: „{contact}“ gibt es nicht mehr, bitte „{{ kontakt.name }}“ schreiben."),
        ({"subject": "Hallo", "body": "Zu {{ objekt.farbe }}"},
         "Schritt 1: Text: Zeile 1: Unbekanntes Feld „objekt.farbe“."),
    ],
)  # fmt: skip
def test_a_process_text_in_the_old_syntax_or_with_an_unknown_field_is_refused(
    agent: Any, params: dict[str, str], message: str
) -> None:
    from maklerwerk.core.exceptions import ApplicationError

    with pytest.raises(ApplicationError) as info:
        definition_create(
            office=agent.office,
            acting_user=agent,
            data={"name": "X", "trigger": "expose_sent", "steps": [{"kind": "send_mail", "params": params}]},
        )
    assert info.value.message == message


def test_the_double_opt_in_mail_is_recorded_as_a_sent_mail(smtp_sink: Any, agent: Any, prop: Any) -> None:
    from maklerwerk.inquiries.models import Inquiry
    from maklerwerk.inquiries.sending import send_confirmation

    inquiry = Inquiry.objects.create(
        office=agent.office, email="neu@example.org", last_name="Neumann", property=prop, assigned_to=agent
    )
    send_confirmation(inquiry=inquiry, url="https://crm.example/inquiries/confirm/abc/", valid_days=7)

    [mail] = smtp_sink.parsed()
    assert mail["Auto-Submitted"] == "auto-generated" and mail["X-Maklerwerk-Inquiry"] == str(inquiry.pk)
    stored = OutgoingMail.objects.get()
    assert (
        stored.template is not None
        and stored.template.key == "double_opt_in"
        and stored.message_id == mail["Message-ID"]
    )
    assert "https://crm.example/inquiries/confirm/abc/" in stored.body_text
    # The prospect is no contact yet; the inquiry manager notes the step (and its activity) itself.
    assert stored.contact_id is None and stored.property_id == prop.pk
