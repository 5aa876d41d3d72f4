"""Mail sync against the shared real Dovecot (tests/live/dovecot.py), with a pool of mailboxes."""

from __future__ import annotations

import datetime as dt
import itertools
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

import pytest

from maklerwerk.integrations.imap.client import ImapClient, ImapSettings
from tests.live.dovecot import dovecot_server

POOL = 200
_next = itertools.count(1)


@pytest.fixture(scope="session")
def mail_server() -> Any:
    users = {f"makler-{i}@buero.example": "geheim" for i in range(1, POOL + 1)}
    with dovecot_server(users) as server:
        yield server


@pytest.fixture
def new_mailbox(mail_server: Any) -> Any:
    """A factory of fresh, empty mailboxes (each test gets its own)."""

    def make() -> dict[str, Any]:
        return mail_server.account(f"makler-{next(_next)}@buero.example", "geheim")

    return make


def imap_for(box: dict[str, Any], folder: str = "INBOX") -> ImapSettings:
    return ImapSettings(
        host=box["host"], port=box["port"], security="none",
        username=box["username"], password=box["password"], folder=folder,
    )  # fmt: skip


def put(box: dict[str, Any], raw: bytes, folder: str = "INBOX") -> None:
    with ImapClient(imap_for(box)) as imap:
        if folder != "INBOX":
            imap.create_folder(folder)
        imap.append(raw, folder)


def make_mail(
    *,
    sender: str = "Kunde Klein <kunde@example.org>",
    to: str = "makler-x@buero.example",
    cc: str = "",
    subject: str = "Besichtigung am Freitag",
    text: str = "Guten Tag, passt Ihnen Freitag um 10 Uhr?",
    html: str = "",
    message_id: str | None = "",
    headers: dict[str, str] | None = None,
    attachments: list[tuple[str, bytes]] | None = None,
) -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, to, subject
    if cc:
        msg["Cc"] = cc
    msg["Date"] = format_datetime(dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC))
    if message_id is not None:
        msg["Message-ID"] = message_id or make_msgid(domain="example.org")
    for k, v in (headers or {}).items():
        msg[k] = v
    msg.set_content(text)
    if html:
        msg.add_alternative(html, subtype="html")
    for name, data in attachments or []:
        msg.add_attachment(data, maintype="application", subtype="pdf", filename=name)
    return msg.as_bytes()


def connect(user: Any, box: dict[str, Any], **extra: Any) -> Any:
    from maklerwerk.mailsync.services import mail_account_create

    data = {
        "email": box["username"],
        "host": box["host"],
        "port": box["port"],
        "security": "none",
        "username": box["username"],
        "password": box["password"],
        **extra,
    }
    return mail_account_create(user=user, data=data)


def person(office: Any, email: str, last_name: str = "Klein") -> Any:
    from maklerwerk.contacts.services import contact_create

    return contact_create(
        office=office,
        acting_user=None,
        data={"first_name": "Kim", "last_name": last_name, "emails": [{"value": email}]},
    )
