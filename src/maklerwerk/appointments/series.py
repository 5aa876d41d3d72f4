"""Concrete viewing slots from a series rule, in Europe/Berlin wall-clock time (pure, no database).

"Samstags 10:00–12:00, 20 Minuten, 3 Wochen" gives 6 slots a day on 3 Saturdays; a slot at 10:00
stays at 10:00 local time on both sides of a DST change (its UTC time moves instead).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from maklerwerk.core.exceptions import ApplicationError

BERLIN = ZoneInfo("Europe/Berlin")
MAX_WEEKS = 52


@dataclass(frozen=True)
class SeriesRule:
    first_day: dt.date
    start: dt.time
    end: dt.time
    minutes: int
    weeks: int = 1


def _local(day: dt.date, at: dt.time) -> dt.datetime:
    """`day at` in Berlin; refuses a time that does not exist or exists twice on a DST day."""
    moment = dt.datetime.combine(day, at, tzinfo=BERLIN)
    back = moment.astimezone(dt.UTC).astimezone(BERLIN)
    if back.replace(tzinfo=None) != moment.replace(tzinfo=None):
        raise ApplicationError(
            _("%(time)s does not exist on %(day)s (the clocks go forward).")
            % {"time": at.strftime("%H:%M"), "day": day.strftime("%d.%m.%Y")}
        )
    if moment.utcoffset() != moment.replace(fold=1).utcoffset():
        raise ApplicationError(
            _("%(time)s exists twice on %(day)s (the clocks go back); please choose another time.")
            % {"time": at.strftime("%H:%M"), "day": day.strftime("%d.%m.%Y")}
        )
    return moment


def series_times(rule: SeriesRule) -> list[tuple[dt.datetime, dt.datetime]]:
    """The (start, end) of every slot of the rule, timezone-aware (Berlin)."""
    if rule.minutes < 5 or rule.minutes > 24 * 60:
        raise ApplicationError(_("A slot must last between 5 minutes and 24 hours."))
    if rule.end <= rule.start:
        raise ApplicationError(_("The end must be after the start."))
    if not 1 <= rule.weeks <= MAX_WEEKS:
        raise ApplicationError(_("A series can cover at most %(n)s weeks.") % {"n": MAX_WEEKS})
    length = dt.timedelta(minutes=rule.minutes)
    out: list[tuple[dt.datetime, dt.datetime]] = []
    for week in range(rule.weeks):
        day = rule.first_day + dt.timedelta(weeks=week)
        start = dt.datetime.combine(day, rule.start)
        window_end = dt.datetime.combine(day, rule.end)
        while start + length <= window_end:
            out.append((_local(day, start.time()), _local(day, (start + length).time())))
            start += length
    if not out:
        raise ApplicationError(_("The time window is shorter than one slot."))
    return out
