"""The personal iCal feed: secret URL (hash stored), only the user's own appointments, no contact
e-mail or phone, VTIMEZONE Europe/Berlin, ETag/304, revocable, read-only."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from icalendar import Calendar

from maklerwerk.appointments.feed import feed_create
from maklerwerk.appointments.models import CalendarFeed
from maklerwerk.appointments.services import appointment_create
from tests.conftest import make_user

BERLIN = ZoneInfo("Europe/Berlin")


def _path(url: str) -> str:
    return urlsplit(url).path


def _make(user: Any, contacts: list[Any], start: dt.datetime, title: str, **extra: Any) -> Any:
    return appointment_create(
        office=user.office,
        acting_user=user,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        title=title,
        contact_ids=[c.pk for c in contacts],
        **extra,
    )


@pytest.mark.django_db
@time_machine.travel(dt.datetime(2026, 12, 20, 12, tzinfo=BERLIN), tick=False)
def test_the_feed_holds_only_my_appointments_in_berlin_time_without_contact_details(
    agent: Any, admin_user: Any, erika: Any, prop: Any
) -> None:
    summer = dt.datetime(2027, 7, 3, 10, tzinfo=BERLIN)
    winter = dt.datetime(2027, 1, 9, 10, tzinfo=BERLIN)
    mine = _make(agent, [erika], summer, "Besichtigung Altbau", property_id=prop.pk)
    _make(agent, [], winter, "Notar")
    _make(admin_user, [erika], summer, "Fremder Termin")
    url = feed_create(user=agent, office=agent.office)
    assert url.endswith(".ics") and "/calendar/" in url
    token = _path(url).rsplit("/", 1)[-1].removesuffix(".ics")
    assert token not in CalendarFeed.objects.get(user=agent).token_hash
    response = Client().get(_path(url))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    assert str(cal["METHOD"]) == "PUBLISH"
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/Berlin"]
    events = {str(e["SUMMARY"]): e for e in cal.walk("VEVENT")}
    assert set(events) == {"Besichtigung Altbau", "Notar"}  # not the administrator's
    event = events["Besichtigung Altbau"]
    assert str(event["UID"]) == mine.uid
    assert event.decoded("DTSTART") == summer and event["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert events["Notar"].decoded("DTSTART") == winter  # winter time (+01:00) as well
    assert "Erika Mustermann" in str(event["DESCRIPTION"])
    text = response.content.decode()
    assert "erika@example.org" not in text and "mailto:" not in text


@pytest.mark.django_db
def test_etag_answers_304_and_a_rotated_or_revoked_feed_is_gone(agent: Any, api: Any, erika: Any) -> None:
    _make(agent, [erika], timezone.now() + dt.timedelta(days=2), "Übergabe")
    old = _path(feed_create(user=agent, office=agent.office))
    client = Client()
    first = client.get(old)
    etag = first["ETag"]
    assert client.get(old, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.post(old).status_code == 405  # read-only
    response = api.post("/api/v1/me/calendar-feed")
    assert response.status_code == 201
    body = response.json()
    assert body["webcal_url"].startswith("webcal://")
    new = _path(body["url"])
    assert new != old
    assert client.get(old).status_code == 404
    assert Calendar.from_ical(client.get(new).content).walk("VEVENT")
    assert api.delete("/api/v1/me/calendar-feed").status_code == 204
    assert client.get(new).status_code == 404
    assert api.delete("/api/v1/me/calendar-feed").status_code == 404
    assert client.get("/calendar/kein-gueltiges-geheimnis-0123456789.ics").status_code == 404


@pytest.mark.django_db
def test_an_empty_feed_still_names_its_time_zone_and_a_deactivated_user_has_none(office: Any) -> None:
    user = make_user(office, "neu", "agent")
    path = _path(feed_create(user=user, office=office))
    cal = Calendar.from_ical(Client().get(path).content)
    assert not cal.walk("VEVENT") and str(cal.walk("VTIMEZONE")[0]["TZID"]) == "Europe/Berlin"
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert Client().get(path).status_code == 404


@pytest.mark.django_db
def test_the_subscription_page_shows_the_address_once_and_switches_it_off(
    agent_client: Any, agent: Any
) -> None:
    page = agent_client.get("/appointments/feed/").content.decode()
    assert "Meine Abo-Adresse erstellen" in page
    created = agent_client.post("/appointments/feed/", {"action": "create"}).content.decode()
    assert "Sie wird nur jetzt angezeigt" in created and "webcal://" in created
    again = agent_client.get("/appointments/feed/").content.decode()
    assert "Abo aktiv seit" in again and "webcal://" not in again
    response = agent_client.post("/appointments/feed/", {"action": "revoke"}, follow=True)
    assert "Das Kalender-Abo ist abgeschaltet" in response.content.decode()
    assert not CalendarFeed.objects.filter(user=agent).exists()


@pytest.mark.django_db
def test_administrators_set_the_reminder_hours_and_the_agenda_time(
    client: Any, admin_user: Any, agent_client: Any
) -> None:
    from maklerwerk.appointments.models import AppointmentSettings

    assert agent_client.get("/appointments/settings/").status_code == 403
    client.force_login(admin_user)
    assert "Tagesübersicht" in client.get("/appointments/settings/").content.decode()
    data = {
        "first_reminder_hours": "48",
        "second_reminder_hours": "0",
        "remind_agents": "on",
        "agenda_enabled": "on",
        "agenda_time": "06:30",
    }
    response = client.post("/appointments/settings/", data, follow=True)
    assert "Einstellungen gespeichert" in response.content.decode()
    cfg = AppointmentSettings.objects.get(office=admin_user.office)
    assert (cfg.first_reminder_hours, cfg.second_reminder_hours, cfg.remind_contacts) == (48, 0, False)
    assert cfg.agenda_time == dt.time(6, 30)
    too_far = client.post("/appointments/settings/", {**data, "first_reminder_hours": "999"})
    assert "höchstens 14 Tage" in too_far.content.decode()


@pytest.mark.django_db
def test_a_repeated_poll_gets_its_304_without_the_feed_being_built_and_a_change_shows_at_once(
    agent: Any, erika: Any
) -> None:
    """GIVEN a calendar app that polls the feed WHEN nothing changed THEN it gets 304 (the ETag comes
    from one aggregate query, the appointments are not read) and a plain GET comes from the cache;
    WHEN the agent moves an appointment or a contact is renamed THEN the next poll has the change."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from maklerwerk.appointments.services import appointment_move

    start = (timezone.now() + dt.timedelta(days=3)).replace(hour=9, minute=0, second=0, microsecond=0)
    viewing = _make(agent, [erika], start, "Besichtigung Altbau")
    path = _path(feed_create(user=agent, office=agent.office))
    client = Client()
    first = client.get(path)
    etag = first["ETag"]

    def reads_appointments(queries: Any) -> bool:
        return any('"uid"' in q["sql"] for q in queries)

    with CaptureQueriesContext(connection) as poll:
        assert client.get(path, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert not reads_appointments(poll.captured_queries)
    with CaptureQueriesContext(connection) as again:
        second = client.get(path)
    assert second.content == first.content and second["ETag"] == etag
    assert not reads_appointments(again.captured_queries)

    appointment_move(
        appointment=viewing,
        starts_at=start + dt.timedelta(hours=2),
        ends_at=start + dt.timedelta(hours=3),
        acting_user=agent,
    )
    moved = client.get(path, HTTP_IF_NONE_MATCH=etag)
    assert moved.status_code == 200 and moved["ETag"] != etag
    [event] = Calendar.from_ical(moved.content).walk("VEVENT")
    assert event.decoded("DTSTART") == start + dt.timedelta(hours=2) and event.decoded("SEQUENCE") == 1

    erika.last_name = "Musterfrau"
    erika.save()
    renamed = client.get(path, HTTP_IF_NONE_MATCH=moved["ETag"])
    assert renamed.status_code == 200 and "Erika Musterfrau" in renamed.content.decode()


@pytest.mark.django_db
@time_machine.travel(dt.datetime(2026, 12, 20, 12, tzinfo=BERLIN), tick=False)
def test_the_feed_reaches_60_days_back_and_a_year_ahead(agent: Any) -> None:
    day = dt.datetime(2026, 12, 20, 10, tzinfo=BERLIN)
    for days, title in ((-61, "zu alt"), (-59, "vor 59 Tagen"), (365, "in einem Jahr"), (368, "zu weit")):
        _make(agent, [], day + dt.timedelta(days=days), title)
    cal = Calendar.from_ical(Client().get(_path(feed_create(user=agent, office=agent.office))).content)
    assert {str(e["SUMMARY"]) for e in cal.walk("VEVENT")} == {"vor 59 Tagen", "in einem Jahr"}


@pytest.mark.django_db
@time_machine.travel(dt.datetime(2026, 12, 20, 12, tzinfo=BERLIN), tick=False)
def test_a_feed_from_cached_events_is_the_feed_built_whole_and_shows_a_change(
    agent: Any, erika: Any, prop: Any
) -> None:
    """Each event block is cached under its appointment's state: the joined feed is what one
    `to_ical()` of the whole calendar gives, and a changed appointment or contact is built anew."""
    from django.core.cache import cache

    from maklerwerk.appointments.feed import feed_ics

    viewing = _make(
        agent, [erika], dt.datetime(2027, 1, 9, 10, tzinfo=BERLIN), "Besichtigung", property_id=prop.pk
    )
    _make(agent, [], dt.datetime(2027, 7, 3, 10, tzinfo=BERLIN), "Notar")
    first = feed_ics(agent, office_id=agent.office_id)
    assert feed_ics(agent, office_id=agent.office_id) == first  # now every event from the cache
    assert Calendar.from_ical(first).to_ical() == first
    viewing.title = "Besichtigung Dachgeschoss"
    viewing.save()
    erika.last_name = "Musterfrau"
    erika.save()
    changed = feed_ics(agent, office_id=agent.office_id)
    assert b"Besichtigung Dachgeschoss" in changed and b"Erika Musterfrau" in changed
    assert b"Notar" in changed
    cache.clear()
    assert feed_ics(agent, office_id=agent.office_id) == changed  # nothing stale was served
