"""Two-way calendar sync of one `DavAccount` (CalDAV).

The user's appointments from `PAST_DAYS` ago to `FUTURE_DAYS` ahead go to the calendar as events
with the appointment's stable UID and SEQUENCE, written by `appointments.ics` (the invitation's
VEVENT with VTIMEZONE, without METHOD, which stored calendar objects must not carry). Time, place
and cancellation changed in the calendar app come back through the appointments services. Events
that are not Maklerwerk appointments are kept as busy time (`DavItem.busy_*`) and can be taken
over as appointments (`busy_take_over`). Change detection, the sync token, ETags, 412 and the
conflict rule work as for the address book (`base.SyncBase`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import recurring_ical_events
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar

from maklerwerk.appointments import selectors as appointment_selectors
from maklerwerk.appointments import services as appointment_services
from maklerwerk.appointments.ics import Invitation, Person, invitation_ics
from maklerwerk.appointments.models import Appointment
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.davsync.base import Report, SyncBase
from maklerwerk.davsync.models import DavAccount, DavItem, SyncEvent
from maklerwerk.imports.services import content_hash
from maklerwerk.integrations.dav.client import DavClient, PreconditionFailed

PAST_DAYS = int(getattr(settings, "DAVSYNC_CALENDAR_PAST_DAYS", 30))
FUTURE_DAYS = int(getattr(settings, "DAVSYNC_CALENDAR_FUTURE_DAYS", 365))


MAX_OCCURRENCES = 1000  # of one recurring event in the window (a daily event for 400 days fits)


@dataclass(frozen=True)
class Occurrence:
    starts_at: dt.datetime
    ends_at: dt.datetime
    summary: str


@dataclass(frozen=True)
class Event:
    uid: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    summary: str
    location: str
    cancelled: bool
    # A recurring event: its rules and exceptions (for the digest) and its occurrences in the window.
    rules: tuple[str, ...] = ()
    occurrences: tuple[Occurrence, ...] = ()

    @property
    def recurring(self) -> bool:
        return bool(self.rules)

    @property
    def digest(self) -> str:
        values: list[object] = [
            self.starts_at.astimezone(dt.UTC),
            self.ends_at.astimezone(dt.UTC),
            self.location,
            self.cancelled,
        ]
        # A single event hashes as before (no churn on stored items); a series adds its rules.
        return content_hash([*values, *self.rules] if self.rules else values)


def _aware(value: dt.date | dt.datetime) -> dt.datetime:
    if not isinstance(value, dt.datetime):  # an all-day event
        return dt.datetime.combine(value, dt.time(0), tzinfo=dt.UTC)
    return timezone.make_aware(value) if value.tzinfo is None else value


def _rules(cal: Calendar, uid: str) -> tuple[str, ...]:
    """RRULE/RDATE/EXDATE of the series and each exception's new time and state, as text."""
    out: list[str] = []
    for component in cal.walk("VEVENT"):
        if str(component.get("uid", "")) != uid:
            continue
        for name in ("RRULE", "RDATE", "EXDATE"):
            values = component.get(name)
            for value in values if isinstance(values, list) else [values] if values is not None else []:
                out.append(f"{name}:{value.to_ical().decode()}")
        if "RECURRENCE-ID" in component:
            out.append(
                "EXCEPTION:"
                + "|".join(
                    component.get(k).to_ical().decode() if k in component else ""
                    for k in ("RECURRENCE-ID", "DTSTART", "DTEND", "STATUS", "SUMMARY")
                )
            )
    return tuple(sorted(out))


def expand(cal: Calendar, start: dt.datetime, end: dt.datetime) -> tuple[Occurrence, ...]:
    """The occurrences of the calendar's series between `start` and `end`: RRULE and RDATE, without
    EXDATEs and cancelled exceptions, moved exceptions at their new time; each in its own time zone,
    so 10:00 Europe/Berlin stays 10:00 across the change to summer time."""
    found: list[Occurrence] = []
    for component in recurring_ical_events.of(cal).between(start, end):
        if str(component.get("status", "")).upper() == "CANCELLED":
            continue
        begin = _aware(component.decoded("dtstart"))
        finish = (
            _aware(component.decoded("dtend"))
            if "dtend" in component
            else begin + component.decoded("duration", dt.timedelta(hours=1))
        )
        found.append(Occurrence(begin, finish, str(component.get("summary", ""))[:200]))
        if len(found) >= MAX_OCCURRENCES:
            break
    return tuple(sorted(found, key=lambda o: o.starts_at))


