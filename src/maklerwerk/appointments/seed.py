"""Demo appointments (issue 16/19): a calendar that is not empty on the first start. Today a viewing
and a phone appointment, a notary appointment tomorrow, yesterday's viewing marked "stattgefunden"
with feedback, and a viewing series on the next Saturday with one seat already booked.

Runs after contacts and properties; idempotent (an office with appointments gets none added).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from maklerwerk.appointments.models import Appointment
from maklerwerk.appointments.selectors import free_slots
from maklerwerk.appointments.series import SeriesRule
from maklerwerk.appointments.services import (
    appointment_create,
    appointment_set_status,
    booking_link_create,
    slot_book,
    slot_series_create,
)
from maklerwerk.contacts.selectors import contact_get, demo_contact_ids
from maklerwerk.core.seeding import SeedContext
from maklerwerk.properties.selectors import visible_properties

# (kind, title, day offset from today, hour, minutes long, with property)
APPOINTMENTS = [
    (Appointment.Kind.VIEWING, "", 0, 11, 30, True),
    (Appointment.Kind.CALL, "Telefontermin Finanzierung", 0, 16, 20, False),
    (Appointment.Kind.NOTARY, "Beurkundung Kaufvertrag", 1, 9, 60, True),
    (Appointment.Kind.VIEWING, "", -1, 17, 30, True),
]
FEEDBACK = (
    "Sehr interessiert, Balkon und Grundriss gefallen. Fragt nach den Nebenkosten und dem Protokoll "
    "der letzten Eigentümerversammlung."
)


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def seed_appointments(ctx: SeedContext) -> None:
    if Appointment.objects.filter(office=ctx.office).exists():
        return
    contacts = demo_contact_ids(office_id=ctx.office.pk, limit=8)
    props = list(visible_properties(ctx.agent).order_by("pk")[:3])
    if not contacts or not props:
        return
    today = timezone.localdate()
    held = None
    for i, (kind, title, days, hour, minutes, with_property) in enumerate(APPOINTMENTS):
        start = _at(today + dt.timedelta(days=days), hour)
        prop = props[i % len(props)] if with_property else None
        appointment = appointment_create(
            office=ctx.office,
            acting_user=ctx.agent,
            starts_at=start,
            ends_at=start + dt.timedelta(minutes=minutes),
            kind=kind,
            title=title or f"Besichtigung {prop.title if prop else ''}".strip(),
            property_id=prop.pk if prop else None,
            contact_ids=[contacts[i % len(contacts)]],
        )
        if days < 0:
            held = appointment
    if held is not None:
        appointment_set_status(
            appointment=held, status=Appointment.Status.DONE, acting_user=ctx.agent, feedback=FEEDBACK
        )
    saturday = today + dt.timedelta(days=(5 - today.weekday()) % 7 or 7)
    prop = props[0]
    slot_series_create(
        prop=prop,
        acting_user=ctx.agent,
        rule=SeriesRule(first_day=saturday, start=dt.time(10), end=dt.time(12), minutes=20, weeks=2),
        capacity=2,
    )
    link, _token = booking_link_create(
        prop=prop, contact=contact_get(user=ctx.agent, pk=contacts[-1]), acting_user=ctx.agent
    )
    first = free_slots(link).first()
    if first is not None:
        slot_book(link=link, slot_id=first.pk)
    ctx.log(f"{len(APPOINTMENTS) + 1} Termine und eine Besichtigungsreihe angelegt")
