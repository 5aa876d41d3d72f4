"""Object kind, sub-type and country as German choices, never typed codes; the API takes ISO alpha-2
and alpha-3 country codes alike for contacts and properties."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from maklerwerk.properties.models import Property
from tests.conftest import assert_problem

pytestmark = pytest.mark.django_db


def test_the_form_offers_names_not_codes(agent_client: Client) -> None:
    html = agent_client.get("/properties/new/").content.decode()
    assert '<option value="DEU" selected>Deutschland</option>' in html
    assert '<option value="AUT">Österreich</option>' in html
    assert '<optgroup label="Wohnung">' in html and '<option value="MAISONETTE">Maisonette</option>' in html
    assert '<option value="DOPPELHAUSHAELFTE">Doppelhaushälfte</option>' in html
    assert "ISO 3166" not in html and "e.g. ETAGE" not in html


def test_the_detail_says_wohnung_maisonette(agent_client: Client, make_property: Any) -> None:
    prop = make_property(object_subtype="MAISONETTE", country="AUT")
    html = agent_client.get(f"/properties/{prop.pk}/").content.decode()
    assert "Wohnung (Maisonette)" in html and "Österreich" in html
    assert "Wohnung (Maisonette)" in agent_client.get("/properties/").content.decode()


def test_a_sub_type_of_another_kind_is_refused_in_german(agent_client: Client) -> None:
    response = agent_client.post(
        "/properties/new/",
        {
            "external_id": "H-1",
            "object_kind": "wohnung",
            "object_subtype": "DOPPELHAUSHAELFTE",
            "marketing_type": "kauf",
            "usage": "wohnen",
            "status": "active",
            "visibility": "office",
            "country": "DEU",
        },
    )
    assert "„DOPPELHAUSHAELFTE“ ist keine Unterart von Wohnung" in response.content.decode()
    assert not Property.objects.exists()


@pytest.mark.parametrize("given", ["DE", "de", "DEU", "deu"])
def test_properties_take_alpha_2_and_alpha_3(api: Any, given: str) -> None:
    created = api.post("/api/v1/properties", {"external_id": "P-1", "country": given})
    assert created.status_code == 201, created.content
    assert created.json()["country"] == "DEU"


@pytest.mark.parametrize("given", ["DE", "at", "DEU", "aut"])
def test_contacts_take_alpha_2_and_alpha_3(api: Any, given: str) -> None:
    created = api.post("/api/v1/contacts", {"last_name": "Meier", "country": given})
    assert created.status_code == 201, created.content
    assert created.json()["country"] in {"DE", "AT"}


def test_an_unknown_country_is_a_german_error(api: Any) -> None:
    body = assert_problem(api.post("/api/v1/properties", {"external_id": "P-2", "country": "XY"}), 422)
    assert "Unbekanntes Land „XY“" in str(body)
    body = assert_problem(api.post("/api/v1/contacts", {"last_name": "Meier", "country": "XYZ"}), 422)
    assert "Unbekanntes Land „XYZ“" in str(body)


def test_the_contact_form_offers_country_names(agent_client: Client) -> None:
    html = agent_client.get("/contacts/new/").content.decode()
    assert '<option value="DE" selected>Deutschland</option>' in html
