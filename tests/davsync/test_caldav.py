"""Calendar sync against Radicale; the caldav library plays the phone's calendar app."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from maklerwerk.appointments.models import Appointment
from maklerwerk.appointments.services import appointment_create, appointment_update
from maklerwerk.davsync import caldav as calsync
from maklerwerk.davsync import services

pytestmark = pytest.mark.django_db


def sync(account: Any) -> Any:
    account.refresh_from_db()
    return services.dav_account_sync(account=account)


def test_appointments_go_to_the_calendar_and_changes_come_back(
    agent: Any, calendar: Any, cal_account: Any
) -> None:
    start = (timezone.now() + dt.timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    appointment = appointment_create(
        office=agent.office,
        acting_user=agent,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        title="Besichtigung Hauptstr. 5",
        location="Hauptstr. 5, Köln",
    )
    first = sync(cal_account)
    assert first.counts == {"created_there": 1}
    (event,) = calendar.events()
    text = event.data
    assert f"UID:{appointment.uid}" in text and "BEGIN:VTIMEZONE" in text and "SEQUENCE:0" in text
    assert "METHOD" not in text
    for _run in range(2):
        again = sync(cal_account)
        assert again.writes == 0 and not set(again.counts) - {"unchanged"}, again.counts

    # The agent moves it on the phone: an hour later, another place.
    vevent = event.icalendar_component
    for key, value in (
        ("dtstart", start + dt.timedelta(hours=1)),
        ("dtend", start + dt.timedelta(hours=2)),
        ("location", "Café am Dom"),
    ):
        vevent.pop(key)
        vevent.add(key, value)
    event.save()
    assert sync(cal_account).counts.get("updated_here") == 1
    appointment.refresh_from_db()
    assert appointment.starts_at == start + dt.timedelta(hours=1) and appointment.location == "Café am Dom"
    assert appointment.sequence == 1
    assert sync(cal_account).writes == 0

    # ... and cancels it there.
    event = calendar.events()[0]
    event.icalendar_component["status"] = "CANCELLED"
    event.save()
    sync(cal_account)
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED
    assert sync(cal_account).writes == 0


def test_a_change_in_maklerwerk_updates_the_event(agent: Any, calendar: Any, cal_account: Any) -> None:
    start = (timezone.now() + dt.timedelta(days=5)).replace(minute=0, second=0, microsecond=0)
    appointment = appointment_create(
        office=agent.office,
        acting_user=agent,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        title="Notar",
    )
    sync(cal_account)
    appointment_update(appointment=appointment, acting_user=agent, location="Notariat Schmitz")
    report = sync(cal_account)
    assert report.counts.get("updated_there") == 1
    assert "Notariat Schmitz" in calendar.events()[0].data and "SEQUENCE:1" in calendar.events()[0].data


def test_foreign_events_are_busy_time_and_can_be_taken_over(
    agent: Any, calendar: Any, cal_account: Any
) -> None:
    start = (timezone.now() + dt.timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    calendar.save_event(dtstart=start, dtend=start + dt.timedelta(hours=2), summary="Zahnarzt")
    report = sync(cal_account)
    assert report.counts == {"busy": 1}
    (busy,) = calsync.busy_times(cal_account)
    assert busy.busy_summary == "Zahnarzt" and busy.busy_start == start
    assert Appointment.objects.count() == 0
    appointment = calsync.busy_take_over(account=cal_account, item_id=busy.pk)
    assert appointment.title == "Zahnarzt" and appointment.responsible == agent
    again = sync(cal_account)
    assert again.writes == 0 and Appointment.objects.count() == 1 and len(calendar.events()) == 1
    assert calsync.busy_times(cal_account) == []
