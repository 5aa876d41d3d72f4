"""An agent's overlapping appointments: a warning on the form (htmx), in the calendar and in the
API (`conflicts`), never a refusal."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from maklerwerk.appointments.models import Appointment
from maklerwerk.appointments.services import appointment_create
from tests.conftest import ApiClient

pytestmark = pytest.mark.django_db


def _iso(moment: dt.datetime) -> str:
    return timezone.localtime(moment).isoformat()


def _at(days: int, hour: int) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def test_the_api_saves_an_overlapping_appointment_and_names_the_conflict(api: ApiClient, agent: Any) -> None:
    first = appointment_create(
        office=agent.office, acting_user=agent, starts_at=_at(3, 10), ends_at=_at(3, 11), title="Notar"
    )
    body = {
        "kind": "meeting",
        "starts_at": _iso(_at(3, 10) + dt.timedelta(minutes=30)),
        "ends_at": _iso(_at(3, 12)),
    }
    created = api.post("/api/v1/appointments", body)
    assert created.status_code == 201 and created.json()["conflicts"] == [first.pk]
    moved = api.patch(
        f"/api/v1/appointments/{created.json()['id']}",
        {"starts_at": _iso(_at(3, 11)), "ends_at": _iso(_at(3, 12))},
    )
    assert moved.status_code == 200 and moved.json()["conflicts"] == []
    assert Appointment.objects.count() == 2


def test_the_form_hints_at_the_overlap_and_the_calendar_move_warns(agent_client: Any, agent: Any) -> None:
    appointment_create(
        office=agent.office,
        acting_user=agent,
        starts_at=_at(4, 9),
        ends_at=_at(4, 10),
        title="Übergabe Hansa",
    )
    params = {
        "starts_at": f"{_at(4, 9):%Y-%m-%d}T09:30",
        "ends_at": f"{_at(4, 9):%Y-%m-%d}T10:30",
        "responsible": agent.pk,
    }
    hint = agent_client.get("/appointments/conflicts/", params).content.decode()
    assert (
        "Achtung: überschneidet sich mit" in hint
        and "Übergabe Hansa" in hint
        and "trotzdem speichern" in hint
    )
    free = {**params, "starts_at": f"{_at(4, 9):%Y-%m-%d}T11:00", "ends_at": f"{_at(4, 9):%Y-%m-%d}T12:00"}
    assert agent_client.get("/appointments/conflicts/", free).content.decode() == ""
    other = appointment_create(
        office=agent.office, acting_user=agent, starts_at=_at(4, 14), ends_at=_at(4, 15)
    )
    response = agent_client.post(
        f"/appointments/{other.pk}/move/", {"start": _at(4, 9).isoformat(), "end": _at(4, 10).isoformat()}
    )
    data = response.json()
    assert data["ok"] and data["conflict"] and "Übergabe Hansa" in data["message"]
