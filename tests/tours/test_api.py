"""The tours API: CRUD under the property, publish, grants, visits; the secret is shown once."""

from __future__ import annotations

import pytest

from maklerwerk.tours.models import Tour
from tests.conftest import api_client_for, assert_problem
from tests.inquiries.conftest import contact

pytestmark = pytest.mark.django_db


def test_create_list_update_publish_delete(api, prop, smtp_sink):
    created = api.post(
        f"/api/v1/properties/{prop.pk}/tours",
        {
            "link": "https://my.matterport.com/show/?m=SxQL3iGyoDo",
            "rooms": [{"key": "wohnen", "name": "Wohnzimmer"}],
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["provider"] == "matterport" and body["external_id"] == "SxQL3iGyoDo"
    assert len(body["webhook_secret"]) > 30 and "/tours/t/" in body["page_url"]
    tour_id = body["id"]
    listed = api.get(f"/api/v1/properties/{prop.pk}/tours").json()
    assert [t["id"] for t in listed] == [tour_id] and "webhook_secret" not in listed[0]
    updated = api.put(f"/api/v1/tours/{tour_id}", {"link": "https://rundgang.example.org/x/1"})
    assert updated.json()["provider"] == "generic"
    published = api.post(f"/api/v1/tours/{tour_id}/publish", {"published": True, "channels_off": ["expose"]})
    assert published.json()["published"] is True and published.json()["channels_off"] == ["expose"]
    bad = api.post(f"/api/v1/tours/{tour_id}/publish", {"published": True, "channels_off": ["fax"]})
    assert "Unbekannter Kanal" in assert_problem(bad, 400)["detail"]
    assert api.delete(f"/api/v1/tours/{tour_id}").status_code == 204
    assert not Tour.objects.exists()


def test_a_provider_links_a_tour_by_the_property_kennung(api, prop):
    created = api.post(
        "/api/v1/tours", {"property_external_id": "mw-0360", "link": "https://app.immoviewer.com/tour/abc123"}
    )
    assert created.status_code == 201 and created.json()["property_id"] == prop.pk
    assert (
        api.post(
            "/api/v1/tours", {"property_external_id": "MW-9999", "link": "https://x.example/1"}
        ).status_code
        == 404
    )


def test_grants_and_visits(api, office, prop, smtp_sink):
    tour_id = api.post(f"/api/v1/properties/{prop.pk}/tours", {"link": "SxQL3iGyoDo"}).json()["id"]
    person = contact(office, first_name="Lea", last_name="Sommer", emails=[{"value": "lea@example.net"}])
    granted = api.post(f"/api/v1/tours/{tour_id}/grants", {"contact_id": person.pk, "days": 7})
    assert granted.status_code == 201 and "/tours/p/" in granted.json()["url"]
    assert any("lea@example.net" in str(m["To"]) for m in smtp_sink.parsed())
    grant_id = granted.json()["id"]
    assert api.get(f"/api/v1/tours/{tour_id}/grants").json()[0]["url"] is None  # never again
    revoked = api.post(f"/api/v1/tours/{tour_id}/grants/{grant_id}/revoke")
    assert revoked.json()["active"] is False
    assert api.get(f"/api/v1/tours/{tour_id}/visits").json()["count"] == 0


def test_an_unknown_link_is_kept_and_an_id_without_provider_link_is_a_german_400(api, prop):
    kept = api.post(f"/api/v1/properties/{prop.pk}/tours", {"link": "https://unbekannt.example/tour?id=5"})
    assert kept.status_code == 201 and kept.json()["provider"] == "generic"
    refused = api.post(f"/api/v1/properties/{prop.pk}/tours", {"link": "abc", "provider": "giraffe360"})
    assert "Bitte fügen Sie den Link" in assert_problem(refused, 400)["detail"]


def test_another_office_sees_nothing_and_readonly_cannot_write(prop, outsider, readonly_user, api):
    tour_id = api.post(f"/api/v1/properties/{prop.pk}/tours", {"link": "SxQL3iGyoDo"}).json()["id"]
    assert api_client_for(outsider).get(f"/api/v1/tours/{tour_id}").status_code == 404
    ro = api_client_for(readonly_user)
    assert ro.get(f"/api/v1/tours/{tour_id}").status_code == 200
    assert ro.post(f"/api/v1/tours/{tour_id}/publish", {"published": True}).status_code == 403


def test_a_tour_is_read_changed_and_deleted_under_its_property(api, prop, office, agent):
    from tests.inquiries.conftest import make_property

    tour_id = api.post(f"/api/v1/properties/{prop.pk}/tours", {"link": "SxQL3iGyoDo"}).json()["id"]
    base = f"/api/v1/properties/{prop.pk}/tours/{tour_id}"
    assert api.get(base).json()["external_id"] == "SxQL3iGyoDo"
    changed = api.put(base, {"link": "https://tour.ogulo.com/kx8d2fq1", "title": "Ogulo-Rundgang"})
    assert changed.json()["provider"] == "ogulo" and changed.json()["title"] == "Ogulo-Rundgang"
    other = make_property(office, agent, "MW-0999")
    assert_problem(api.get(f"/api/v1/properties/{other.pk}/tours/{tour_id}"), 404)  # not its property
    assert api.delete(base).status_code == 204
    assert_problem(api.get(base), 404)