def window() -> tuple[dt.datetime, dt.datetime]:
    now = timezone.now()
    return now - dt.timedelta(days=PAST_DAYS), now + dt.timedelta(days=FUTURE_DAYS)


class EventUnreadable(ValueError):
    pass


def read_event(raw: bytes) -> Event:
    """The series' master VEVENT of a calendar object (its first occurrence), and for a recurring
    event its rules and its occurrences in the sync window."""
    try:
        cal = Calendar.from_ical(raw)
        events = list(cal.walk("VEVENT"))
        event = next((c for c in events if "RECURRENCE-ID" not in c), events[0])
        start = event.decoded("dtstart")
        end = (
            event.decoded("dtend")
            if "dtend" in event
            else start + event.decoded("duration", dt.timedelta(hours=1))
        )
        uid = str(event.get("uid", ""))
        rules = _rules(cal, uid) if ("RRULE" in event or "RDATE" in event) else ()
        occurrences = expand(cal, *window()) if rules else ()
    except Exception as exc:
        raise EventUnreadable(str(exc) or type(exc).__name__) from exc
    if not isinstance(start, dt.datetime):  # an all-day event
        start = dt.datetime.combine(start, dt.time(0), tzinfo=dt.UTC)
        end = dt.datetime.combine(end, dt.time(0), tzinfo=dt.UTC)
    if start.tzinfo is None:
        start, end = timezone.make_aware(start), timezone.make_aware(end)
    return Event(
        rules=rules,
        occurrences=occurrences,
        uid=uid,
        starts_at=start,
        ends_at=end,
        summary=str(event.get("summary", ""))[:200],
        location=str(event.get("location", ""))[:300],
        cancelled=str(event.get("status", "")).upper() == "CANCELLED",
    )


def render(appointment: Appointment, uid: str) -> bytes:
    """The appointment as a stored calendar object: the invitation's VEVENT, without METHOD."""
    user = appointment.responsible
    invitation = Invitation(
        uid=uid,
        sequence=appointment.sequence,
        starts_at=appointment.starts_at,
        ends_at=appointment.ends_at,
        summary=appointment.title or str(appointment.get_kind_display()),
        location=appointment.location,
        description=appointment.notes,
        organizer=None,
        attendee=Person(user.get_full_name() if user else "", user.email if user else "agent@invalid"),
        cancelled=appointment.status == Appointment.Status.CANCELLED,
    )
    cal = Calendar.from_ical(invitation_ics(invitation))
    cal.pop("METHOD", None)
    return cal.to_ical()


def local_event(appointment: Appointment, uid: str) -> Event:
    return read_event(render(appointment, uid))


