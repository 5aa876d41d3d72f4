"""Creating and editing one viewing slot (API): seats, place, mode, booking mode, and its time while nobody
has booked it. Fewer seats than bookings, or a time change of a booked slot, are refused in German
(the bookings' appointments keep their own time: they are moved one by one in the calendar)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from maklerwerk.accounts.permissions import ensure_capability
from maklerwerk.accounts.roles import Capability
from maklerwerk.appointments.models import ViewingSlot
from maklerwerk.appointments.services import property_address
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.core.history import history_record, snapshot
from maklerwerk.core.models import ChangeLog

if TYPE_CHECKING:
    from maklerwerk.accounts.models import User
    from maklerwerk.properties.models import Property

EDITABLE = {
    "starts_at",
    "ends_at",
    "capacity",
    "location",
    "mode",
    "booking_mode",
    "visible_from",
    "visible_until",
}


def _refuse_overlap(slot: ViewingSlot) -> None:
    """An open slot of the same property at an overlapping time is refused (German, with its time)."""
    other = (
        ViewingSlot.objects.filter(
            property_id=slot.property_id,
            cancelled_at__isnull=True,
            starts_at__lt=slot.ends_at,
            ends_at__gt=slot.starts_at,
        )
        .exclude(pk=slot.pk)
        .first()
    )
    if other is not None:
        raise ApplicationError(
            _("The slot overlaps a slot that exists already (%(when)s).")
            % {"when": timezone.localtime(other.starts_at).strftime("%d.%m.%Y %H:%M")}
        )


@transaction.atomic
def slot_create(
    *,
    prop: Property,
    acting_user: User,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    capacity: int = 1,
    location: str = "",
    mode: str = ViewingSlot.Mode.IN_PERSON,
    booking_mode: str = ViewingSlot.Booking.DIRECT,
    visible_from: dt.datetime | None = None,
    visible_until: dt.datetime | None = None,
) -> ViewingSlot:
    """One slot; refuses an end before the start, a start in the past, 0 seats and overlaps."""
    ensure_capability(acting_user, Capability.EDIT)
    if capacity < 1:
        raise ApplicationError(_("A slot needs at least one seat."), extra={"field": "capacity"})
    if starts_at <= timezone.now():
        raise ApplicationError(_("A slot cannot start in the past."), extra={"field": "starts_at"})
    slot = ViewingSlot(
        office_id=prop.office_id,
        property=prop,
        agent=acting_user,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        location=location.strip() or property_address(prop),
        mode=mode,
        booking_mode=booking_mode,
        visible_from=visible_from,
        visible_until=visible_until,
    )
    slot.full_clean()
    _refuse_overlap(slot)
    slot.save()
    history_record(instance=slot, acting_user=acting_user, action=ChangeLog.Action.CREATE)
    return slot


@transaction.atomic
def slot_update(*, slot_id: int, acting_user: User, changes: dict[str, object]) -> ViewingSlot:
    ensure_capability(acting_user, Capability.EDIT)
    slot = ViewingSlot.objects.select_for_update().get(pk=slot_id)
    unknown = set(changes) - EDITABLE
    if unknown:
        raise ApplicationError(_("These fields cannot be changed: %(f)s") % {"f": ", ".join(sorted(unknown))})
    if slot.cancelled_at is not None:
        raise ApplicationError(_("This slot is cancelled."))
    before = snapshot(ViewingSlot.objects.get(pk=slot.pk))
    retimed = any(k in changes and changes[k] != getattr(slot, k) for k in ("starts_at", "ends_at"))
    if retimed and slot.booked:
        raise ApplicationError(
            _("The slot is booked already: move the booked appointments one by one instead.")
        )
    capacity = changes.get("capacity", slot.capacity)
    if isinstance(capacity, int) and capacity < max(slot.booked, 1):
        raise ApplicationError(
            _("The slot needs at least %(n)s seats (already booked).") % {"n": max(slot.booked, 1)},
            extra={"field": "capacity"},
        )
    for key, value in changes.items():
        setattr(slot, key, value)
    starts = slot.starts_at
    if retimed and isinstance(starts, dt.datetime) and starts <= timezone.now():
        raise ApplicationError(_("A slot cannot start in the past."))
    slot.full_clean()
    if retimed:
        _refuse_overlap(slot)
    slot.save()
    history_record(instance=slot, before=before, acting_user=acting_user, action=ChangeLog.Action.UPDATE)
    return slot
