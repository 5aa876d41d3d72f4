"""Coordinates come from the address (packaged place and postcode lists), never typed by hand."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from maklerwerk.properties.models import Property
from maklerwerk.properties.places import (
    DATA,
    POSTCODES,
    Level,
    locate,
    locate_text,
    place_coordinates,
    place_name_near,
)


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


def test_the_postcode_area_places_a_flat_in_its_district() -> None:
    bornheim = locate(city="Frankfurt am Main", district="Bornheim", postal_code="60385")
    assert bornheim is not None and bornheim.level is Level.POSTCODE
    assert (bornheim.latitude, bornheim.longitude) == (Decimal("50.124800"), Decimal("8.713800"))
    sachsenhausen = place_coordinates(city="Frankfurt am Main", postal_code="60594")
    assert sachsenhausen is not None and sachsenhausen[0] < bornheim.latitude  # south of the Main
    # Without a city the postcode alone still places it; abroad nothing is guessed.
    assert place_coordinates(city="", postal_code="80331") == (Decimal("48.136000"), Decimal("11.572900"))
    assert place_coordinates(city="Wien", postal_code="10115", country="AUT") is None


def test_a_postcode_of_another_town_does_not_move_the_property() -> None:
    # 80331 is Munich: a typo in the PLZ of a flat in Frankfurt keeps Frankfurt's point.
    typo = locate(city="Frankfurt am Main", postal_code="80331")
    assert typo is not None and typo.level is Level.CITY
    assert (typo.latitude, typo.longitude) == place_coordinates(city="Frankfurt am Main")
    unknown = locate(city="Köln", postal_code="00000")
    assert unknown is not None and unknown.level is Level.CITY
    # Berlin's outer postcodes lie ~20 km from its point and still count.
    spandau = locate(city="Berlin", postal_code="13591")
    assert spandau is not None and spandau.level is Level.POSTCODE


def test_the_packaged_lists_are_small_and_attributed() -> None:
    assert DATA.stat().st_size < 600_000 and POSTCODES.stat().st_size < 250_000
    assert "GeoNames" in DATA.read_text(encoding="utf-8").splitlines()[0]
    rows = POSTCODES.read_text(encoding="utf-8").splitlines()
    assert "OpenStreetMap" in rows[0] and "ODbL" in rows[0] and len(rows) > 8000
    notice = (DATA.parents[4] / "NOTICE").read_text(encoding="utf-8")
    assert "GeoNames" in notice and "Creative Commons Attribution 4.0" in notice
    assert "de_postcodes.tsv" in notice and "Open Database License" in notice


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
    assert (prop.latitude, prop.longitude) == (Decimal("50.119800"), Decimal("8.697000"))  # PLZ 60316
    assert prop.geo_band is not None  # radius search finds it
    detail = agent_client.get(response["Location"]).content.decode()
    assert "50,1198, 8,6970" in detail and "ungefähre Lage: Mitte des PLZ-Gebiets 60316" in detail

    agent_client.post(f"/properties/{prop.pk}/edit/", {**FORM, "postal_code": "", "city": "Köln"})
    prop.refresh_from_db()
    assert (prop.latitude, prop.longitude) == (Decimal("50.933300"), Decimal("6.950000"))
    assert "ungefähre Lage: Ortsmitte Köln" in agent_client.get(response["Location"]).content.decode()
    agent_client.post(
        f"/properties/{prop.pk}/edit/", {**FORM, "postal_code": "", "city": "Nirgendwo an der Wupper"}
    )
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


def test_a_radius_centre_is_read_from_what_agents_type() -> None:
    by_code = locate_text("60385")
    assert by_code is not None and by_code[0].level is Level.POSTCODE and by_code[1] == "60385"
    assert place_name_near(float(by_code[0].latitude), float(by_code[0].longitude)) == "60385"
    both = locate_text("Bornheim, Frankfurt am Main")  # the larger place is the city: not Bornheim near Bonn
    assert both is not None and both[0].latitude == Decimal("50.115500")
    assert locate_text("Bad Homburg") is None  # never guesses Homburg (Saar) from two words
    assert locate_text("Köln") is not None and locate_text("99999") is None


@given(st.text(max_size=60))
def test_any_typed_centre_gives_a_point_or_none(text: str) -> None:
    found = locate_text(text)
    assert found is None or (-90 <= found[0].latitude <= 90 and found[1].strip())