class CalendarSync(SyncBase):
    def __init__(self, account: DavAccount, *, dry_run: bool, client: DavClient | None = None) -> None:
        super().__init__(account, dry_run=dry_run, client=client)
        self.items = {
            i.href: i for i in account.items.select_related("appointment", "appointment__responsible")
        }
        self.done: set[int] = set()

    def appointments(self) -> dict[int, Appointment]:
        now = timezone.now()
        qs = appointment_selectors.appointment_list(
            user=self.user,
            start=now - dt.timedelta(days=PAST_DAYS),
            end=now + dt.timedelta(days=FUTURE_DAYS),
            responsible_id=self.user.pk,
        )
        return {a.pk: a for a in qs}

    def remote(self, href: str, etag: str, raw: bytes) -> None:
        item = self.items.get(href) or DavItem(account=self.account, href=href)
        try:
            event = read_event(raw)
        except EventUnreadable as exc:
            self.report.add("broken")
            if item.pk is None or not item.broken:
                self.log(
                    SyncEvent.Level.WARNING,
                    _("Event “%(href)s” cannot be read and stays unchanged on the server: %(reason)s")
                    % {"href": href.rsplit("/", 1)[-1], "reason": exc},
                )
            item.broken = True
            self.save(item, etag=etag)
            return
        appointment = item.appointment
        if appointment is None and not item.was_linked:
            appointment = appointment_selectors.appointment_list(user=self.user).filter(uid=event.uid).first()
        if appointment is None:
            self.busy(item, etag, event)
            return
        if item.pk is None:  # our appointment's event, found at another address: adopt it
            item.appointment, item.was_linked, item.uid = appointment, True, event.uid
            item.local_hash = "-"  # compare below
        if event.digest == item.remote_hash:
            self.report.add("unchanged")
            self.save(item, etag=etag)
            return
        self.done.add(appointment.pk)
        mine = local_event(appointment, item.uid or appointment.uid).digest
        if mine == event.digest:
            item.remote_hash, item.local_hash = event.digest, mine
            self.save(item, etag=etag)
            return
        if mine != item.local_hash and not self.server_wins():
            self.report.add("conflicts")
            self.log(
                SyncEvent.Level.CONFLICT,
                _("%(name)s was changed on both sides; Maklerwerk's version was kept (rule: %(rule)s).")
                % {"name": appointment, "rule": self.account.get_conflict_rule_display()},
            )
            item.etag = etag
            self.push(item, appointment)
            return
        self.apply(item, etag, event, appointment)

    def server_wins(self) -> bool:
        return self.account.conflict_rule != DavAccount.ConflictRule.MAKLERWERK_WINS

    def busy(self, item: DavItem, etag: str, event: Event) -> None:
        """A foreign event: busy time, takeable as an appointment."""
        if item.was_linked:
            return
        if item.remote_hash != event.digest:
            self.report.add("busy")
        item.uid, item.remote_hash, item.broken = event.uid, event.digest, False
        item.busy_summary, item.busy_start, item.busy_end = event.summary, event.starts_at, event.ends_at
        taken = {o["start"] for o in item.busy_occurrences if o.get("taken")}
        item.busy_occurrences = [
            {
                "start": o.starts_at.isoformat(),
                "end": o.ends_at.isoformat(),
                "summary": o.summary,
                "taken": o.starts_at.isoformat() in taken,
            }
            for o in event.occurrences
        ]
        self.save(item, etag=etag)

    def apply(self, item: DavItem, etag: str, event: Event, appointment: Appointment) -> None:
        self.report.add("updated_here")
        if self.dry_run:
            return
        try:
            with transaction.atomic():
                if event.cancelled and appointment.is_open:
                    appointment_services.appointment_set_status(
                        appointment=appointment, status=Appointment.Status.CANCELLED, acting_user=self.user
                    )
                elif not event.cancelled:
                    appointment_services.appointment_update(
                        appointment=appointment,
                        acting_user=self.user,
                        starts_at=event.starts_at,
                        ends_at=event.ends_at,
                        location=event.location,
                    )
        except (ApplicationError, ValidationError) as exc:
            self.log(
                SyncEvent.Level.WARNING,
                _("The change of %(name)s in the calendar was not taken over: %(reason)s")
                % {"name": appointment, "reason": exc},
            )
        else:
            self.log(
                SyncEvent.Level.CHANGE,
                _("%(name)s was changed in the calendar app: taken over.") % {"name": appointment},
            )
        item.remote_hash, item.etag = event.digest, etag
        item.local_hash = local_event(appointment, item.uid or appointment.uid).digest
        self.save(item)

    def remote_deleted(self, href: str) -> None:
        item = self.items.pop(href, None)
        if item is None:
            return
        self.report.add("deleted_there")
        if self.dry_run:
            return
        if item.appointment is not None:
            self.log(
                SyncEvent.Level.CHANGE,
                _("%(name)s was deleted in the calendar; the appointment stays in Maklerwerk.")
                % {"name": item.appointment},
            )
        item.delete()

    def local(self) -> None:
        wanted = self.appointments()
        linked: dict[int, DavItem] = {}
        for item in list(self.items.values()):
            if item.appointment_id is None:
                if item.was_linked and not self.dry_run:
                    self.report.add("deleted_here")
                    self.client.delete(item.href, etag=item.etag)
                    self.items.pop(item.href, None)
                    item.delete()
            else:
                linked[item.appointment_id] = item
        for pk, appointment in wanted.items():
            if pk in self.done:
                continue
            found = linked.get(pk)
            if found is None:
                self.report.add("created_there")
                if not self.dry_run:
                    uid = appointment.uid
                    href = self.client.path(self.client.url) + f"{uid.replace('@', '-')}.ics"
                    new = DavItem(
                        account=self.account, href=href, uid=uid, appointment=appointment, was_linked=True
                    )
                    self.push(new, appointment, create=True)
            elif local_event(appointment, found.uid or appointment.uid).digest != found.local_hash:
                self.report.add("updated_there")
                self.push(found, appointment)

    def push(
        self, item: DavItem, appointment: Appointment, *, create: bool = False, retry: bool = True
    ) -> None:
        if self.dry_run:
            return
        body = render(appointment, item.uid or appointment.uid)
        try:
            etag = self.client.put(item.href, body, etag=None if create else (item.etag or "*"))
        except PreconditionFailed:
            current = self.client.get(item.href)
            if not retry:
                return
            if current is not None:
                item.etag = current[0]
            self.push(item, appointment, create=current is None, retry=False)
            return
        digest = read_event(body).digest
        item.etag, item.remote_hash, item.local_hash = etag, digest, digest
        self.save(item)


