"""API: every endpoint, with errors, roles and an outsider (another office) case."""

from __future__ import annotations

from typing import Any

import pytest

from maklerwerk.properties.models import Property, PropertyDocument, PropertyImage
from tests.conftest import ApiClient, api_client_for, assert_problem
from tests.properties.conftest import png_upload

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


def test_it_creates_reads_changes_and_deletes_a_property(api: ApiClient, agent: Any) -> None:
    response = api.post("/api/v1/properties", PROPERTY)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (
        body["external_id"] == "W-100"
        and body["object_kind"] == "wohnung"
        and body["features"] == ["balkon", "keller"]
    )
    assert body["purchase_price"] == 416000 and body["responsible_agent_id"] == agent.pk
    pk = body["id"]
    assert api.get(f"/api/v1/properties/{pk}").json()["city"] == "Frankfurt am Main"
    changed = api.patch(f"/api/v1/properties/{pk}", {"purchase_price": 399000, "status": "reserved"}).json()
    assert (changed["purchase_price"], changed["status"], changed["title"]) == (
        399000,
        "reserved",
        PROPERTY["title"],
    )
    assert api.delete(f"/api/v1/properties/{pk}").status_code == 204
    assert not Property.objects.exists()


def test_it_lists_properties_with_filters(api: ApiClient) -> None:
    api.post("/api/v1/properties", PROPERTY)
    api.post(
        "/api/v1/properties",
        {
            **PROPERTY,
            "external_id": "H-1",
            "object_kind": "haus",
            "title": "Haus",
            "city": "Offenbach am Main",
        },
    )
    body = api.get("/api/v1/properties", {"object_kind": "haus"}).json()
    assert body["count"] == 1 and body["items"][0]["external_id"] == "H-1"
    assert api.get("/api/v1/properties", {"q": "Nordend"}).json()["count"] == 1
    assert [
        p["external_id"] for p in api.get("/api/v1/properties", {"ordering": "external_id"}).json()["items"]
    ] == ["H-1", "W-100"]
    assert_problem(api.get("/api/v1/properties", {"object_kind": "burg"}), 422)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"object_kind": "schloss_mit_graben"}, "object_kind"),
        ({"latitude": 91}, "latitude"),
        ({"longitude": -181}, "longitude"),
        ({"purchase_price": -1}, "purchase_price"),
        ({"features": ["hubschrauberlandeplatz"]}, "features.0"),
    ],
)
def test_it_rejects_bad_property_input(api: ApiClient, change: dict[str, Any], field: str) -> None:
    body = assert_problem(api.post("/api/v1/properties", {**PROPERTY, **change}), 422)
    assert field in {e["field"] for e in body["errors"]}
    assert not Property.objects.exists()


def test_it_answers_409_for_a_duplicate_external_id(api: ApiClient) -> None:
    api.post("/api/v1/properties", PROPERTY)
    body = assert_problem(api.post("/api/v1/properties", PROPERTY), 409)
    assert body["field"] == "external_id"


def test_it_hides_other_offices_and_refuses_read_only_writes(
    api: ApiClient, outsider_api: ApiClient, readonly_user: Any
) -> None:
    pk = api.post("/api/v1/properties", PROPERTY).json()["id"]
    for path in ("", "/matches", "/images", "/documents", "/contacts"):
        assert_problem(outsider_api.get(f"/api/v1/properties/{pk}{path}"), 404)
    assert_problem(outsider_api.patch(f"/api/v1/properties/{pk}", {"title": "x"}), 404)
    assert_problem(outsider_api.delete(f"/api/v1/properties/{pk}"), 404)
    assert outsider_api.get("/api/v1/properties").json()["count"] == 0
    reader = api_client_for(readonly_user)
    assert reader.get(f"/api/v1/properties/{pk}").status_code == 200
    assert_problem(reader.patch(f"/api/v1/properties/{pk}", {"title": "x"}), 403)
    assert_problem(reader.post("/api/v1/properties", {**PROPERTY, "external_id": "R-1"}), 403)
    assert Property.objects.get().title == PROPERTY["title"]


