"""An online viewing carries its live link (the tour provider's live session or any video room);
when it took place it is an activity "Online-Besichtigung" on the property and on every attendee."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from maklerwerk.appointments.models import Appointment
from maklerwerk.core.models import Activity
from tests.appointments.conftest import ics_parts
from tests.conftest import ApiClient

pytestmark = pytest.mark.django_db

LIVE = "https://meet.example.org/rundgang-mw-0001"


def _iso(moment: dt.datetime) -> str:
    return timezone.localtime(moment).isoformat()


def test_an_online_viewing_that_took_place_is_an_activity_on_the_property_and_every_attendee(
    api: ApiClient, agent_client: Any, prop: Any, erika: Any, otto: Any, smtp_sink: Any
) -> None:
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=2)
    created = api.post(
        "/api/v1/appointments",
        {
            "kind": "online_viewing",
            "starts_at": _iso(start),
            "ends_at": _iso(start + dt.timedelta(minutes=45)),
            "property_id": prop.pk,
            "contact_ids": [erika.pk, otto.pk],
            "video_url": LIVE,
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["video_url"] == LIVE and body["location"] == LIVE  # not the property's address
    api.post(f"/api/v1/appointments/{body['id']}/invite")
    [event] = ics_parts(smtp_sink.parsed()[0])[0].walk("VEVENT")
    assert str(event["LOCATION"]) == LIVE  # the attendees' calendars open the live room

    page = agent_client.get(reverse("appointments:detail", args=[body["id"]])).content.decode()
    assert LIVE in page and "Live-Link" in page

    done = api.patch(f"/api/v1/appointments/{body['id']}", {"status": "done", "feedback": "Live gezeigt."})
    assert done.status_code == 200, done.content
    activity = Activity.objects.get(type="online_viewing", property=prop)
    assert activity.get_type_display() == "Online-Besichtigung"
    assert activity.subject.startswith("Online-Besichtigung") and activity.payload["video_url"] == LIVE
    for contact in (erika, otto):
        timeline = agent_client.get(
            reverse("core:activity_timeline"), {"contact": contact.pk}
        ).content.decode()
        assert "Online-Besichtigung" in timeline and "Live gezeigt." in timeline
    assert not Activity.objects.filter(type="viewing", property=prop).exists()


def test_the_form_takes_the_live_link_and_refuses_a_bad_one(agent_client: Any, prop: Any, erika: Any) -> None:
    start = timezone.localtime() + dt.timedelta(days=1)
    data = {
        "kind": "online_viewing",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + dt.timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M"),
        "property": prop.pk,
        "contacts": [erika.pk],
        "video_url": "kein link",
    }
    refused = agent_client.post(reverse("appointments:create"), data)
    assert refused.status_code == 200 and "Bitte eine gültige Adresse eingeben." in refused.content.decode()
    assert not Appointment.objects.exists()
    agent_client.post(reverse("appointments:create"), {**data, "video_url": LIVE})
    assert Appointment.objects.get().video_url == LIVE
