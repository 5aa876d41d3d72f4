"""The agent's side: calendar, moving (changed invitation), result with feedback, booking links."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from maklerwerk.appointments.models import Appointment, BookingLink
from maklerwerk.appointments.services import booking_link_create, slot_book
from maklerwerk.core.models import Activity
from tests.appointments.conftest import ics_parts

pytestmark = pytest.mark.django_db
SERIES = {"start": "10:00", "end": "12:00", "minutes": 20, "weeks": 1, "capacity": 1, "mode": "in_person"}


def _login(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def booked(prop: Any, erika: Any, slots: list[Any], agent: Any) -> Appointment:
    link, _ = booking_link_create(prop=prop, contact=erika, acting_user=agent)
    appointment = slot_book(link=link, slot_id=slots[0].pk).appointment
    assert appointment is not None
    return appointment


def test_moving_an_appointment_sends_the_update_with_the_same_uid_and_sequence_1(
    booked: Appointment, agent: Any, smtp_sink: Any
) -> None:
    start = booked.starts_at + dt.timedelta(hours=2)
    response = _login(agent).post(
        f"/appointments/{booked.pk}/move/",
        {"start": start.isoformat(), "end": (start + dt.timedelta(minutes=45)).isoformat()},
    )
    assert response.status_code == 200 and "verschoben" in response.json()["message"]
    booked.refresh_from_db()
    assert booked.starts_at == start and booked.sequence == 1
    [mail] = smtp_sink.parsed()
    assert mail["Subject"].startswith("Geändert:")
    [event] = ics_parts(mail)[0].walk("VEVENT")
    assert str(event["UID"]) == booked.uid and int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART") == start and event.decoded("DTEND") == start + dt.timedelta(minutes=45)


def test_a_move_to_an_end_before_the_start_is_refused_and_nothing_changes(
    booked: Appointment, agent: Any
) -> None:
    start = booked.starts_at
    response = _login(agent).post(
        f"/appointments/{booked.pk}/move/",
        {"start": (start + dt.timedelta(hours=1)).isoformat(), "end": start.isoformat()},
    )
    assert response.status_code == 400 and "Ende muss nach dem Beginn" in response.json()["message"]
    booked.refresh_from_db()
    assert booked.starts_at == start and booked.sequence == 0


def test_took_place_with_feedback_becomes_a_viewing_activity_on_contact_and_property(
    booked: Appointment, agent: Any, erika: Any, prop: Any
) -> None:
    client = _login(agent)
    page = client.post(
        f"/appointments/{booked.pk}/status/",
        {"status": "done", "feedback": "Gefällt sehr, fragt nach dem Keller."},
        follow=True,
    ).content.decode()
    assert "stattgefunden" in page and "fragt nach dem Keller" in page
    activity = Activity.objects.get(type=Activity.Type.VIEWING)
    assert activity.contact == erika and activity.property == prop
    assert activity.body == "Gefällt sehr, fragt nach dem Keller."
    for query in ({"contact": erika.pk}, {"property": prop.pk}):
        timeline = client.get("/activities/", query).content.decode()
        assert "Besichtigung: stattgefunden" in timeline and "fragt nach dem Keller" in timeline


def test_cancelling_sends_method_cancel_with_the_same_uid_and_frees_the_seat(
    booked: Appointment, agent: Any, smtp_sink: Any
) -> None:
    _login(agent).post(f"/appointments/{booked.pk}/status/", {"status": "cancelled"})
    booked.refresh_from_db()
    assert booked.status == Appointment.Status.CANCELLED
    assert booked.booking.slot.booked == 0
    [mail] = smtp_sink.parsed()
    [cal] = ics_parts(mail)
    assert str(cal["METHOD"]) == "CANCEL"
    assert str(cal.walk("VEVENT")[0]["UID"]) == booked.uid


def test_the_calendar_lists_the_week_and_a_new_appointment_form_saves(
    agent: Any, prop: Any, erika: Any
) -> None:
    client = _login(agent)
    assert 'id="calendar"' in client.get("/appointments/").content.decode()
    start = timezone.localtime().replace(hour=14, minute=0, second=0, microsecond=0) + dt.timedelta(days=1)
    response = client.post(
        "/appointments/new/",
        {
            "kind": "meeting",
            "title": "Eigentümergespräch",
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "responsible": agent.pk,
            "property": prop.pk,
            "contacts": [erika.pk],
        },
        follow=True,
    )
    assert "Termin gespeichert" in response.content.decode()
    appointment = Appointment.objects.get()
    assert appointment.location == "Parkstraße 5, 60311 Frankfurt am Main"
    events = client.get(
        "/appointments/events/",
        {
            "start": (start - dt.timedelta(days=1)).isoformat(),
            "end": (start + dt.timedelta(days=6)).isoformat(),
        },
    ).json()
    assert [e["title"] for e in events] == ["Eigentümergespräch"]
    assert "Eigentümergespräch" in client.get(f"/contacts/{erika.pk}/").content.decode()


def test_the_form_refuses_an_end_before_the_start_in_german(agent: Any) -> None:
    html = (
        _login(agent)
        .post(
            "/appointments/new/",
            {"kind": "meeting", "starts_at": "2030-01-02T10:00", "ends_at": "2030-01-02T09:00"},
        )
        .content.decode()
    )
    assert "Das Ende muss nach dem Beginn liegen" in html
    assert not Appointment.objects.exists()


def test_booking_links_go_from_the_match_list_to_each_selected_contact(
    prop: Any, erika: Any, otto: Any, slots: list[Any], agent: Any, smtp_sink: Any
) -> None:
    client = _login(agent)
    assert 'id="send-booking-links"' in client.get(f"/properties/{prop.pk}/").content.decode()
    confirm = client.get(
        "/appointments/send-links/", {"property": prop.pk, "contact_ids": [erika.pk, otto.pk]}
    )
    assert "2 kommende Besichtigungstermine" in confirm.content.decode()
    client.post("/appointments/send-links/", {"property": prop.pk, "contact_ids": [erika.pk, otto.pk]})
    mails = smtp_sink.parsed()
    assert sorted(m["To"].addresses[0].addr_spec for m in mails) == ["erika@example.org", "otto@example.org"]
    assert BookingLink.objects.count() == 2
    url = next(w for w in mails[0].get_body(("plain",)).get_content().split() if "/appointments/b/" in w)
    assert (
        Client()
        .get(url.split("testserver", 1)[-1] if "testserver" in url else url[url.index("/appointments/") :])
        .status_code
        == 200
    )


def test_the_property_tab_creates_a_series_and_shows_german_errors(prop: Any, agent: Any) -> None:
    client = _login(agent)
    assert "Besichtigungstermine" in client.get(f"/appointments/property/{prop.pk}/tab/").content.decode()
    bad = client.post(
        f"/appointments/property/{prop.pk}/series/",
        {
            "first_day": "2020-01-04",
            "start": "10:00",
            "end": "12:00",
            "minutes": 20,
            "weeks": 1,
            "capacity": 1,
            "mode": "in_person",
        },
    )
    assert bad.status_code == 400 and "Vergangenheit" in bad.content.decode()
    day = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    client.post(
        f"/appointments/property/{prop.pk}/series/",
        {
            "first_day": day,
            "start": "10:00",
            "end": "12:00",
            "minutes": 20,
            "weeks": 2,
            "capacity": 3,
            "mode": "in_person",
        },
    )
    tab = client.get(f"/appointments/property/{prop.pk}/tab/").content.decode()
    assert tab.count("0/3") == 12


def test_an_other_office_sees_nothing(booked: Appointment, outsider: Any) -> None:
    client = _login(outsider)
    assert client.get(f"/appointments/{booked.pk}/").status_code == 404
    assert json.loads(client.get("/appointments/events/").content) == []


def test_todays_appointments_are_on_the_dashboard(agent: Any, office: Any, prop: Any) -> None:
    from maklerwerk.appointments.services import appointment_create

    start = timezone.localtime().replace(hour=15, minute=30, second=0, microsecond=0)
    with time_machine.travel(start - dt.timedelta(hours=6), tick=False):
        appointment_create(
            office=office, acting_user=agent, title="Übergabe Schlüssel", kind="handover",
            starts_at=start, ends_at=start + dt.timedelta(minutes=30), property_id=prop.pk,
        )  # fmt: skip
        appointment_create(
            office=office, acting_user=agent, title="Morgen", kind="meeting",
            starts_at=start + dt.timedelta(days=1), ends_at=start + dt.timedelta(days=1, hours=1),
        )  # fmt: skip
        html = _login(agent).get("/appointments/today/").content.decode()
    assert "15:30" in html and "Übergabe Schlüssel" in html and "Morgen" not in html


def test_feedback_per_attendee_sets_the_interest_status_on_the_property_link(
    booked: Appointment, agent: Any, erika: Any, prop: Any
) -> None:
    from maklerwerk.properties.models import PropertyContact

    client = _login(agent)
    form = client.get(f"/appointments/{booked.pk}/").content.decode()
    assert "Je Teilnehmer" in form and f'name="interest_{erika.pk}"' in form
    page = client.post(
        f"/appointments/{booked.pk}/status/",
        {"status": "done", f"interest_{erika.pk}": "offer", f"feedback_{erika.pk}": "Will 480.000 bieten."},
        follow=True,
    ).content.decode()
    assert "Will 480.000 bieten." in page and "Angebot" in page
    link = PropertyContact.objects.get(property=prop, contact=erika, role=PropertyContact.Role.PROSPECT)
    assert link.interest_status == "offer"


def test_an_all_day_appointment_with_a_colleague_is_in_the_colleagues_calendar_too(
    agent: Any, backoffice_user: Any
) -> None:
    day = timezone.localdate() + dt.timedelta(days=3)
    response = _login(agent).post(
        "/appointments/new/",
        {
            "kind": "other",
            "title": "Messe Immobilientage",
            "starts_at": f"{day:%Y-%m-%d}T00:00",
            "ends_at": f"{day + dt.timedelta(days=1):%Y-%m-%d}T00:00",
            "all_day": "on",
            "responsible": agent.pk,
            "users": [backoffice_user.pk],
        },
        follow=True,
    )
    page = response.content.decode()
    assert "Termin gespeichert" in page and "Weitere Teilnehmer (Kollegen)" in page
    assert str(backoffice_user) in page
    around = {"start": f"{day - dt.timedelta(days=1)}T00:00", "end": f"{day + dt.timedelta(days=2)}T00:00"}
    theirs = _login(backoffice_user).get("/appointments/events/", {**around, "mine": "1"}).json()
    assert [(e["title"], e["allDay"]) for e in theirs] == [("Messe Immobilientage", True)]


def test_the_edit_page_changes_an_appointment_and_sends_the_changed_invitation(
    booked: Appointment, agent: Any, otto: Any, smtp_sink: Any
) -> None:
    client = _login(agent)
    page = client.get(f"/appointments/{booked.pk}/edit/").content.decode()
    assert "Termin bearbeiten" in page and booked.location in page
    assert (
        f'href="/appointments/{booked.pk}/edit/"'
        in client.get(f"/appointments/{booked.pk}/").content.decode()
    )
    start = timezone.localtime(booked.starts_at) + dt.timedelta(days=1)
    form = {
        "kind": booked.kind,
        "title": "Zweite Besichtigung",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + dt.timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M"),
        "responsible": agent.pk,
        "property": booked.property_id,
        "contacts": [c.pk for c in booked.contacts.all()] + [otto.pk],
        "location": "Treffpunkt am Parkeingang",
        "notes": "Schlüssel beim Hausmeister",
    }
    response = client.post(f"/appointments/{booked.pk}/edit/", {**form, "invite": "1"}, follow=True)
    assert "Termin gespeichert" in response.content.decode()
    booked.refresh_from_db()
    assert booked.title == "Zweite Besichtigung" and booked.location == "Treffpunkt am Parkeingang"
    assert booked.sequence == 1 and set(booked.contacts.all()) >= {otto}
    events = [ics_parts(m)[0].walk("VEVENT")[0] for m in smtp_sink.parsed()]
    assert events and all(int(e["SEQUENCE"]) == 1 and str(e["UID"]) == booked.uid for e in events)
    # Bad input keeps the page and changes nothing.
    bad = client.post(
        f"/appointments/{booked.pk}/edit/", {**form, "ends_at": form["starts_at"][:-5] + "00:00"}
    )
    assert bad.status_code == 200 and "Das Ende muss nach dem Beginn liegen" in bad.content.decode()
    booked.refresh_from_db()
    assert booked.title == "Zweite Besichtigung" and booked.sequence == 1


def test_a_read_only_user_cannot_open_the_edit_page(booked: Appointment, office: Any) -> None:
    from tests.conftest import make_user

    reader = make_user(office, "leser", role="readonly")
    assert _login(reader).get(f"/appointments/{booked.pk}/edit/").status_code == 403
