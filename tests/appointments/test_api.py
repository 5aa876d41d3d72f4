"""/api/v1/appointments and the viewing slots of a property."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from maklerwerk.appointments.models import Appointment
from maklerwerk.core.models import Activity
from tests.appointments.conftest import ics_parts, next_saturday
from tests.conftest import ApiClient, api_client_for, assert_problem

pytestmark = pytest.mark.django_db


def _iso(moment: dt.datetime) -> str:
    return timezone.localtime(moment).isoformat()


def test_create_list_patch_and_invite(api: ApiClient, prop: Any, erika: Any, smtp_sink: Any) -> None:
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=3)
    created = api.post(
        "/api/v1/appointments",
        {
            "kind": "viewing",
            "starts_at": _iso(start),
            "ends_at": _iso(start + dt.timedelta(minutes=30)),
            "property_id": prop.pk,
            "contact_ids": [erika.pk],
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "planned" and body["contact_ids"] == [erika.pk]
    assert body["location"] == "Parkstraße 5, 60311 Frankfurt am Main" and body["sequence"] == 0
    listed = api.get(
        "/api/v1/appointments", {"from": _iso(start - dt.timedelta(days=1)), "property_id": prop.pk}
    )
    assert [a["id"] for a in listed.json()["items"]] == [body["id"]]
    assert api.get("/api/v1/appointments", {"to": _iso(start - dt.timedelta(days=1))}).json()["count"] == 0

    later = start + dt.timedelta(hours=2)
    moved = api.patch(
        f"/api/v1/appointments/{body['id']}",
        {"starts_at": _iso(later), "ends_at": _iso(later + dt.timedelta(minutes=30))},
    ).json()
    assert moved["sequence"] == 1
    sent = api.post(f"/api/v1/appointments/{body['id']}/invite").json()
    assert sent == [{"contact_id": erika.pk, "email": "erika@example.org", "error": ""}]
    [event] = ics_parts(smtp_sink.parsed()[0])[0].walk("VEVENT")
    assert str(event["UID"]) == moved["uid"] and int(event["SEQUENCE"]) == 1

    done = api.patch(
        f"/api/v1/appointments/{body['id']}", {"status": "done", "feedback": "Passt gut."}
    ).json()
    assert done["status"] == "done" and done["feedback"] == "Passt gut."
    assert Activity.objects.filter(type="viewing", contact=erika, property=prop, body="Passt gut.").exists()


def test_bad_input_is_refused_and_nothing_is_saved(api: ApiClient, prop: Any) -> None:
    start = timezone.now() + dt.timedelta(days=3)
    response = api.post(
        "/api/v1/appointments", {"starts_at": _iso(start), "ends_at": _iso(start - dt.timedelta(hours=1))}
    )
    assert response.status_code == 422
    assert not Appointment.objects.exists()
    series = api.post(
        f"/api/v1/properties/{prop.pk}/viewing-slots/series",
        {"first_day": "2027-03-28", "start": "02:30", "end": "03:30", "minutes": 30},
    )
    assert "gibt es am 28.03.2027 nicht" in assert_problem(series, 400)["detail"]


def test_a_series_through_the_api(api: ApiClient, prop: Any) -> None:
    day = next_saturday().isoformat()
    created = api.post(
        f"/api/v1/properties/{prop.pk}/viewing-slots/series",
        {"first_day": day, "start": "10:00", "end": "12:00", "minutes": 20, "weeks": 2, "capacity": 4},
    )
    assert created.status_code == 201 and len(created.json()) == 12
    slots = api.get(f"/api/v1/properties/{prop.pk}/viewing-slots").json()
    assert len(slots) == 12 and {s["capacity"] for s in slots} == {4} and slots[0]["booked"] == 0


def test_a_slot_is_edited_within_its_bookings_and_lists_them(
    api: ApiClient, prop: Any, erika: Any, slots: list[Any], agent: Any, smtp_sink: Any
) -> None:
    from maklerwerk.appointments.services import booking_link_create, slot_book

    link, _ = booking_link_create(prop=prop, contact=erika, acting_user=agent)
    slot_book(link=link, slot_id=slots[0].pk)
    url = f"/api/v1/viewing-slots/{slots[0].pk}"
    grown = api.patch(url, {"capacity": 4, "booking_mode": "request", "location": "Eingang Hof"})
    assert grown.status_code == 200, grown.content
    assert (grown.json()["capacity"], grown.json()["booking_mode"]) == (4, "request")
    moved = api.patch(url, {"starts_at": _iso(slots[0].starts_at + dt.timedelta(hours=2))})
    assert_problem(moved, 400)
    assert "bereits gebucht" in moved.json()["detail"] or "schon gebucht" in moved.json()["detail"]
    bookings = api.get(f"{url}/bookings").json()
    assert [b["contact_id"] for b in bookings] == [erika.pk] and not bookings[0]["cancelled"]
    free = f"/api/v1/viewing-slots/{slots[1].pk}"
    later = slots[1].starts_at + dt.timedelta(days=1)
    assert (
        api.patch(
            free, {"starts_at": _iso(later), "ends_at": _iso(later + dt.timedelta(minutes=30))}
        ).status_code
        == 200
    )
    assert api.delete(free).status_code == 204
    assert api.get(f"/api/v1/properties/{prop.pk}/viewing-slots").json()[1]["cancelled"] is True


def test_feedback_per_attendee_through_the_api_sets_the_interest_status(
    api: ApiClient, prop: Any, erika: Any, agent: Any
) -> None:
    from maklerwerk.appointments.services import appointment_create
    from maklerwerk.properties.models import PropertyContact

    start = timezone.now() - dt.timedelta(hours=2)
    appointment = appointment_create(
        office=agent.office,
        acting_user=agent,
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=30),
        property_id=prop.pk,
        contact_ids=[erika.pk],
    )
    body = {
        "status": "done",
        "attendee_feedback": [
            {"contact_id": erika.pk, "interest_status": "declined", "feedback": "Zu dunkel."}
        ],
    }
    response = api.patch(f"/api/v1/appointments/{appointment.pk}", body)
    assert response.status_code == 200, response.content
    link = PropertyContact.objects.get(property=prop, contact=erika, role=PropertyContact.Role.PROSPECT)
    assert link.interest_status == "declined"
    wrong = api.patch(
        f"/api/v1/appointments/{appointment.pk}",
        {"attendee_feedback": [{"contact_id": 999999, "feedback": "x"}]},
    )
    assert_problem(wrong, 400)


def test_colleagues_attend_see_it_in_their_calendar_and_feed_and_an_outsider_is_refused(
    api: ApiClient, agent: Any, backoffice_user: Any, other_office: Any, erika: Any
) -> None:
    from django.test import Client
    from icalendar import Calendar

    from maklerwerk.appointments.feed import feed_create
    from tests.conftest import make_user

    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=2)
    body = {
        "kind": "handover",
        "title": "Übergabe Altbau",
        "starts_at": _iso(start),
        "ends_at": _iso(start + dt.timedelta(hours=1)),
        "contact_ids": [erika.pk],
        "user_ids": [backoffice_user.pk],
    }
    created = api.post("/api/v1/appointments", body)
    assert created.status_code == 201, created.content
    assert created.json()["user_ids"] == [backoffice_user.pk] and created.json()["updated_at"]
    mine = api.get("/api/v1/appointments", {"user_id": backoffice_user.pk}).json()
    assert [a["title"] for a in mine["items"]] == ["Übergabe Altbau"]
    feed = Client().get(
        "/" + feed_create(user=backoffice_user, office=backoffice_user.office).split("/", 3)[3]
    )
    assert [str(e["SUMMARY"]) for e in Calendar.from_ical(feed.content).walk("VEVENT")] == ["Übergabe Altbau"]

    stranger = make_user(other_office, "fremd", "agent")
    refused = assert_problem(api.post("/api/v1/appointments", {**body, "user_ids": [stranger.pk]}), 400)
    assert refused["detail"] == "Unbekannter Benutzer."
    assert Appointment.objects.count() == 1  # nothing half-saved


def test_delete_frees_the_seat_and_needs_the_delete_right(
    api: ApiClient,
    readonly_user: Any,
    prop: Any,
    erika: Any,
    agent: Any,
    slots: list[Any],
) -> None:
    from maklerwerk.appointments.services import booking_link_create, slot_book

    link, _ = booking_link_create(prop=prop, contact=erika, acting_user=agent)
    appointment = slot_book(link=link, slot_id=slots[0].pk).appointment
    assert appointment is not None
    assert api_client_for(readonly_user).delete(f"/api/v1/appointments/{appointment.pk}").status_code == 403
    assert api.delete(f"/api/v1/appointments/{appointment.pk}").status_code == 204
    assert api.get(f"/api/v1/appointments/{appointment.pk}").status_code == 404
    slots[0].refresh_from_db()
    assert slots[0].booked == 0


def test_one_slot_is_created_and_bad_slots_are_refused_in_german(api: ApiClient, prop: Any) -> None:
    from maklerwerk.appointments.models import ViewingSlot

    day = next_saturday()
    at = timezone.make_aware(dt.datetime.combine(day, dt.time(14)))
    url = f"/api/v1/properties/{prop.pk}/viewing-slots"
    made = api.post(
        url, {"starts_at": _iso(at), "ends_at": _iso(at + dt.timedelta(minutes=30)), "capacity": 3}
    )
    assert made.status_code == 201, made.content
    assert made.json()["capacity"] == 3 and made.json()["location"] == "Parkstraße 5, 60311 Frankfurt am Main"
    assert api.get(f"/api/v1/viewing-slots/{made.json()['id']}").json()["id"] == made.json()["id"]
    overlap = api.post(
        url, {"starts_at": _iso(at + dt.timedelta(minutes=15)), "ends_at": _iso(at + dt.timedelta(hours=1))}
    )
    assert "überschneidet sich" in assert_problem(overlap, 400)["detail"]
    backwards = api.post(
        url, {"starts_at": _iso(at + dt.timedelta(hours=3)), "ends_at": _iso(at + dt.timedelta(hours=2))}
    )
    assert backwards.status_code == 422 and "Ende muss nach dem Beginn" in backwards.content.decode()
    past = api.post(
        url,
        {
            "starts_at": _iso(timezone.now() - dt.timedelta(hours=2)),
            "ends_at": _iso(timezone.now() - dt.timedelta(hours=1)),
        },
    )
    assert "Vergangenheit" in assert_problem(past, 400)["detail"]
    assert (
        api.post(
            url,
            {
                "starts_at": _iso(at + dt.timedelta(hours=5)),
                "ends_at": _iso(at + dt.timedelta(hours=6)),
                "capacity": 0,
            },
        ).status_code
        == 422
    )
    patched = api.patch(
        f"/api/v1/viewing-slots/{made.json()['id']}", {"ends_at": _iso(at - dt.timedelta(hours=1))}
    )
    assert patched.status_code == 422 and "Ende muss nach dem Beginn" in patched.content.decode()
    assert ViewingSlot.objects.count() == 1  # nothing half-saved
