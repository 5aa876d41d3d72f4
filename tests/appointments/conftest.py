"""Appointments fixtures: a property in marketing, prospects with e-mail addresses, a slot series."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.contacts.conftest import make_contact


@pytest.fixture
def prop(office: Any, agent: Any) -> Any:
    from maklerwerk.properties.models import Property

    return Property.objects.create(
        office=office,
        external_id="W-100",
        title="Altbau am Park",
        street="Parkstraße",
        house_number="5",
        postal_code="60311",
        city="Frankfurt am Main",
        responsible_agent=agent,
        status=Property.Status.ACTIVE,
    )


def prospect(office: Any, first: str, last: str, email: str) -> Any:
    return make_contact(
        office, None, first_name=first, last_name=last, emails=[{"value": email, "kind": "private"}]
    )


@pytest.fixture
def erika(office: Any) -> Any:
    return prospect(office, "Erika", "Mustermann", "erika@example.org")


@pytest.fixture
def otto(office: Any) -> Any:
    return prospect(office, "Otto", "Normal", "otto@example.org")


def next_saturday() -> dt.date:
    from django.utils import timezone

    today = timezone.localdate()
    return today + dt.timedelta(days=(5 - today.weekday()) % 7 or 7)


@pytest.fixture
def slots(prop: Any, agent: Any) -> list[Any]:
    """Saturday 10:00–11:00, two 30-minute slots with one seat each."""
    from maklerwerk.appointments.series import SeriesRule
    from maklerwerk.appointments.services import slot_series_create

    rule = SeriesRule(first_day=next_saturday(), start=dt.time(10), end=dt.time(11), minutes=30)
    return slot_series_create(prop=prop, acting_user=agent, rule=rule, capacity=1)


def ics_parts(message: Any) -> list[Any]:
    """The calendar attachments of a received mail, parsed with icalendar."""
    from icalendar import Calendar

    return [
        Calendar.from_ical(
            part.get_content() if isinstance(part.get_content(), str) else part.get_payload(decode=True)
        )
        for part in message.walk()
        if part.get_content_type() == "text/calendar"
    ]
