"""Coordinates come from the address (a packaged GeoNames place list), never typed by hand."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from maklerwerk.properties.models import Property
from maklerwerk.properties.places import DATA, place_coordinates


def test_places_are_found_by_their_german_name() -> None:
    assert place_coordinates(city="Frankfurt am Main") == (Decimal("50.115500"), Decimal("8.684200"))
    assert place_coordinates(city=" frankfurt  AM main ") == place_coordinates(city="Frankfurt am Main")
    munich = place_coordinates(city="München")  # GeoNames calls it "Munich"
    assert munich is not None and abs(munich[0] - Decimal("48.14")) < Decimal("0.01")
    assert place_coordinates(city="Nirgendwo an der Wupper") is None
    assert place_coordinates(city="Wien", country="AUT") is None


def test_a_district_counts_only_near_its_city() -> None:
    bonn = place_coordinates(city="Bonn")
    bornheim_near_bonn = place_coordinates(city="Bonn", district="Bornheim")
    assert bornheim_near_bonn is not None and bornheim_near_bonn != bonn
    # Frankfurt's Bornheim is no place of its own in the list: the city's point, not Bornheim near Bonn.
    assert place_coordinates(city="Frankfurt am Main", district="Bornheim") == place_coordinates(
        city="Frankfurt am Main"
    )


def test_the_packaged_list_is_small_and_attributed() -> None:
    assert DATA.stat().st_size < 600_000
    assert "GeoNames" in DATA.read_text(encoding="utf-8").splitlines()[0]
    notice = (DATA.parents[4] / "NOTICE").read_text(encoding="utf-8")
    assert "GeoNames" in notice and "Creative Commons Attribution 4.0" in notice


FORM = {
    "external_id": "MW-0001",
    "object_kind": "wohnung",
    "marketing_type": "kauf",
    "usage": "wohnen",
    "status": "active",
    "visibility": "office",
    "country": "DEU",
    "postal_code": "60316",
    "city": "Frankfurt am Main",
}


@pytest.mark.django_db
def test_the_form_derives_coordinates_and_follows_a_move(agent_client: Client) -> None:
    form = agent_client.get("/properties/new/").content.decode()
    assert 'name="latitude"' not in form and "Breitengrad" not in form
    response = agent_client.post("/properties/new/", FORM)
    prop = Property.objects.get()
    assert (prop.latitude, prop.longitude) == (Decimal("50.115500"), Decimal("8.684200"))
    assert prop.geo_band is not None  # radius search finds it
    detail = agent_client.get(response["Location"]).content.decode()
    assert "50,1155, 8,6842" in detail and "aus der Adresse ermittelt" in detail

    agent_client.post(f"/properties/{prop.pk}/edit/", {**FORM, "postal_code": "50667", "city": "Köln"})
    prop.refresh_from_db()
    assert (prop.latitude, prop.longitude) == (Decimal("50.933300"), Decimal("6.950000"))
    agent_client.post(f"/properties/{prop.pk}/edit/", {**FORM, "city": "Nirgendwo an der Wupper"})
    prop.refresh_from_db()
    assert prop.latitude is None  # Köln's point would be wrong now


@pytest.mark.django_db
def test_coordinates_given_through_the_api_are_kept(api: Any) -> None:
    body = api.post(
        "/api/v1/properties",
        {"external_id": "A-1", "city": "Frankfurt am Main", "latitude": 50.1234, "longitude": 8.7},
    ).json()
    assert (body["latitude"], body["longitude"]) == (50.1234, 8.7)
    derived = api.post("/api/v1/properties", {"external_id": "A-2", "city": "Köln", "country": "DE"}).json()
    assert (derived["latitude"], derived["longitude"]) == (50.9333, 6.95)
