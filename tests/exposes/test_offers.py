"""The offer process over a real SMTP server: individual mails, activities, status, failures, retry."""

from __future__ import annotations

import asyncio
import email
import email.policy
import subprocess
from typing import Any

import pytest

from maklerwerk.core.models import Activity, Job
from maklerwerk.exposes import services
from maklerwerk.exposes.models import OfferRecipient
from maklerwerk.properties.models import PropertyContact
from tests.conftest import mail_template
from tests.mailing.conftest import make_contact

pytestmark = pytest.mark.django_db


def start(offer: Any, agent: Any, capture: Any) -> Job:
    with capture(execute=True):
        job = services.offer_send_start(offer=offer, acting_user=agent)
    job.refresh_from_db()
    return job


def new_offer(agent: Any, contacts: list[Any], props: list[Any], **kw: Any) -> Any:
    return services.offer_create(
        office=agent.office,
        acting_user=agent,
        contacts=contacts,
        properties=props,
        mail_template=mail_template(agent, "expose"),
        **kw,
    )


def pdf_pages(content: bytes, tmp_path: Any) -> int:
    path = tmp_path / "a.pdf"
    path.write_bytes(content)
    out = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return int(next(line.split(":")[1] for line in out.splitlines() if line.startswith("Pages")))


def test_it_sends_one_individual_mail_per_recipient_with_the_exposé(
    smtp_sink: Any,
    agent: Any,
    prop_with_images: Any,
    recipients: list[Any],
    tmp_path: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    offer = new_offer(agent, recipients, [prop_with_images])
    job = start(offer, agent, django_capture_on_commit_callbacks)
    assert job.state == Job.State.SUCCEEDED and job.result["sent"] == 3
    assert job.message == "3 Mails versendet"
    assert sorted(m.rcpt_tos[0] for m in smtp_sink.messages) == [
        "anna@example.org",
        "bernd@example.org",
        "clara@example.org",
    ]
    for envelope in smtp_sink.messages:
        assert len(envelope.rcpt_tos) == 1  # never a list of recipients
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert "," not in str(msg["To"]) and msg["Cc"] is None and msg["Bcc"] is None
        assert msg["Reply-To"].addresses[0].addr_spec == "max.makler@testbuero.example"
        pdf = next(msg.iter_attachments())
        assert pdf.get_filename() == "Exposé w-2024-017.pdf"
        assert pdf.get_content().startswith(b"%PDF") and pdf_pages(pdf.get_content(), tmp_path) >= 3
    bernd = email.message_from_bytes(
        next(m for m in smtp_sink.messages if m.rcpt_tos == ["bernd@example.org"]).content,
        policy=email.policy.default,
    )
    assert "Sehr geehrter Herr Öztürk," in bernd.get_body(("plain",)).get_content()  # type: ignore[union-attr]  # plain
    assert bernd["To"].addresses[0].display_name == "Bernd Öztürk"
    # activity on contact and property with content and attachments, status "exposé sent"
    activities = Activity.objects.filter(type="expose_sent", property=prop_with_images)
    assert activities.count() == 3
    a = activities.get(contact=recipients[1])
    assert a.payload["message_id"] == bernd["Message-ID"]
    assert a.payload["attachments"][0]["name"] == "Exposé w-2024-017.pdf"
    assert "Sehr geehrter Herr Öztürk" in a.payload["text"]
    statuses = PropertyContact.objects.filter(property=prop_with_images, role="prospect")
    assert sorted(statuses.values_list("interest_status", flat=True)) == ["expose_sent"] * 3


def test_recipients_without_email_or_consent_are_listed_and_skipped(
    smtp_sink: Any, agent: Any, prop: Any, office: Any, django_capture_on_commit_callbacks: Any
) -> None:
    import datetime as dt

    from maklerwerk.privacy.consent import consent_record

    ok = make_contact(office, email="ok@example.org", last_name="Gut")
    no_mail = make_contact(office, email=None, last_name="Ohnemail")
    withdrawn = make_contact(office, email="nein@example.org", last_name="Widerruf")
    # The consent records decide (privacy's one gate), not the contact's old yes/no field.
    record = consent_record(
        contact=withdrawn, purpose="newsletter", status="withdrawn", channel="mail", acting_user=agent
    )
    record.recorded_at = dt.datetime(2024, 1, 5, 10, tzinfo=dt.UTC)
    record.save()
    offer = new_offer(agent, [ok, no_mail, withdrawn], [prop])
    rows = {r.contact_id: r for r in offer.recipients.all()}
    assert rows[no_mail.pk].status == "skipped" and rows[no_mail.pk].reason == "keine E-Mail-Adresse"
    assert rows[withdrawn.pk].status == "skipped"
    assert rows[withdrawn.pk].reason == "Werbeeinwilligung widerrufen am 05.01.2024"
    job = start(offer, agent, django_capture_on_commit_callbacks)
    assert job.result["sent"] == 1
    assert [m.rcpt_tos for m in smtp_sink.messages] == [["ok@example.org"]]
    # An offer is marketing: it carries the one-click unsubscribe.
    sent = smtp_sink.parsed()[0]
    assert sent["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "/privacy/unsubscribe/" in sent["List-Unsubscribe"]


def test_a_refused_recipient_fails_with_reason_and_a_retry_sends_only_the_missing_one(
    smtp_sink: Any, agent: Any, prop: Any, recipients: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    smtp_sink.refuse.add("bernd@example.org")
    offer = new_offer(agent, recipients, [prop])
    job = start(offer, agent, django_capture_on_commit_callbacks)
    assert job.result["sent"] == 2 and job.result["failed"] == 1
    failed = offer.recipients.get(status="failed")
    assert failed.contact == recipients[1]
    assert failed.reason == (
        "Der Mailserver hat diesen Empfänger abgelehnt (dauerhaft): 550 5.1.1 mailbox unavailable"
    )
    assert len(smtp_sink.messages) == 2
    smtp_sink.refuse.clear()
    job = start(offer, agent, django_capture_on_commit_callbacks)
    assert job.result["sent"] == 1
    assert len(smtp_sink.messages) == 3 and smtp_sink.messages[-1].rcpt_tos == ["bernd@example.org"]
    assert offer.recipients.filter(status="sent").count() == 3
    assert Activity.objects.filter(type="expose_sent").count() == 3
    with pytest.raises(Exception, match="niemand"):
        services.offer_send_start(offer=offer, acting_user=agent)


def test_a_claimed_recipient_is_never_sent_twice(
    smtp_sink: Any, agent: Any, prop: Any, recipients: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    """GIVEN a recipient another worker already claimed (or a worker died after the server accepted)
    WHEN the offer is sent again THEN that recipient gets no second mail."""
    offer = new_offer(agent, recipients, [prop])
    first = offer.recipients.order_by("pk").first()
    assert services.recipient_claim(first.pk)
    assert not services.recipient_claim(first.pk)
    start(offer, agent, django_capture_on_commit_callbacks)
    assert sorted(m.rcpt_tos[0] for m in smtp_sink.messages) == ["bernd@example.org", "clara@example.org"]
    assert OfferRecipient.objects.get(pk=first.pk).status == "sending"


class FlakySink:
    """An SMTP server that hangs on or drops the connection for some recipients."""

    def __init__(self) -> None:
        self.messages: list[Any] = []
        self.hang: set[str] = set()
        self.drop: set[str] = set()

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address in self.hang:
            await asyncio.sleep(3)
        if address in self.drop:
            server.transport.close()
            return "421 closing"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def flaky(settings: Any) -> Any:
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sink = FlakySink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "maklerwerk.integrations.smtp.backend.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 1},
        }
    }
    yield sink
    controller.stop()


def test_timeouts_and_dropped_connections_fail_per_recipient_and_the_rest_still_goes_out(
    flaky: Any, agent: Any, prop: Any, recipients: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    flaky.hang.add("anna@example.org")
    flaky.drop.add("bernd@example.org")
    offer = new_offer(agent, recipients, [prop])
    job = start(offer, agent, django_capture_on_commit_callbacks)
    assert job.result == {**job.result, "sent": 1, "failed": 2}
    reasons = {r.email: r.reason for r in offer.recipients.filter(status="failed")}
    assert (
        reasons["anna@example.org"] == "Der Mailserver hat nicht rechtzeitig geantwortet (erneut versuchen)"
    )
    assert reasons["bernd@example.org"].startswith(
        "Der Mailserver hat die Verbindung getrennt (erneut versuchen)"
    )
    assert [m.rcpt_tos for m in flaky.messages] == [["clara@example.org"]]
    flaky.hang.clear()
    flaky.drop.clear()
    start(offer, agent, django_capture_on_commit_callbacks)
    assert sorted(m.rcpt_tos[0] for m in flaky.messages) == [
        "anna@example.org",
        "bernd@example.org",
        "clara@example.org",
    ]


def test_an_offer_from_a_contact_sends_one_mail_per_property(
    smtp_sink: Any, agent: Any, contact: Any, prop: Any, office: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from maklerwerk.properties.models import Property

    second = Property.objects.create(
        office=office, external_id="H-9", title="Reihenhaus", responsible_agent=agent
    )
    offer = new_offer(agent, [contact], [prop, second], attach_expose=False)
    start(offer, agent, django_capture_on_commit_callbacks)
    subjects = sorted(
        email.message_from_bytes(m.content, policy=email.policy.default)["Subject"]
        for m in smtp_sink.messages
    )
    assert subjects == ["Ihr Exposé: Helle Wohnung am Rheinufer (W-2024-017)", "Ihr Exposé: Reihenhaus (H-9)"]


def test_another_offices_contact_is_refused(agent: Any, prop: Any, other_office: Any) -> None:
    stranger = make_contact(other_office, email="x@example.org", last_name="Fremd")
    with pytest.raises(Exception, match="Unbekannt"):
        new_offer(agent, [stranger], [prop])


def test_the_documents_template_sends_each_recipient_a_personal_share_link(
    smtp_sink: Any, agent: Any, prop: Any, recipients: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    from maklerwerk.sharing.models import ShareLink

    offer = services.offer_create(
        office=agent.office,
        acting_user=agent,
        contacts=recipients[:2],
        properties=[prop],
        mail_template=mail_template(agent, "expose_documents"),
        attach_expose=False,
    )
    start(offer, agent, django_capture_on_commit_callbacks)
    bodies = {
        m.rcpt_tos[0]: email.message_from_bytes(m.content, policy=email.policy.default)  # type: ignore[union-attr]  # plain
        .get_body(("plain",))
        .get_content()
        for m in smtp_sink.messages
    }
    links = ShareLink.objects.filter(property=prop)
    assert links.count() == 2
    urls = [line for body in bodies.values() for line in body.splitlines() if "/sharing/d/" in line]
    assert len(urls) == 2 and urls[0] != urls[1]
    activity = Activity.objects.get(type="expose_sent", contact=recipients[0])
    assert activity.payload["links"][0]["kind"] == "share_link"
