"""Reads of appointments and viewing slots, scoped to the user's office and visible properties."""

from __future__ import annotations

import datetime as dt
import hmac
import re
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from maklerwerk.appointments.models import Appointment, BookingLink, ViewingBooking, ViewingSlot
from maklerwerk.appointments.services import token_hash
from maklerwerk.appointments.slot_window import bookable_q
from maklerwerk.properties.selectors import property_hidden_q

if TYPE_CHECKING:
    from maklerwerk.accounts.models import User

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,100}$")


def appointment_list(
    *,
    user: User,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    contact_id: int | None = None,
    property_id: int | None = None,
    responsible_id: int | None = None,
) -> QuerySet[Appointment]:
    qs = (
        Appointment.objects.filter(office=user.office_id)
        .exclude(property_hidden_q(user, "property"))
        .select_related("property", "responsible")
    )
    if start is not None:
        qs = qs.filter(ends_at__gt=start)
    if end is not None:
        qs = qs.filter(starts_at__lt=end)
    if contact_id is not None:
        qs = qs.filter(contacts__id=contact_id)
    if property_id is not None:
        qs = qs.filter(property_id=property_id)
    if responsible_id is not None:
        qs = qs.filter(of_user_q(responsible_id))
    return qs.order_by("starts_at", "pk")


def of_user_q(user_id: int) -> Q:
    """A user's appointments: responsible for them or attending as a colleague (no duplicates)."""
    attending = Appointment.users.through.objects.filter(user_id=user_id).values("appointment_id")
    return Q(responsible_id=user_id) | Q(pk__in=attending)


def appointment_get(*, user: User, pk: int) -> Appointment:
    try:
        return appointment_list(user=user).get(pk=pk)
    except (Appointment.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def appointments_today(*, user: User) -> QuerySet[Appointment]:
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return appointment_list(
        user=user, start=start, end=start + dt.timedelta(days=1), responsible_id=user.pk
    ).exclude(status=Appointment.Status.CANCELLED)


def slot_list(*, user: User, property_id: int, upcoming: bool = True) -> QuerySet[ViewingSlot]:
    qs = ViewingSlot.objects.filter(office=user.office_id, property_id=property_id).exclude(
        property_hidden_q(user, "property")
    )
    if upcoming:
        qs = qs.filter(ends_at__gt=timezone.now())
    return qs.select_related("agent").order_by("starts_at", "pk")


def slot_get(*, user: User, pk: int) -> ViewingSlot:
    try:
        return ViewingSlot.objects.exclude(property_hidden_q(user, "property")).get(
            pk=pk, office=user.office_id
        )
    except (ViewingSlot.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def bookings_of_slots(slot_ids: list[int]) -> dict[int, list[ViewingBooking]]:
    out: dict[int, list[ViewingBooking]] = {}
    for booking in ViewingBooking.objects.filter(
        slot_id__in=slot_ids, cancelled_at__isnull=True
    ).select_related("contact"):
        out.setdefault(booking.slot_id, []).append(booking)
    return out


# --- public (no login): the token is the only key -------------------------------------------------


def booking_link_resolve(token: str) -> BookingLink | None:
    """The usable link for `token`; unknown and expired look the same (None)."""
    if not isinstance(token, str) or not TOKEN_RE.match(token):
        return None
    digest = token_hash(token)
    link = (
        BookingLink.objects.select_related("office", "contact", "property")
        .filter(token_hash=digest, expires_at__gt=timezone.now())
        .first()
    )
    if link is None or not hmac.compare_digest(link.token_hash, digest):
        return None
    return link


def pending_request(appointment: Appointment) -> ViewingBooking | None:
    """The prospect's request waiting for the agent's answer on this appointment, if any."""
    return (
        ViewingBooking.objects.filter(appointment=appointment, requested=True, cancelled_at__isnull=True)
        .select_related("contact")
        .first()
    )


def overlapping(
    *,
    user: User,
    responsible_id: int | None,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    exclude_pk: int | None = None,
) -> list[Appointment]:
    """Open appointments of `responsible_id` that overlap the given time (a warning, not a refusal)."""
    if responsible_id is None or ends_at <= starts_at:
        return []
    qs = appointment_list(user=user, start=starts_at, end=ends_at, responsible_id=responsible_id).filter(
        status__in=[Appointment.Status.PLANNED, Appointment.Status.CONFIRMED]
    )
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return list(qs[:5])


def booking_get(*, user: User, pk: int) -> ViewingBooking:
    """A booking of the user's office on a property the user may see (else 404)."""
    try:
        return ViewingBooking.objects.exclude(property_hidden_q(user, "slot__property")).get(
            pk=pk, office=user.office_id
        )
    except (ViewingBooking.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def free_slots(link: BookingLink) -> QuerySet[ViewingSlot]:
    return ViewingSlot.objects.filter(bookable_q(timezone.now()), property_id=link.property_id).order_by(
        "starts_at", "pk"
    )


def bookings_of_link(link: BookingLink) -> QuerySet[ViewingBooking]:
    return (
        ViewingBooking.objects.filter(
            slot__property_id=link.property_id, contact_id=link.contact_id, cancelled_at__isnull=True
        )
        .select_related("slot", "appointment")
        .order_by("slot__starts_at")
    )
