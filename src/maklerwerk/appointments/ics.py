"""iCalendar invitations (RFC 5545/5546) for appointments, built with `icalendar`.

A mail about an appointment carries METHOD:REQUEST (new or changed: the same UID, SEQUENCE
counting the changes) or METHOD:CANCEL (same UID). Times are written in Europe/Berlin with its
VTIMEZONE, so calendars show the local wall-clock time on both sides of a DST change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

BERLIN = ZoneInfo("Europe/Berlin")
PRODID = "-//Maklerwerk//Termine//DE"


@dataclass(frozen=True)
class Person:
    name: str
    email: str


@dataclass(frozen=True)
class Invitation:
    uid: str
    sequence: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    summary: str
    location: str
    description: str
    organizer: Person | None
    attendee: Person
    cancelled: bool = False


def _address(person: Person, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{person.email}")
    if person.name:
        address.params["CN"] = vText(person.name)
    for key, value in params.items():
        address.params[key] = vText(value)
    return address


def invitation_ics(inv: Invitation) -> bytes:
    """The .ics of one invitation (REQUEST) or cancellation (CANCEL) for one attendee."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", "CANCEL" if inv.cancelled else "REQUEST")
    event = Event()
    event.add("uid", inv.uid)
    event.add("sequence", inv.sequence)
    event.add("dtstamp", timezone.now().astimezone(dt.UTC))
    event.add("dtstart", inv.starts_at.astimezone(BERLIN))
    event.add("dtend", inv.ends_at.astimezone(BERLIN))
    event.add("summary", inv.summary)
    if inv.location:
        event.add("location", inv.location)
    if inv.description:
        event.add("description", inv.description)
    event.add("status", "CANCELLED" if inv.cancelled else "CONFIRMED")
    if inv.organizer is not None:
        event.add("organizer", _address(inv.organizer))
    event.add(
        "attendee",
        _address(inv.attendee, ROLE="REQ-PARTICIPANT", PARTSTAT="ACCEPTED", CUTYPE="INDIVIDUAL"),
    )
    cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()
