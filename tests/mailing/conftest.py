"""Contacts and a property for mail tests (created on the models, independent of the contact form)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest


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
