"""The header's global search and GET /api/v1/search: typed, ranked hits, only what the user may see."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.conftest import api_client_for, make_user
from tests.contacts.conftest import make_contact
from tests.properties.conftest import profile_data, property_data

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}


@pytest.fixture
def data(office: Any, agent: Any, other_office: Any) -> dict[str, Any]:
    from maklerwerk.matching.services import search_profile_create
    from maklerwerk.properties.services import property_create

    anna = make_contact(
        office, agent, first_name="Anna", last_name="Weißenfels", company_name="Weißenfels Bau GmbH",
        city="Offenbach", emails=[{"value": "anna@weissenfels.de"}], phones=[{"value": "0171 2345678"}],
    )  # fmt: skip
    make_contact(office, agent, first_name="Bernd", last_name="Krause", city="Weißenfels")
    make_contact(
        other_office, None, first_name="Anna", last_name="Weißenfels", phones=[{"value": "0171 2345678"}]
    )
    flat = property_create(office=office, acting_user=agent, data=property_data(external_id="MW-0021"))
    villa = property_data(external_id="MW-0022", title="Stille Villa am Lerchesberg", visibility="restricted")
    secret = property_create(office=office, acting_user=agent, data=villa)
    profile = search_profile_create(
        contact=anna, acting_user=agent, data=profile_data(name="Weißenfels Altbau")
    )
    return {"anna": anna, "flat": flat, "secret": secret, "profile": profile}


def _api_hits(user: Any, q: str) -> list[tuple[str, str]]:
    body = api_client_for(user).get("/api/v1/search", {"q": q}).json()
    return [(h["type"], h["title"]) for h in body["hits"]]


@pytest.mark.parametrize("phone", ["0171 2345678", "+49 171 2345678", "0049-171-234 56 78", "(0171) 23456"])
def test_a_contact_is_found_by_phone_in_any_notation_only_in_the_own_office(
    agent: Any, data: Any, phone: str
) -> None:
    assert _api_hits(agent, phone) == [("contact", "Anna Weißenfels (Weißenfels Bau GmbH)")]


def test_a_property_is_found_by_kennung_first_and_hits_are_typed_and_ranked(agent: Any, data: Any) -> None:
    hits = api_client_for(agent).get("/api/v1/search", {"q": "mw-0021"}).json()["hits"]
    assert hits[0]["type"] == "property" and hits[0]["id"] == data["flat"].pk and hits[0]["score"] == 100
    assert hits[0]["url"] == f"/properties/{data['flat'].pk}/" and "MW-0021" in hits[0]["subtitle"]
    # "Weißenfels": the surname ranks above the company match, the city and the search profile.
    kinds = _api_hits(agent, "Weißenfels")
    assert kinds[0] == ("contact", "Anna Weißenfels (Weißenfels Bau GmbH)")
    assert ("contact", "Bernd Krause") in kinds and ("search_profile", "Weißenfels Altbau") in kinds
    assert _api_hits(agent, "anna@weissenfels") == [("contact", "Anna Weißenfels (Weißenfels Bau GmbH)")]
    assert ("property", "Helle 3-Zimmer-Wohnung im Nordend") in _api_hits(agent, "Eckenheimer")


def test_restricted_properties_stay_hidden_from_colleagues(office: Any, agent: Any, data: Any) -> None:
    assert ("property", "Stille Villa am Lerchesberg") in _api_hits(agent, "MW-0022")
    colleague = make_user(office, "kollege", "agent")
    assert _api_hits(colleague, "MW-0022") == []
    assert _api_hits(colleague, "Lerchesberg") == []
    client = Client()
    client.force_login(colleague)
    assert "Lerchesberg" not in client.get("/search/", {"q": "Villa"}).content.decode()


def test_the_header_box_answers_as_you_type(agent_client: Client, data: Any) -> None:
    page = agent_client.get("/").content.decode()
    assert 'id="global-search"' in page and "Kontakte, Immobilien, Suchprofile suchen" in page
    dropdown = agent_client.get("/search/", {"q": "0171 2345678"}, headers=HX).content.decode()
    assert "<html" not in dropdown and f'href="/contacts/{data["anna"].pk}/"' in dropdown
    assert (
        "Bitte mindestens zwei Zeichen"
        in agent_client.get("/search/", {"q": "a"}, headers=HX).content.decode()
    )
    assert (
        "Nichts gefunden für „Grundbuch“" in agent_client.get("/search/", {"q": "Grundbuch"}).content.decode()
    )


def test_the_search_endpoint_is_documented_and_needs_a_token(agent: Any, data: Any) -> None:
    schema = Client().get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/search"]["get"]
    assert "phone" in operation["description"]
    hit = schema["components"]["schemas"]["SearchHitOut"]
    assert hit["properties"]["type"]["enum"] == ["contact", "property", "search_profile"]
    assert Client().get("/api/v1/search", {"q": "Anna"}).status_code == 401
