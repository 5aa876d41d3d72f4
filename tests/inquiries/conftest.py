"""A real Dovecot IMAP server on loopback (../shared/RECIPES.md section 1), mailboxes and properties."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from tests.live.dovecot import DovecotServer, dovecot_server, free_port

__all__ = ["free_port"]

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "inquiries"


class Dovecot:
    POOL = 300

    def __init__(self, server: DovecotServer) -> None:
        self.server, self.host, self.port = server, server.host, server.port
        self.next = 0

    def add_user(self) -> dict[str, Any]:
        """A fresh, empty mail account from the pool written before the server started."""
        self.next += 1
        return self.server.account(f"anfragen-{self.next}@testbuero.example", "geheim")


@pytest.fixture(scope="session")
def dovecot() -> Any:
    users = {f"anfragen-{i}@testbuero.example": "geheim" for i in range(1, Dovecot.POOL + 1)}
    with dovecot_server(users) as server:
        yield Dovecot(server)


@pytest.fixture
def imap_account(dovecot: Dovecot) -> dict[str, Any]:
    return dovecot.add_user()


def imap_settings_for(account: dict[str, Any], folder: str = "INBOX") -> Any:
    from maklerwerk.integrations.imap.client import ImapSettings

    return ImapSettings(
        host=account["host"], port=account["port"], security="none",
        username=account["username"], password=account["password"], folder=folder,
    )  # fmt: skip


def deliver(account: dict[str, Any], *raws: bytes) -> None:
    """Put mails into the account's INBOX over IMAP APPEND."""
    from maklerwerk.integrations.imap.client import ImapClient

    with ImapClient(imap_settings_for(account)) as imap:
        for raw in raws:
            imap.append(raw)


def fixture_mail(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture
def deliver_to() -> Any:
    return deliver


@pytest.fixture
def mailbox(office: Any, agent: Any, imap_account: dict[str, Any]) -> Any:
    from maklerwerk.inquiries.services import mailbox_create

    return mailbox_create(
        office=office,
        acting_user=agent,
        data={
            "name": "Anfragen",
            "host": imap_account["host"],
            "port": imap_account["port"],
            "security": "none",
            "username": imap_account["username"],
            "password": imap_account["password"],
        },
    )


def make_property(office: Any, agent: Any, external_id: str, **extra: Any) -> Any:
    from maklerwerk.properties.models import Property

    data = {
        "title": f"Objekt {external_id}",
        "status": Property.Status.ACTIVE,
        "object_kind": "wohnung",
        "marketing_type": "kauf",
        "postal_code": "50823",
        "city": "Köln",
        "purchase_price": Decimal("389000"),
        "responsible_agent": agent,
        **extra,
    }
    return Property.objects.create(office=office, external_id=external_id, **data)


@pytest.fixture
def properties(office: Any, agent: Any) -> dict[str, Any]:
    """The properties the fixture mails ask about, all in active marketing."""
    from maklerwerk.inquiries.models import PortalListing

    props = {
        "MW-1001": make_property(office, agent, "MW-1001", title="Helle 3-Zimmer-Wohnung mit Balkon"),
        "MW-1002": make_property(
            office, agent, "MW-1002", title="Einfamilienhaus mit Garten", object_kind="haus"
        ),
        "MW-1003": make_property(
            office, agent, "MW-1003", title="Gepflegte 2-Zimmer-Wohnung", marketing_type="miete_pacht"
        ),
        "MW-1004": make_property(
            office, agent, "MW-1004", title="Altbauwohnung mit Stuck", marketing_type="miete_pacht"
        ),
        "MW-2001": make_property(office, agent, "MW-2001", title="Dachgeschosswohnung mit Blick über Bonn"),
    }
    PortalListing.objects.create(
        office=office, property=props["MW-2001"], source="kleinanzeigen", portal_id="2712345678"
    )
    return props


def contact(office: Any, **data: Any) -> Any:
    from maklerwerk.contacts.services import contact_create

    return contact_create(office=office, acting_user=None, data=data)


def links_in(text: str) -> list[str]:
    import re

    return re.findall(r"https?://\S+/inquiries/confirm/\S+/", text)


def to_addr(message: Any) -> str:
    """The plain address a received mail went to (the header may carry a display name)."""
    return str(message["To"].addresses[0].addr_spec)


def text_of(message: Any) -> str:
    """The text part of a received mail (plain text, or text + HTML + attachments)."""
    return str(message.get_body(preferencelist=("plain",)).get_content()).replace("\r\n", "\n")


def pdfs_of(message: Any) -> list[bytes]:
    """The PDF attachments of a received mail."""
    return [
        part.get_content()
        for part in message.iter_attachments()
        if part.get_content_type() == "application/pdf"
    ]
