"""Connecting a mailbox once; mails sent from Maklerwerk land in Sent and stay one activity."""

from __future__ import annotations

from typing import Any

import pytest

from maklerwerk.core.exceptions import ConflictError
from maklerwerk.core.models import Activity, ChangeLog
from maklerwerk.integrations.imap.client import ImapClient
from maklerwerk.mailing import sending
from maklerwerk.mailing.placeholders import MailContext
from maklerwerk.mailsync.models import MailAccount
from maklerwerk.mailsync.sync import account_sync
from tests.conftest import make_user
from tests.mailsync.conftest import connect, imap_for, person
from tests.mailsync.test_archive import three_times

pytestmark = pytest.mark.django_db


def test_the_password_is_stored_encrypted_and_never_in_the_history(agent: Any, new_mailbox: Any) -> None:
    account = connect(agent, new_mailbox())
    assert "geheim" not in account.password_encrypted and account.get_password() == "geheim"
    log = ChangeLog.objects.filter(object_id=str(account.pk), content_type__model="mailaccount").get()
    assert log.changes and "password_encrypted" not in str(log.changes)


def test_a_mailbox_is_connected_once(office: Any, agent: Any, new_mailbox: Any) -> None:
    from maklerwerk.inquiries.services import mailbox_create

    box = new_mailbox()
    connect(agent, box)
    with pytest.raises(ConflictError) as mine:
        connect(agent, {**box, "username": box["username"].upper()})
    assert str(mine.value.message) == "Sie haben dieses Postfach bereits verbunden."
    with pytest.raises(ConflictError) as other:
        connect(make_user(office, "kollegin", "agent"), box)
    assert "bereits von einem anderen Benutzer verbunden" in str(other.value.message)
    inquiry_box = new_mailbox()
    mailbox_create(
        office=office, acting_user=agent, data={**inquiry_box, "security": "none", "name": "Anfragen"}
    )
    with pytest.raises(ConflictError) as taken:
        connect(agent, inquiry_box)
    assert "Postfach des Anfragenmanagers" in str(taken.value.message)
    assert MailAccount.objects.count() == 1


def test_a_mail_sent_from_maklerwerk_goes_to_sent_and_stays_one_activity(
    office: Any, agent: Any, new_mailbox: Any, smtp_sink: Any
) -> None:
    kunde = person(office, "kunde@example.org")
    box = new_mailbox()
    account = connect(agent, box)
    ctx = MailContext(office=office, acting_user=agent, contact=kunde)
    sent = sending.mail_send(
        office=office, acting_user=agent, ctx=ctx, to_email="kunde@example.org",
        subject="Ihr Termin", body="Guten Tag, anbei die Unterlagen.",
        activity=sending.MailActivity(type=Activity.Type.EMAIL_SENT),
    )  # fmt: skip
    assert len(smtp_sink.messages) == 1
    with ImapClient(imap_for(box, "Sent")) as imap:
        [(_uid, raw)] = list(imap.fetch(imap.uids_after(0)))
    assert sent.message_id.encode() in raw
    assert Activity.objects.filter(type=Activity.Type.EMAIL_SENT).count() == 1
    first, *_ = three_times(account)
    assert first.known == 1 and first.archived == 0
    assert Activity.objects.filter(type=Activity.Type.EMAIL_SENT).count() == 1


def test_a_sent_mail_whose_sent_folder_fails_is_still_sent(
    office: Any, agent: Any, new_mailbox: Any, smtp_sink: Any
) -> None:
    kunde = person(office, "kunde@example.org")
    account = connect(agent, {**new_mailbox(), "password": "falsch"})
    ctx = MailContext(office=office, acting_user=agent, contact=kunde)
    sending.mail_send(
        office=office, acting_user=agent, ctx=ctx, to_email="kunde@example.org", subject="A", body="B"
    )
    assert len(smtp_sink.messages) == 1
    account.refresh_from_db()
    assert account.last_error.startswith(
        "Gesendete Mail nicht im Ordner „Gesendet“ abgelegt: Anmeldung fehlgeschlagen"
    )
    assert account_sync(account).error  # and the archive says the same