def test_it_uploads_reorders_and_deletes_images(api: ApiClient) -> None:
    pk = api.post("/api/v1/properties", PROPERTY).json()["id"]
    response = api.client.post(
        f"/api/v1/properties/{pk}/images",
        {"files": [png_upload("a.png"), png_upload("b.png")], "kind": "bild"},
        headers=api.headers,
    )
    assert response.status_code == 201, response.content
    first, second = (i["id"] for i in response.json())
    order = api.client.put(
        f"/api/v1/properties/{pk}/images/order",
        {"image_ids": [second, first]},
        content_type="application/json",
        headers=api.headers,
    )
    assert [i["id"] for i in order.json()] == [second, first]
    assert api.get(f"/api/v1/properties/{pk}").json()["images"][0]["id"] == second
    assert (
        api.patch(
            f"/api/v1/properties/{pk}/images/{first}", {"caption": "Küche", "kind": "grundriss"}
        ).json()["caption"]
        == "Küche"
    )
    assert_problem(
        api.client.put(
            f"/api/v1/properties/{pk}/images/order",
            {"image_ids": [first]},
            content_type="application/json",
            headers=api.headers,
        ),
        400,
    )
    assert api.delete(f"/api/v1/properties/{pk}/images/{first}").status_code == 204
    assert PropertyImage.objects.count() == 1


def test_it_rejects_non_images_with_nothing_saved(api: ApiClient) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    pk = api.post("/api/v1/properties", PROPERTY).json()["id"]
    bad = SimpleUploadedFile("virus.jpg", b"MZ\x90\x00 not an image", content_type="image/jpeg")
    body = assert_problem(
        api.client.post(
            f"/api/v1/properties/{pk}/images", {"files": [png_upload(), bad]}, headers=api.headers
        ),
        400,
    )
    assert body["detail"] == "virus.jpg ist kein Bild oder ist beschädigt."
    assert not PropertyImage.objects.exists()


def test_it_uploads_protected_documents(api: ApiClient) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    pk = api.post("/api/v1/properties", PROPERTY).json()["id"]
    doc = SimpleUploadedFile("grundbuch.pdf", b"%PDF-1.4\n%%EOF", content_type="application/pdf")
    response = api.client.post(
        f"/api/v1/properties/{pk}/documents",
        {"file": doc, "kind": "land_register", "protected": "true"},
        headers=api.headers,
    )
    assert response.status_code == 201, response.content
    assert response.json()["protected"] is True and response.json()["title"] == "grundbuch"
    exe = SimpleUploadedFile("setup.exe", b"MZ", content_type="application/octet-stream")
    assert_problem(
        api.client.post(f"/api/v1/properties/{pk}/documents", {"file": exe}, headers=api.headers), 400
    )
    assert [d["kind"] for d in api.get(f"/api/v1/properties/{pk}/documents").json()] == ["land_register"]
    assert api.delete(f"/api/v1/properties/{pk}/documents/{response.json()['id']}").status_code == 204
    assert not PropertyDocument.objects.exists()


def test_it_sets_contact_roles(api: ApiClient, contact: Any, other_contact: Any) -> None:
    pk = api.post("/api/v1/properties", PROPERTY).json()["id"]
    body = api.post(
        f"/api/v1/properties/{pk}/contacts", {"contact_id": contact.pk, "role": "prospect"}
    ).json()
    assert body["interest_status"] == "new" and body["contact_name"] == "Erika Mustermann"
    assert_problem(
        api.post(f"/api/v1/properties/{pk}/contacts", {"contact_id": other_contact.pk, "role": "owner"}), 404
    )
    assert_problem(
        api.post(f"/api/v1/properties/{pk}/contacts", {"contact_id": contact.pk, "role": "king"}), 422
    )
    assert api.delete(f"/api/v1/properties/{pk}/contacts/{body['id']}").status_code == 204
