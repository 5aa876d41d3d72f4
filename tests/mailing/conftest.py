"""Contacts and a property for mail tests (created on the models, independent of the contact form)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from tests.conftest import SmtpSink

PASSWORD = "Sonnen-Schein 42!"


@pytest.fixture
def own_server() -> Iterator[Any]:
    """The agent's own mail server: a real SMTP server that wants a login (user "max", PASSWORD)."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sink = SmtpSink()
    sink.logins = []

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"max", PASSWORD.encode())
        sink.logins.append(ok)
        return AuthResult(success=ok)

    controller = Controller(
        sink, hostname="127.0.0.1", port=port, authenticator=authenticator, auth_require_tls=False
    )
    controller.start()
    sink.port = port
    yield sink
    controller.stop()


def use_own_server(user: Any, server: Any) -> None:
    """`user` sends over `server` from now on (Settings → own mail server)."""
    from maklerwerk.mailing.services import smtp_settings_save

    smtp_settings_save(
        user=user,
        data={"active": True, "host": "127.0.0.1", "port": server.port, "security": "none",
              "username": "max", "password": PASSWORD},
    )  # fmt: skip


def make_contact(office: Any, *, email: str | None, consent: bool = True, **fields: Any) -> Any:
    from maklerwerk.contacts.models import Contact, ContactEmail

    contact = Contact.objects.create(office=office, marketing_consent=consent, **fields)
    if email:
        ContactEmail.objects.create(
            contact=contact, office=office, value=email, value_normalized=email.lower(), position=0
        )
    return contact


def make_prop(office: Any, agent: Any) -> Any:
    from maklerwerk.properties.models import Property

    agent.email = "max.makler@testbuero.example"
    agent.phone = "0221 123456"
    agent.save()
    return Property.objects.create(
        office=office,
        external_id="W-2024-017",
        title="Helle Wohnung am Rheinufer",
        object_kind="wohnung",
        marketing_type="kauf",
        status="active",
        postal_code="50667",
        city="Köln",
        street="Rheinufer",
        house_number="3",
        purchase_price=Decimal("450000"),
        living_area=Decimal("86.5"),
        rooms=Decimal("3"),
        buyer_commission_text="3,57 % inkl. MwSt.",
        responsible_agent=agent,
        description="Lichtdurchflutete Wohnung mit Blick auf den Rhein.",
        energy_certificate_type="verbrauch",
        energy_value=Decimal("92.4"),
        energy_class="C",
        energy_carrier="fern",
        energy_building_year=1998,
    )


def make_default_contact(office: Any) -> Any:
    return make_contact(
        office,
        email="juergen.mueller@example.org",
        salutation="herr",
        title="Dr.",
        first_name="Jürgen",
        last_name="Müller",
    )


@pytest.fixture
def contact(office: Any) -> Any:
    return make_default_contact(office)


@pytest.fixture
def prop(office: Any, agent: Any) -> Any:
    return make_prop(office, agent)
