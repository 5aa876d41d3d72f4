from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from maklerwerk.appointments.models import ViewingSlot
from maklerwerk.appointments.series import SeriesRule, series_times
from maklerwerk.appointments.services import slot_series_create
from maklerwerk.core.exceptions import ApplicationError

BERLIN = ZoneInfo("Europe/Berlin")
pytestmark = pytest.mark.django_db


@time_machine.travel(dt.datetime(2026, 10, 1, 9, tzinfo=BERLIN), tick=False)
def test_a_series_across_the_autumn_dst_change_keeps_local_times(prop: Any, agent: Any) -> None:
    rule = SeriesRule(
        first_day=dt.date(2026, 10, 17), start=dt.time(10), end=dt.time(12), minutes=20, weeks=3
    )
    slots = slot_series_create(prop=prop, acting_user=agent, rule=rule)
    assert len(slots) == 18
    local = sorted({s.starts_at.astimezone(BERLIN).strftime("%H:%M") for s in slots})
    assert local == ["10:00", "10:20", "10:40", "11:00", "11:20", "11:40"]
    days = sorted({s.starts_at.astimezone(BERLIN).date() for s in slots})
    assert days == [dt.date(2026, 10, 17), dt.date(2026, 10, 24), dt.date(2026, 10, 31)]
    # Summer time before, winter time after: the UTC hour moves, the wall clock does not.
    first_utc = {
        s.starts_at.astimezone(dt.UTC).hour for s in slots if s.starts_at.date() < dt.date(2026, 10, 25)
    }
    last_utc = {
        s.starts_at.astimezone(dt.UTC).hour for s in slots if s.starts_at.date() > dt.date(2026, 10, 25)
    }
    assert first_utc == {8, 9} and last_utc == {9, 10}
    assert ViewingSlot.objects.filter(property=prop).count() == 18
    assert slots[0].location == "Parkstraße 5, 60311 Frankfurt am Main"


def test_a_series_across_the_spring_change_keeps_local_times() -> None:
    rule = SeriesRule(dt.date(2027, 3, 21), start=dt.time(10), end=dt.time(11), minutes=30, weeks=2)
    times = series_times(rule)
    assert [t[0].strftime("%d.%m. %H:%M") for t in times] == [
        "21.03. 10:00",
        "21.03. 10:30",
        "28.03. 10:00",
        "28.03. 10:30",
    ]
    assert times[0][0].utcoffset() == dt.timedelta(hours=1) and times[2][0].utcoffset() == dt.timedelta(
        hours=2
    )


@pytest.mark.parametrize(
    ("rule", "german"),
    [
        (SeriesRule(dt.date(2027, 3, 28), dt.time(2, 30), dt.time(3, 30), 30), "gibt es am 28.03.2027 nicht"),
        (
            SeriesRule(dt.date(2026, 10, 25), dt.time(2, 0), dt.time(3, 0), 30),
            "gibt es am 25.10.2026 zweimal",
        ),
        (
            SeriesRule(dt.date(2027, 1, 2), dt.time(12), dt.time(10), 30),
            "Das Ende muss nach dem Beginn liegen",
        ),
        (SeriesRule(dt.date(2027, 1, 2), dt.time(10), dt.time(12), 20, weeks=20 * 52), "höchstens 52 Wochen"),
        (SeriesRule(dt.date(2027, 1, 2), dt.time(10), dt.time(10, 10), 20), "kürzer als ein Termin"),
    ],
)
def test_bad_series_are_refused_in_german(rule: SeriesRule, german: str, prop: Any, agent: Any) -> None:
    with (
        time_machine.travel(dt.datetime(2026, 10, 1, tzinfo=BERLIN), tick=False),
        pytest.raises(ApplicationError) as exc,
    ):
        slot_series_create(prop=prop, acting_user=agent, rule=rule)
    assert german in exc.value.message
    assert not ViewingSlot.objects.exists()


@time_machine.travel(dt.datetime(2026, 10, 1, 9, tzinfo=BERLIN), tick=False)
def test_past_overlapping_and_seatless_slots_are_refused(prop: Any, agent: Any) -> None:
    rule = SeriesRule(dt.date(2026, 10, 17), dt.time(10), dt.time(11), 30)
    with pytest.raises(ApplicationError, match="mindestens einen Platz"):
        slot_series_create(prop=prop, acting_user=agent, rule=rule, capacity=0)
    with pytest.raises(ApplicationError, match="Vergangenheit"):
        slot_series_create(
            prop=prop, acting_user=agent, rule=SeriesRule(dt.date(2026, 9, 1), dt.time(10), dt.time(11), 30)
        )
    slot_series_create(prop=prop, acting_user=agent, rule=rule)
    with pytest.raises(ApplicationError, match="überschneidet"):
        slot_series_create(
            prop=prop,
            acting_user=agent,
            rule=SeriesRule(dt.date(2026, 10, 17), dt.time(10, 15), dt.time(10, 45), 30),
        )
    assert ViewingSlot.objects.count() == 2
