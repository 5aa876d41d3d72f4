"""A sale with its GwG file: Villa Lindenallee, seller Sven Verkäufer, buyer Berta Käufer (identified,
with an ID copy), a GmbH as a second buyer with a beneficial owner, a risk assessment and a
suspicion note; the office risk analysis."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from PIL import Image

from maklerwerk.contacts.services import contact_create
from maklerwerk.gwg import services
from maklerwerk.properties.services import property_contact_set, property_create

ID_NUMBER = "L01X00T47"  # the specimen number of the German identity card
SUSPICION = "Käufer wollte 200.000 EUR in bar beim Notar hinterlegen"


def jpeg_bytes(colour: str = "red") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (60, 40), colour).save(buf, "JPEG")
    return buf.getvalue()


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def admin_client(admin_user: Any) -> Client:
    return client_for(admin_user)


@pytest.fixture
def villa(office: Any, admin_user: Any, agent: Any) -> Any:
    return property_create(
        office=office,
        acting_user=admin_user,
        data={
            "external_id": "K-100",
            "title": "Villa Lindenallee",
            "purchase_price": Decimal("980000"),
            "status": "active",
            "responsible_agent": agent,
        },
    )


def person(office: Any, user: Any, first: str, last: str, role: str) -> Any:
    return contact_create(
        office=office,
        acting_user=user,
        data={
            "first_name": first,
            "last_name": last,
            "roles": [role],
            "emails": [{"value": f"{first.lower()}@example.org", "kind": "private"}],
        },
    )


@pytest.fixture
def seller(office: Any, admin_user: Any, villa: Any) -> Any:
    contact = person(office, admin_user, "Sven", "Verkäufer", "owner")
    property_contact_set(prop=villa, contact=contact, acting_user=admin_user, role="owner")
    return contact


@pytest.fixture
def buyer(office: Any, admin_user: Any, villa: Any) -> Any:
    contact = person(office, admin_user, "Berta", "Käufer", "buyer")
    property_contact_set(
        prop=villa, contact=contact, acting_user=admin_user, role="prospect", interest_status="offer"
    )
    return contact


def identify(party: Any, user: Any, **overrides: Any) -> Any:
    values = {
        "first_names": "Berta",
        "last_name": "Käufer",
        "birth_date": dt.date(1980, 3, 14),
        "birth_place": "Bonn",
        "nationality": "DE",
        "address": "Domstraße 5, 50667 Köln",
        "id_type": "id_card",
        "id_number": ID_NUMBER,
        "issuing_authority": "Stadt Köln",
        "valid_until": timezone.localdate() + dt.timedelta(days=900),
        "method": "in_person",
        "identified_on": timezone.localdate(),
        **overrides,
    }
    return services.identification_save(party=party, acting_user=user, **values)


@pytest.fixture
def case(office: Any, admin_user: Any, villa: Any, seller: Any, buyer: Any) -> Any:
    case = services.case_open(
        office=office,
        acting_user=admin_user,
        property_id=villa.pk,
        property_label="K-100 Villa Lindenallee",
        price=Decimal("980000"),
    )
    berta = services.party_add(
        case=case, acting_user=admin_user, role="buyer", name="Berta Käufer", contact_id=buyer.pk
    )
    services.party_add(
        case=case, acting_user=admin_user, role="seller", name="Sven Verkäufer", contact_id=seller.pk
    )
    ident = identify(berta, admin_user)
    services.id_copy_store(
        ident=ident, acting_user=admin_user, data=jpeg_bytes(), filename="ausweis-berta.jpg"
    )
    gmbh = services.party_add(
        case=case,
        acting_user=admin_user,
        role="buyer",
        name="Lindenhof Invest GmbH",
        person_kind="legal",
        legal_form="GmbH",
        register_number="Köln HRB 12345",
        seat="Köln",
        representatives="Gerd Geschäftsführer",
    )
    services.beneficial_owner_add(
        party=gmbh, acting_user=admin_user, name="Gerd Geschäftsführer", share=Decimal("75")
    )
    services.risk_assess(
        case=case,
        acting_user=admin_user,
        pep=False,
        high_risk_country=False,
        cash=True,
        unusual_price=False,
        result="normal",
        reasoning="Finanzierung über Hausbank, Barzahlung nur angefragt und abgelehnt",
    )
    services.suspicion_note_add(
        case=case,
        acting_user=admin_user,
        facts=SUSPICION,
        decision="no_report",
        reasons="Hat nach Hinweis auf Überweisung bestanden; Finanzierungsbestätigung liegt vor",
    )
    return case
