"""Reminders 24 h and 2 h before (agent and invited contacts) and the daily agenda, each sent once."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from maklerwerk.appointments.models import Appointment, AppointmentSettings, ReminderClaim
from maklerwerk.appointments.reminders import agendas_send, reminders_send
from maklerwerk.appointments.services import appointment_create, appointment_move, appointment_set_status
from maklerwerk.appointments.tasks import remind_start
from maklerwerk.core.models import Job
from tests.conftest import make_user

BERLIN = ZoneInfo("Europe/Berlin")


def at(day: int, hour: int, minute: int = 0, month: int = 1) -> dt.datetime:
    return dt.datetime(2027, month, day, hour, minute, tzinfo=BERLIN)


def _viewing(agent: Any, contacts: list[Any], starts: dt.datetime, created: dt.datetime, prop: Any) -> Any:
    with time_machine.travel(created, tick=False):
        return appointment_create(
            office=agent.office,
            acting_user=agent,
            starts_at=starts,
            ends_at=starts + dt.timedelta(minutes=30),
            property_id=prop.pk,
            contact_ids=[c.pk for c in contacts],
        )


def _to(mail: Any) -> str:
    return str(mail["To"].addresses[0].addr_spec)


@pytest.fixture
def mailed_agent(agent: Any) -> Any:
    agent.email = "max@makler.example"
    agent.save(update_fields=["email"])
    return agent


@pytest.mark.django_db(transaction=True)
def test_the_agent_and_the_prospect_are_reminded_24_and_2_hours_before_each_once(
    prop: Any, erika: Any, mailed_agent: Any, smtp_sink: Any
) -> None:
    appointment = _viewing(mailed_agent, [erika], at(15, 10), at(10, 12), prop)
    with time_machine.travel(at(14, 9), tick=False):  # 25 hours before: too early
        assert reminders_send().sent == 0
    with time_machine.travel(at(14, 10, 30), tick=False):
        job = remind_start()
        assert job is not None
        job.refresh_from_db()
        assert job.state == Job.State.SUCCEEDED, job.error
        assert "2 Erinnerungen" in job.result["message"]
        assert remind_start() is not None  # a second run in the same window
    first = smtp_sink.parsed()
    assert sorted(_to(m) for m in first) == ["erika@example.org", "max@makler.example"]
    assert all(str(m["Subject"]).startswith("Erinnerung: ") for m in first)
    assert all("15.01.2027 10:00" in str(m["Subject"]) for m in first)
    to_erika = next(m for m in first if _to(m) == "erika@example.org")
    body = to_erika.get_body().get_content()
    assert "Erika Mustermann" in body and "Parkstraße 5" in body
    with time_machine.travel(at(15, 8, 30), tick=False):  # 90 minutes before: the second reminder
        assert reminders_send().sent == 2
        assert reminders_send().sent == 0
    assert len(smtp_sink.parsed()) == 4
    assert ReminderClaim.objects.filter(appointment=appointment, sent_at__isnull=False).count() == 4


@pytest.mark.django_db
def test_a_claim_left_by_a_killed_worker_is_never_sent_again(
    prop: Any, erika: Any, mailed_agent: Any, smtp_sink: Any
) -> None:
    appointment = _viewing(mailed_agent, [erika], at(15, 10), at(10, 12), prop)
    # The worker claimed Erika's reminder and died before the mail left.
    ReminderClaim.objects.create(
        office=mailed_agent.office,
        key=f"first:a{appointment.pk}:s0:c{erika.pk}",
        to_email="erika@example.org",
    )
    with time_machine.travel(at(14, 12), tick=False):
        outcome = reminders_send()
    assert (outcome.sent, outcome.skipped) == (1, 1)
    assert [_to(m) for m in smtp_sink.parsed()] == ["max@makler.example"]


@pytest.mark.django_db
def test_a_moved_appointment_is_reminded_again_a_cancelled_one_not(
    prop: Any, erika: Any, otto: Any, mailed_agent: Any, smtp_sink: Any
) -> None:
    moved = _viewing(mailed_agent, [erika], at(15, 10), at(10, 12), prop)
    cancelled = _viewing(mailed_agent, [otto], at(15, 11), at(10, 12), prop)
    appointment_set_status(
        appointment=cancelled, status=Appointment.Status.CANCELLED, acting_user=mailed_agent
    )
    with time_machine.travel(at(14, 12), tick=False):
        assert reminders_send().sent == 2  # agent and Erika, nobody about the cancelled one
        appointment_move(
            appointment=moved, starts_at=at(15, 11, 30), ends_at=at(15, 12), acting_user=mailed_agent
        )
        assert reminders_send().sent == 2  # the new time is reminded
    subjects = [str(m["Subject"]) for m in smtp_sink.parsed()]
    assert sum("15.01.2027 11:30" in s for s in subjects) == 2
    assert not any(_to(m) == "otto@example.org" for m in smtp_sink.parsed())


@pytest.mark.django_db
def test_a_booking_inside_the_window_gets_no_early_reminder_and_offices_choose_their_hours(
    prop: Any, erika: Any, mailed_agent: Any, smtp_sink: Any
) -> None:
    AppointmentSettings.objects.create(
        office=mailed_agent.office, first_reminder_hours=48, second_reminder_hours=0, remind_agents=False
    )
    _viewing(mailed_agent, [erika], at(15, 10), at(14, 12), prop)  # booked 22 hours before
    early = _viewing(mailed_agent, [erika], at(20, 10), at(10, 12), prop)
    with time_machine.travel(at(15, 9), tick=False):
        assert reminders_send().sent == 0
    with time_machine.travel(at(18, 11), tick=False):  # 47 hours before the 20th
        assert reminders_send().sent == 1
    [mail] = smtp_sink.parsed()
    assert _to(mail) == "erika@example.org" and "20.01.2027" in str(mail["Subject"])
    assert ReminderClaim.objects.get().appointment == early


@pytest.mark.django_db
def test_the_daily_agenda_goes_to_each_agent_at_the_office_time_once_and_not_on_an_empty_day(
    office: Any, prop: Any, erika: Any, otto: Any, mailed_agent: Any, smtp_sink: Any
) -> None:
    AppointmentSettings.objects.create(office=office, agenda_time=dt.time(6, 30))
    make_user(office, "leer", "agent", email="leer@makler.example")  # nothing today
    _viewing(mailed_agent, [erika], at(15, 10), at(10, 12), prop)
    _viewing(mailed_agent, [otto], at(15, 14), at(10, 12), prop)
    _viewing(mailed_agent, [otto], at(16, 9), at(10, 12), prop)  # tomorrow
    with time_machine.travel(at(15, 6, 15), tick=False):
        assert agendas_send().sent == 0
    with time_machine.travel(at(15, 6, 45), tick=False):
        assert agendas_send().sent == 1
        assert agendas_send().sent == 0
    [mail] = smtp_sink.parsed()
    assert _to(mail) == "max@makler.example"
    assert str(mail["Subject"]) == "Ihre Termine am 15.01.2027 (2)"
    body = mail.get_body().get_content()
    assert "10:00–10:30" in body and "14:00–14:30" in body and "Otto Normal" in body
    assert "16.01." not in body and "09:00" not in body


@pytest.mark.django_db
def test_an_office_can_switch_the_agenda_off(office: Any, prop: Any, erika: Any, mailed_agent: Any) -> None:
    AppointmentSettings.objects.create(office=office, agenda_enabled=False)
    _viewing(mailed_agent, [erika], at(15, 10), at(10, 12), prop)
    with time_machine.travel(at(15, 9), tick=False):
        assert agendas_send().sent == 0
    assert not ReminderClaim.objects.exists()
