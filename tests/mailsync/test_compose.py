"""Writing a mail from a contact: template, property, attachments; one activity, in Sent once."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from maklerwerk.core.models import Activity
from maklerwerk.mailing.models import MailTemplate, OutgoingMail
from maklerwerk.mailsync.sync import account_sync
from tests.inquiries.conftest import make_property
from tests.mailsync.conftest import connect, person

pytestmark = pytest.mark.django_db


def test_a_mail_written_from_the_contact_is_sent_recorded_and_archived_once(
    office: Any, agent: Any, agent_client: Any, new_mailbox: Any, smtp_sink: Any
) -> None:
    kunde = person(office, "kunde@example.org")
    wohnung = make_property(office, agent, "MW-1001")
    template = MailTemplate.objects.create(
        office=office, name="Nachfassen", subject="Ihre Anfrage zu {{ objekt.kennung }}",
        body="{{ kontakt.briefanrede }},\nwie gefällt Ihnen die Wohnung?",
    )  # fmt: skip
    account = connect(agent, new_mailbox())
    url = f"/mailsync/compose/{kunde.pk}/"
    contact_page = agent_client.get(f"/contacts/{kunde.pk}/").content.decode()
    assert url in contact_page
    loaded = agent_client.post(url, {"template": template.pk, "property": wohnung.pk, "load": "1"})
    assert "Ihre Anfrage zu {{ objekt.kennung }}" in loaded.content.decode()
    sent = agent_client.post(
        url,
        {
            "to": "kunde@example.org", "property": wohnung.pk, "template": template.pk,
            "subject": template.subject, "body": template.body,
            "attachments": [SimpleUploadedFile("grundriss.pdf", b"%PDF grundriss", "application/pdf")],
        },
    )  # fmt: skip
    assert sent.status_code == 302, sent.content.decode()[:2000]
    [message] = smtp_sink.parsed()
    assert message["Subject"] == "Ihre Anfrage zu MW-1001"
    assert [p.get_filename() for p in message.iter_attachments()] == ["grundriss.pdf"]
    mail = OutgoingMail.objects.get()
    assert (mail.contact_id, mail.property_id) == (kunde.pk, wohnung.pk)
    activity = Activity.objects.get(type=Activity.Type.EMAIL_SENT)
    assert activity.property_id == wohnung.pk
    for _ in range(3):
        assert account_sync(account).archived == 0
    assert Activity.objects.filter(type=Activity.Type.EMAIL_SENT).count() == 1


def test_an_address_that_is_not_the_contacts_is_refused(
    office: Any, agent_client: Any, smtp_sink: Any
) -> None:
    kunde = person(office, "kunde@example.org")
    response = agent_client.post(
        f"/mailsync/compose/{kunde.pk}/", {"to": "fremd@example.org", "subject": "Hallo", "body": "Text"}
    )
    assert "Bitte eine der E-Mail-Adressen des Kontakts wählen." in response.content.decode()
    assert not smtp_sink.messages and not OutgoingMail.objects.exists()
