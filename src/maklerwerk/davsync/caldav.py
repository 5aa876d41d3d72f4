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


@dataclass(frozen=True)
class Event:
    uid: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    summary: str
    location: str
    cancelled: bool

    @property
    def digest(self) -> str:
        return content_hash(
            [
                self.starts_at.astimezone(dt.UTC),
                self.ends_at.astimezone(dt.UTC),
                self.location,
                self.cancelled,
            ]
        )


class EventUnreadable(ValueError):
    pass


def read_event(raw: bytes) -> Event:
    """The first VEVENT of a calendar object (a recurring event: its first occurrence)."""
    try:
        cal = Calendar.from_ical(raw)
        event = next(c for c in cal.walk("VEVENT"))
        start = event.decoded("dtstart")
        end = (
            event.decoded("dtend")
            if "dtend" in event
            else start + event.decoded("duration", dt.timedelta(hours=1))
        )
    except Exception as exc:
        raise EventUnreadable(str(exc) or type(exc).__name__) from exc
    if not isinstance(start, dt.datetime):  # an all-day event
        start = dt.datetime.combine(start, dt.time(0), tzinfo=dt.UTC)
        end = dt.datetime.combine(end, dt.time(0), tzinfo=dt.UTC)
    if start.tzinfo is None:
        start, end = timezone.make_aware(start), timezone.make_aware(end)
    return Event(
        uid=str(event.get("uid", "")),
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


def busy_times(account: DavAccount) -> list[DavItem]:
    """Foreign events of the calendar (busy time), upcoming first."""
    now = timezone.now()
    return list(
        account.items.filter(appointment__isnull=True, was_linked=False, busy_end__gt=now).order_by(
            "busy_start"
        )
    )


@transaction.atomic
def busy_take_over(*, account: DavAccount, item_id: int) -> Appointment:
    """Make a foreign event an appointment of the account's user (the event keeps its UID)."""
    item = account.items.select_for_update().get(pk=item_id, appointment__isnull=True, was_linked=False)
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
