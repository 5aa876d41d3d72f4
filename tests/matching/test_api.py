"""API: every endpoint, with errors, roles and an outsider (another office) case."""

from __future__ import annotations

from typing import Any

import pytest

from maklerwerk.matching.models import SearchProfile
from tests.conftest import ApiClient, api_client_for, assert_problem

pytestmark = pytest.mark.django_db

PROPERTY = {
    "external_id": "W-100", "title": "3-Zimmer-Wohnung Nordend", "object_kind": "wohnung",
    "marketing_type": "kauf",
    "status": "active", "purchase_price": 416000, "living_area": 80, "rooms": 3, "street": "Oeder Weg",
    "house_number": "5", "postal_code": "60318", "city": "Frankfurt am Main", "country": "DEU",
    "latitude": 50.126, "longitude": 8.694, "features": ["balkon", "keller"],
}  # fmt: skip
PROFILE = {
    "name": "Wohnung FFM", "marketing_type": "kauf", "object_kinds": ["wohnung"], "price_max": 400000,
    "living_area_min": 70, "cities": ["Frankfurt am Main"], "must": {"price": True, "rooms": False},
}  # fmt: skip


@pytest.fixture
def outsider_api(outsider: Any) -> ApiClient:
    return api_client_for(outsider)


def test_it_creates_reads_changes_and_deletes_search_profiles(api: ApiClient, contact: Any) -> None:
    response = api.post(f"/api/v1/contacts/{contact.pk}/search-profiles", PROFILE)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (
        body["must"]["price"] is True
        and body["must"]["rooms"] is False
        and body["cities"] == ["Frankfurt am Main"]
    )
    pk = body["id"]
    assert api.get(f"/api/v1/contacts/{contact.pk}/search-profiles").json()["count"] == 1
    assert api.patch(f"/api/v1/search-profiles/{pk}", {"price_max": 450000}).json()["price_max"] == 450000
    assert api.get(f"/api/v1/search-profiles/{pk}").json()["living_area_min"] == 70
    assert api.delete(f"/api/v1/search-profiles/{pk}").status_code == 204
    assert not SearchProfile.objects.exists()


def test_it_rejects_bad_search_profiles(api: ApiClient, contact: Any) -> None:
    url = f"/api/v1/contacts/{contact.pk}/search-profiles"
    body = assert_problem(api.post(url, {**PROFILE, "price_min": 500000, "price_max": 100000}), 422)
    assert body["errors"][0] == {
        "field": "price_min",
        "message": "Der Mindestpreis liegt über dem Höchstpreis.",
        "code": "invalid",
        "location": "body",
    }
    assert_problem(api.post(url, {**PROFILE, "object_kinds": ["burg"]}), 422)
    assert_problem(api.post(url, {**PROFILE, "price_max": -5}), 422)
    assert_problem(api.post(url, {**PROFILE, "radius_km": 10}), 422)
    assert_problem(api.post(url, {**PROFILE, "latitude": 100, "longitude": 8, "radius_km": 5}), 422)
    assert not SearchProfile.objects.exists()


def test_search_profiles_of_other_offices_are_not_found(
    api: ApiClient, outsider_api: ApiClient, contact: Any, other_contact: Any
) -> None:
    pk = api.post(f"/api/v1/contacts/{contact.pk}/search-profiles", PROFILE).json()["id"]
    for path in (
        f"/api/v1/search-profiles/{pk}",
        f"/api/v1/search-profiles/{pk}/matches",
        f"/api/v1/contacts/{contact.pk}/search-profiles",
    ):
        assert_problem(outsider_api.get(path), 404)
    assert_problem(outsider_api.patch(f"/api/v1/search-profiles/{pk}", {"price_max": 1}), 404)
    assert_problem(api.post(f"/api/v1/contacts/{other_contact.pk}/search-profiles", PROFILE), 404)


def test_it_lists_matches_in_both_directions_with_explanations(api: ApiClient, contact: Any) -> None:
    prop = api.post("/api/v1/properties", PROPERTY).json()["id"]
    profile = api.post(f"/api/v1/contacts/{contact.pk}/search-profiles", PROFILE).json()["id"]
    body = api.get(f"/api/v1/properties/{prop}/matches").json()
    assert body["count"] == 1
    item = body["items"][0]
    assert (item["property_id"], item["search_profile_id"], item["contact_id"]) == (prop, profile, contact.pk)
    assert item["kind"] == "near_miss" and item["state"] == "new" and 0 < item["score"] < 100
    price = next(c for c in item["criteria"] if c["name"] == "price")
    assert price == {"name": "price", "status": "near_miss", "must": True, "detail": "Preis 4 % über Maximum"}
    other = api.get(f"/api/v1/search-profiles/{profile}/matches").json()
    assert other["items"][0]["property_id"] == prop and other["items"][0]["criteria"] == item["criteria"]
    assert api.get(f"/api/v1/properties/{prop}/matches", {"kind": "match"}).json()["count"] == 0
    assert_problem(api.get(f"/api/v1/properties/{prop}/matches", {"kind": "maybe"}), 422)
