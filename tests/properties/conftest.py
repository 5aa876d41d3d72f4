"""Fixtures for properties and matching: a contact, properties and profiles in the test office."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

FRANKFURT = (Decimal("50.110924"), Decimal("8.682127"))


@pytest.fixture
def contact(office: Any) -> Any:
    from maklerwerk.contacts.models import Contact

    return Contact.objects.create(
        office=office, first_name="Erika", last_name="Mustermann", city="Frankfurt am Main"
    )


@pytest.fixture
def other_contact(other_office: Any) -> Any:
    from maklerwerk.contacts.models import Contact

    return Contact.objects.create(office=other_office, first_name="Fritz", last_name="Fremd")


def property_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "external_id": "W-001",
        "title": "Helle 3-Zimmer-Wohnung im Nordend",
        "object_kind": "wohnung",
        "marketing_type": "kauf",
        "status": "active",
        "street": "Eckenheimer Landstraße",
        "house_number": "12",
        "postal_code": "60318",
        "city": "Frankfurt am Main",
        "district": "Nordend",
        "latitude": FRANKFURT[0],
        "longitude": FRANKFURT[1],
        "purchase_price": Decimal("400000"),
        "living_area": Decimal("80"),
        "rooms": Decimal("3"),
        "features": ["balkon", "keller"],
        "year_built": 1998,
        "energy_class": "C",
    }
    data.update(overrides)
    return data


def profile_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Wohnung Frankfurt",
        "marketing_type": "kauf",
        "object_kinds": ["wohnung"],
        "price_max": Decimal("420000"),
        "living_area_min": Decimal("70"),
        "rooms_min": Decimal("3"),
        "cities": ["Frankfurt am Main"],
    }
    data.update(overrides)
    return data


@pytest.fixture
def make_property(office: Any, agent: Any) -> Any:
    from maklerwerk.properties.services import property_create

    def make(**overrides: Any) -> Any:
        return property_create(
            office=overrides.pop("office", office), acting_user=agent, data=property_data(**overrides)
        )

    return make


@pytest.fixture
def make_profile(contact: Any, agent: Any) -> Any:
    from maklerwerk.matching.services import search_profile_create

    def make(**overrides: Any) -> Any:
        return search_profile_create(
            contact=overrides.pop("contact", contact), acting_user=agent, data=profile_data(**overrides)
        )

    return make


def png_upload(
    name: str = "foto.png", size: tuple[int, int] = (64, 48), color: str = "red"
) -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def jpeg_with_orientation(orientation: int = 6, size: tuple[int, int] = (60, 30)) -> SimpleUploadedFile:
    buf = io.BytesIO()
    image = Image.new("RGB", size, "blue")
    exif = Image.Exif()
    exif[0x0112] = orientation
    image.save(buf, "JPEG", exif=exif)
    return SimpleUploadedFile("hochkant.jpg", buf.getvalue(), content_type="image/jpeg")