def calendar_sync(
    account: DavAccount, *, dry_run: bool = False, client: DavClient | None = None, on_progress: Any = None
) -> Report:
    return CalendarSync(account, dry_run=dry_run, client=client).run(on_progress)


@dataclass(frozen=True)
class BusySlot:
    """One busy time of the account page: a single foreign event or one occurrence of a series."""

    pk: int  # the DavItem
    busy_summary: str
    busy_start: dt.datetime
    busy_end: dt.datetime
    recurring: bool = False

    @property
    def start_key(self) -> str:
        return self.busy_start.isoformat() if self.recurring else ""


def busy_times(account: DavAccount, *, limit: int = 200) -> list[BusySlot]:
    """Foreign events of the calendar (busy time), upcoming first; a series by its occurrences."""
    now = timezone.now()
    slots: list[BusySlot] = []
    items = account.items.filter(appointment__isnull=True, was_linked=False)
    for item in items.exclude(busy_occurrences=[]):
        for o in item.busy_occurrences:
            end = dt.datetime.fromisoformat(o["end"])
            if end > now and not o.get("taken"):
                start = dt.datetime.fromisoformat(o["start"])
                slots.append(BusySlot(item.pk, o["summary"] or item.busy_summary, start, end, recurring=True))
    single = items.filter(busy_occurrences=[], busy_end__gt=now).order_by("busy_start")
    for item in single:
        assert item.busy_start is not None and item.busy_end is not None  # set with busy_end
        slots.append(BusySlot(item.pk, item.busy_summary, item.busy_start, item.busy_end))
    return sorted(slots, key=lambda s: s.busy_start)[:limit]


@transaction.atomic
def busy_take_over(*, account: DavAccount, item_id: int, start: str = "") -> Appointment:
    """Make a foreign event an appointment of the account's user. A single event keeps its UID and
    is synced as the appointment from then on; one occurrence of a series (`start`) becomes an
    appointment of its own, and the series stays the calendar app's."""
    item = account.items.select_for_update().get(pk=item_id, appointment__isnull=True, was_linked=False)
    if item.busy_occurrences:
        occurrence = next(
            (o for o in item.busy_occurrences if o["start"] == start and not o.get("taken")), None
        )
        if occurrence is None:
            raise DavItem.DoesNotExist
        appointment = appointment_services.appointment_create(
            office=account.office,
            acting_user=account.user,
            starts_at=dt.datetime.fromisoformat(occurrence["start"]),
            ends_at=dt.datetime.fromisoformat(occurrence["end"]),
            kind=Appointment.Kind.MEETING,
            title=occurrence["summary"] or item.busy_summary,
            responsible=account.user,
        )
        occurrence["taken"] = True
        item.save(update_fields=["busy_occurrences"])
        return appointment
    assert item.busy_start is not None and item.busy_end is not None
    appointment = appointment_services.appointment_create(
        office=account.office,
        acting_user=account.user,
        starts_at=item.busy_start,
        ends_at=item.busy_end,
        kind=Appointment.Kind.MEETING,
        title=item.busy_summary,
        responsible=account.user,
    )
    item.appointment, item.was_linked = appointment, True
    item.local_hash = local_event(appointment, item.uid).digest
    item.save()
    return appointment
