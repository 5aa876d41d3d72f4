"""POST /api/v1/tour-webhooks/{tour_id}: signed, fresh, idempotent on the provider's visit id."""

from __future__ import annotations

import json
import time

import pytest

from maklerwerk.core.models import Activity
from maklerwerk.tours.models import Visit
from tests.conftest import assert_problem
from tests.inquiries.conftest import contact
from tests.tours.conftest import link_tour, sign

pytestmark = pytest.mark.django_db

BODY = {
    "event": "visit",
    "visit_id": "prov-4711",
    "email": "Jonas.Weber@example.com",
    "started_at": "2026-12-05T09:00:00+01:00",
    "ended_at": "2026-12-05T09:03:00+01:00",
    "rooms": [
        {"key": "wohnen", "name": "Wohnzimmer", "seconds": 120},
        {"key": "kueche", "name": "Küche", "seconds": 60},
    ],
}


def post(client, tour_id, body: bytes, headers):
    return client.post(f"/api/v1/tour-webhooks/{tour_id}", body, content_type="application/json", **headers)


def test_a_signed_visit_of_a_known_email_becomes_one_activity_and_a_replay_adds_nothing(
    client, office, prop, agent
):
    person = contact(
        office, first_name="Jonas", last_name="Weber", emails=[{"value": "jonas.weber@example.com"}]
    )
    tour, secret = link_tour(prop, agent)
    raw = json.dumps(BODY).encode()
    first = post(client, tour.pk, raw, sign(secret, raw))
    assert first.status_code == 201, first.content
    activity = Activity.objects.get(pk=first.json()["activity_id"])
    assert activity.contact_id == person.pk and activity.property_id == prop.pk
    assert activity.payload["rooms"] == {"wohnen": 120, "kueche": 60}
    again = post(client, tour.pk, raw, sign(secret, raw))  # the same visit, freshly signed
    assert again.status_code == 200 and again.json()["created"] is False
    assert Visit.objects.count() == 1 and Activity.objects.filter(payload__kind="tour_visit").count() == 1


def test_an_unknown_email_is_counted_anonymously_without_storing_it(client, prop, agent):
    tour, secret = link_tour(prop, agent)
    raw = json.dumps({**BODY, "email": "fremd@example.org"}).encode()
    assert post(client, tour.pk, raw, sign(secret, raw)).status_code == 201
    visit = Visit.objects.get()
    assert visit.contact_id is None and "fremd" not in json.dumps(visit.rooms) and visit.activity_id is None


def test_forged_old_or_unsigned_requests_are_401_and_store_nothing(client, prop, agent):
    tour, secret = link_tour(prop, agent)
    raw = json.dumps(BODY).encode()
    assert_problem(post(client, tour.pk, raw, sign("not-the-secret", raw)), 401)
    assert_problem(post(client, tour.pk, raw, sign(secret, raw, ts=int(time.time()) - 301)), 401)
    assert_problem(post(client, tour.pk, raw, {}), 401)
    tampered = raw.replace(b"120", b"999")
    assert_problem(post(client, tour.pk, tampered, sign(secret, raw)), 401)
    assert_problem(post(client, 999999, raw, sign(secret, raw)), 401)
    assert not Visit.objects.exists()


def test_a_signed_but_garbled_report_is_a_clear_400(client, prop, agent):
    tour, secret = link_tour(prop, agent)
    raw = json.dumps({**BODY, "ended_at": "gestern"}).encode()
    body = assert_problem(post(client, tour.pk, raw, sign(secret, raw)), 400)
    assert "Ungültige Besuchsmeldung" in body["detail"]


def test_the_webhook_of_a_deleted_property_s_tour_is_refused(client, prop, agent):
    tour, secret = link_tour(prop, agent)
    prop.delete()
    raw = json.dumps(BODY).encode()
    assert_problem(post(client, tour.pk, raw, sign(secret, raw)), 401)
