"""A recurring event from the calendar app (RRULE with a deleted, a moved and a cancelled date)
against Radicale: expanded in the sync window, at the right hour across the change to summer time."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from maklerwerk.appointments.models import Appointment
from maklerwerk.davsync import caldav as calsync
from tests.davsync.test_caldav import sync

pytestmark = pytest.mark.django_db

SERIES = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Handy//Kalender//DE
BEGIN:VEVENT
UID:jour-fixe-1@handy.example
DTSTAMP:20270101T000000Z
DTSTART;TZID=Europe/Berlin:20270311T100000
DTEND;TZID=Europe/Berlin:20270311T110000
RRULE:FREQ=WEEKLY;COUNT=6
EXDATE;TZID=Europe/Berlin:20270318T100000
SUMMARY:Jour fixe
END:VEVENT
BEGIN:VEVENT
UID:jour-fixe-1@handy.example
DTSTAMP:20270101T000000Z
RECURRENCE-ID;TZID=Europe/Berlin:20270401T100000
DTSTART;TZID=Europe/Berlin:20270401T140000
DTEND;TZID=Europe/Berlin:20270401T150000
SUMMARY:Jour fixe (verschoben)
END:VEVENT
BEGIN:VEVENT
UID:jour-fixe-1@handy.example
DTSTAMP:20270101T000000Z
RECURRENCE-ID;TZID=Europe/Berlin:20270408T100000
DTSTART;TZID=Europe/Berlin:20270408T100000
DTEND;TZID=Europe/Berlin:20270408T110000
STATUS:CANCELLED
SUMMARY:Jour fixe
END:VEVENT
END:VCALENDAR
"""


def utc(month: int, day: int, hour: int) -> dt.datetime:
    return dt.datetime(2027, month, day, hour, tzinfo=dt.UTC)


def test_a_weekly_series_with_exceptions_is_busy_at_the_right_hours_and_one_date_can_be_taken_over(
    agent: Any, agent_client: Any, calendar: Any, cal_account: Any
) -> None:
    """GIVEN a weekly 10:00 (Berlin) series of six dates from 11 March 2027: one deleted, one moved
    to 14:00, one cancelled; summer time starts on 28 March
    WHEN the calendar syncs
    THEN four busy times show, 10:00 Berlin before and after the change (09:00 and 08:00 UTC), the
    moved one at 14:00; one date taken over becomes an appointment of its own; re-syncs change
    nothing; a date deleted later in the app disappears."""
    calendar.save_event(SERIES)
    with time_machine.travel(dt.datetime(2027, 3, 1, 12, tzinfo=dt.UTC), tick=False):
        report = sync(cal_account)
        assert report.counts == {"busy": 1}
        slots = calsync.busy_times(cal_account)
        assert [(s.busy_start, s.busy_end) for s in slots] == [
            (utc(3, 11, 9), utc(3, 11, 10)),
            (utc(3, 25, 9), utc(3, 25, 10)),
            (utc(4, 1, 12), utc(4, 1, 13)),
            (utc(4, 15, 8), utc(4, 15, 9)),
        ]
        assert slots[2].busy_summary == "Jour fixe (verschoben)"
        agent_client.force_login(agent)  # the session of the fixture has expired by then
        page = agent_client.get(reverse("davsync:account", args=[cal_account.pk])).content.decode()
        assert page.count("Jour fixe") == 4

        last = slots[3]
        agent_client.post(
            reverse("davsync:busy_take_over", args=[cal_account.pk, last.pk]), {"start": last.start_key}
        )
        appointment = Appointment.objects.get(title="Jour fixe")
        assert (appointment.starts_at, appointment.ends_at) == (utc(4, 15, 8), utc(4, 15, 9))
        assert len(calsync.busy_times(cal_account)) == 3
        assert sync(cal_account).counts.get("created_there") == 1  # the appointment, as its own event
        for _ in range(2):
            again = sync(cal_account)
            assert again.writes == 0 and not set(again.counts) - {"unchanged"}, again.counts
        assert len(calendar.events()) == 2  # the series is still the calendar app's

        series = next(e for e in calendar.events() if "jour-fixe-1" in e.data)
        series.data = series.data.replace(
            "EXDATE;TZID=Europe/Berlin:20270318T100000",
            "EXDATE;TZID=Europe/Berlin:20270318T100000,20270325T100000",
        )
        series.save()
        assert sync(cal_account).counts.get("busy") == 1
        starts = [s.busy_start for s in calsync.busy_times(cal_account)]
        assert starts == [utc(3, 11, 9), utc(4, 1, 12)]  # the taken-over date stays taken
