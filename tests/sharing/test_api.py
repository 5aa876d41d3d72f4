"""API: /api/v1/shares, /shares/{id}, /shares/{id}/events, /shares/{id}/email and /share-access."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from maklerwerk.sharing.models import ShareLink

from ..conftest import api_client_for, assert_problem
from .conftest import token_of

pytestmark = pytest.mark.django_db


def test_create_list_get_and_delete(api: Any, prospect: Any, prop: Any) -> None:
    created = api.post("/api/v1/shares", {"contact_id": prospect.pk, "property_id": prop.pk})
    assert created.status_code == 201, created.content
    body = created.json()
    link = ShareLink.objects.get()
    # No MAKLERWERK_BASE_URL configured: the link uses the address the API was called on.
    assert body["url"] == f"http://testserver/sharing/d/{token_of(link)}/"
    assert body["state"] == "active" and body["contact_name"] == "Erika Mustermann"
    listing = api.get(f"/api/v1/shares?contact_id={prospect.pk}").json()
    assert listing["count"] == 1 and listing["items"][0]["id"] == body["id"]
    assert api.get(f"/api/v1/shares/{body['id']}").json()["expires_at"] == body["expires_at"]
    assert api.delete(f"/api/v1/shares/{body['id']}").status_code == 204
    after = api.get(f"/api/v1/shares/{body['id']}").json()
    assert after["state"] == "deleted" and after["url"] is None
    assert api.get("/api/v1/shares?active=true").json()["count"] == 0
    assert Client().get(f"/sharing/d/{token_of(link)}/").status_code == 404


def test_create_with_expiry_and_errors(api: Any, prospect: Any, prop: Any, foreign_prop: Any) -> None:
    ok = api.post(
        "/api/v1/shares",
        {"contact_id": prospect.pk, "property_id": prop.pk, "expires_at": "2099-01-31T12:00:00+01:00"},
    )
    assert ok.json()["expires_at"].startswith("2099-01-31T")
    past = api.post(
        "/api/v1/shares",
        {"contact_id": prospect.pk, "property_id": prop.pk, "expires_at": "2001-01-01T00:00:00Z"},
    )
    assert "Zukunft" in assert_problem(past, 400)["detail"] or "future" in past.json()["detail"]
    assert_problem(
        api.post("/api/v1/shares", {"contact_id": prospect.pk, "property_id": foreign_prop.pk}), 404
    )
    assert_problem(api.post("/api/v1/shares", {"contact_id": 999999, "property_id": prop.pk}), 404)
    assert_problem(
        api.post("/api/v1/shares", {"contact_id": prospect.pk, "property_id": prop.pk, "x": 1}), 422
    )
    assert_problem(api.get("/api/v1/shares?ordering=token_hash"), 422)
    assert_problem(api.delete("/api/v1/shares/999999"), 404)


def test_events_list_views_and_downloads(api: Any, link: Any, documents: Any) -> None:
    visitor = Client(REMOTE_ADDR="2001:db8:aa:bb::1", HTTP_USER_AGENT="Edge")
    html = visitor.get(f"/sharing/d/{token_of(link)}/").content.decode()
    import re

    visitor.get(re.findall(r'href="(/sharing/d/[^"]+/f/[^"]+/)"', html)[0])
    events = api.get(f"/api/v1/shares/{link.pk}/events").json()
    assert events["count"] == 2
    kinds = {e["kind"] for e in events["items"]}
    assert kinds == {"view", "download"}
    download = next(e for e in events["items"] if e["kind"] == "download")
    assert download["ip_network"] == "2001:db8:aa::/48" and download["user_agent"] == "Edge"
    assert download["file_source"] == "property_document" and download["file_name"].endswith(".pdf")
    assert api.get(f"/api/v1/shares/{link.pk}/events?kind=view").json()["count"] == 1
    assert_problem(api.get(f"/api/v1/shares/{link.pk}/events?kind=print"), 400)
    assert api.get(f"/api/v1/shares?property_id={link.property_id}").json()["items"][0]["open_count"] == 1


def test_per_person_access(api: Any, link: Any, prop: Any, prospect: Any) -> None:
    rows = api.get(f"/api/v1/share-access?property_id={prop.pk}").json()
    assert rows == [
        {
            "contact_id": prospect.pk,
            "contact_name": "Erika Mustermann",
            "active": True,
            "links": 1,
            "opened": 0,
            "valid_until": rows[0]["valid_until"],
        }
    ]
    off = api._call(
        "put", "/api/v1/share-access", {"property_id": prop.pk, "contact_id": prospect.pk, "active": False}
    )
    assert off.status_code == 200 and off.json()["active"] is False
    assert Client().get(f"/sharing/d/{token_of(link)}/").status_code == 404
    assert api.get(f"/api/v1/shares/{link.pk}").json()["state"] == "deactivated"
    api._call(
        "put", "/api/v1/share-access", {"property_id": prop.pk, "contact_id": prospect.pk, "active": True}
    )
    assert Client().get(f"/sharing/d/{token_of(link)}/").status_code == 200


def test_email_endpoint(
    api: Any, link: Any, smtp_sink: Any, other_prospect: Any, office: Any, prop: Any, agent: Any
) -> None:
    assert api.post(f"/api/v1/shares/{link.pk}/email").json() == {"to": "erika@example.org"}
    from maklerwerk.sharing.services import share_link_create

    no_mail = share_link_create(office=office, contact=other_prospect, property=prop, acting_user=agent)
    assert_problem(api.post(f"/api/v1/shares/{no_mail.pk}/email"), 400)


def test_roles_and_outsiders(link: Any, readonly_user: Any, outsider: Any, prop: Any, prospect: Any) -> None:
    readonly = api_client_for(readonly_user)
    assert readonly.get("/api/v1/shares").json()["count"] == 1
    assert_problem(readonly.post("/api/v1/shares", {"contact_id": prospect.pk, "property_id": prop.pk}), 403)
    assert_problem(readonly.delete(f"/api/v1/shares/{link.pk}"), 403)
    stranger = api_client_for(outsider)
    assert stranger.get("/api/v1/shares").json()["count"] == 0
    assert_problem(stranger.get(f"/api/v1/shares/{link.pk}"), 404)
    assert_problem(stranger.get(f"/api/v1/shares/{link.pk}/events"), 404)
    assert_problem(stranger.delete(f"/api/v1/shares/{link.pk}"), 404)
    assert_problem(stranger.get(f"/api/v1/share-access?property_id={prop.pk}"), 404)
    assert_problem(
        stranger._call(
            "put",
            "/api/v1/share-access",
            {"property_id": prop.pk, "contact_id": prospect.pk, "active": False},
        ),
        404,
    )
    assert_problem(stranger.post("/api/v1/shares", {"contact_id": prospect.pk, "property_id": prop.pk}), 404)
    assert_problem(Client().get("/api/v1/shares"), 401)
    link.refresh_from_db()
    assert link.deleted_at is None
