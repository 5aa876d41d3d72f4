"""Writes of appointments, viewing slots and bookings. Mails go out in `invitations`."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from maklerwerk.accounts.models import User as UserModel
from maklerwerk.accounts.permissions import ensure_capability
from maklerwerk.accounts.roles import Capability
from maklerwerk.appointments.models import Appointment, BookingLink, ViewingBooking, ViewingSlot
from maklerwerk.appointments.series import SeriesRule, series_times
from maklerwerk.appointments.slot_window import bookable_q
from maklerwerk.contacts.models import Contact
from maklerwerk.core.exceptions import ApplicationError, ConflictError
from maklerwerk.core.history import history_record, snapshot
from maklerwerk.core.models import Activity, ChangeLog
from maklerwerk.core.services import activity_create

if TYPE_CHECKING:
    from maklerwerk.accounts.models import Office, User
    from maklerwerk.contacts.models import Contact
    from maklerwerk.properties.models import Property

LINK_DAYS = 30


def slot_full_message() -> str:
    return _("This slot is no longer free.")  # German: "Termin nicht mehr frei."


def property_address(prop: Property) -> str:
    place = f"{prop.postal_code} {prop.city}".strip()
    street = f"{prop.street} {prop.house_number}".strip()
    return ", ".join(p for p in (street, place) if p)


def _check_users(office: Office, user_ids: list[int]) -> None:
    found = UserModel.objects.filter(pk__in=user_ids, office=office, is_active=True).count()
    if found != len(set(user_ids)):
        raise ApplicationError(_("Unknown user."), extra={"field": "user_ids"})


def _check_contacts(office: Office, contact_ids: list[int]) -> None:

    if Contact.objects.filter(pk__in=contact_ids, office=office).count() != len(set(contact_ids)):
        raise ApplicationError(_("Unknown contact."), extra={"field": "contact_ids"})


# --- appointments ---------------------------------------------------------------------------------


@transaction.atomic
def appointment_create(
    *,
    office: Office,
    acting_user: User | None,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    kind: str = Appointment.Kind.VIEWING,
    title: str = "",
    location: str = "",
    property_id: int | None = None,
    contact_ids: list[int] | None = None,
    responsible: User | None = None,
    notes: str = "",
    all_day: bool = False,
    user_ids: list[int] | None = None,
    video_url: str = "",
) -> Appointment:
    ensure_capability(acting_user, Capability.EDIT)
    contact_ids = list(dict.fromkeys(contact_ids or []))
    _check_contacts(office, contact_ids)
    user_ids = list(dict.fromkeys(user_ids or []))
    _check_users(office, user_ids)
    if responsible is not None and responsible.office_id != office.pk:
        raise ApplicationError(_("The responsible user must belong to your office."))
    appointment = Appointment(
        office=office,
        kind=kind,
        title=title.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        all_day=all_day,
        location=location.strip(),
        property_id=property_id,
        responsible=responsible or acting_user,
        notes=notes,
        created_by=acting_user,
        video_url=video_url.strip(),
    )
    if appointment.video_url and not location:  # an online viewing takes place at its link
        appointment.location = appointment.video_url[:300]
    elif property_id is not None and not location and appointment.property is not None:
        appointment.location = property_address(appointment.property)
    appointment.full_clean()
    appointment.save()
    appointment.contacts.set(contact_ids)
    appointment.users.set(user_ids)
    history_record(instance=appointment, acting_user=acting_user, action=ChangeLog.Action.CREATE)
    return appointment


@transaction.atomic
def appointment_update(
    *,
    appointment: Appointment,
    acting_user: User | None,
    contact_ids: list[int] | None = None,
    user_ids: list[int] | None = None,
    **changes: object,
) -> bool:
    """Change fields; a change of time or place counts up SEQUENCE. Returns whether it did."""
    ensure_capability(acting_user, Capability.EDIT)
    before = snapshot(Appointment.objects.get(pk=appointment.pk))
    if contact_ids is not None:
        _check_contacts(appointment.office, list(contact_ids))
    if user_ids is not None:
        _check_users(appointment.office, list(user_ids))
    moved = any(
        key in changes and changes[key] != getattr(appointment, key)
        for key in ("starts_at", "ends_at", "location", "all_day")
    )
    for key, value in changes.items():
        setattr(appointment, key, value)
    if moved:
        appointment.sequence += 1
    appointment.full_clean()
    appointment.save()
    if contact_ids is not None:
        appointment.contacts.set(contact_ids)
    if user_ids is not None:
        appointment.users.set(user_ids)
    history_record(
        instance=appointment, before=before, acting_user=acting_user, action=ChangeLog.Action.UPDATE
    )
    return moved


def appointment_move(
    *, appointment: Appointment, starts_at: dt.datetime, ends_at: dt.datetime, acting_user: User | None
) -> bool:
    if not appointment.is_open:
        raise ApplicationError(_("Only planned appointments can be moved."))
    return appointment_update(
        appointment=appointment, acting_user=acting_user, starts_at=starts_at, ends_at=ends_at
    )


@transaction.atomic
def appointment_set_status(
    *, appointment: Appointment, status: str, acting_user: User | None, feedback: str = ""
) -> Activity | None:
    """Mark took place / did not show up (an activity on contacts and property) or cancelled."""
    ensure_capability(acting_user, Capability.EDIT)
    if status not in Appointment.Status.values:
        raise ApplicationError(_("Unknown status."))
    if not appointment.is_open and status != appointment.status:
        raise ApplicationError(_("This appointment is already closed."))
    before = snapshot(Appointment.objects.get(pk=appointment.pk))
    appointment.status = status
    appointment.feedback = feedback.strip() or appointment.feedback
    if status == Appointment.Status.CANCELLED:
        appointment.sequence += 1
        _release_seat(appointment)
    appointment.save(update_fields=["status", "feedback", "sequence", "updated_at"])
    history_record(
        instance=appointment, before=before, acting_user=acting_user, action=ChangeLog.Action.UPDATE
    )
    if status not in {Appointment.Status.DONE, Appointment.Status.NO_SHOW}:
        return None
    return _activity_for(appointment, acting_user)


@transaction.atomic
def appointment_delete(*, appointment: Appointment, acting_user: User | None) -> None:
    """Remove an appointment (a booked seat is freed first). To tell the contacts, cancel it instead."""
    ensure_capability(acting_user, Capability.DELETE)
    _release_seat(appointment)
    history_record(instance=appointment, acting_user=acting_user, action=ChangeLog.Action.DELETE)
    appointment.delete()


def _activity_for(appointment: Appointment, acting_user: User | None) -> Activity:
    contact_ids = list(appointment.contacts.values_list("pk", flat=True))
    outcome = appointment.get_status_display()
    kind = Activity.Type.VIEWING if appointment.is_viewing else Activity.Type.MEETING
    if appointment.kind == Appointment.Kind.ONLINE_VIEWING:
        kind = Activity.Type.ONLINE_VIEWING  # "Online-Besichtigung" on the property and every attendee
    payload = {"appointment_id": appointment.pk, "status": appointment.status}
    if appointment.video_url:
        payload["video_url"] = appointment.video_url
    return activity_create(
        office=appointment.office,
        type=kind,
        subject=f"{appointment.get_kind_display()}: {outcome}",
        body=appointment.feedback,
        acting_user=acting_user,
        occurred_at=appointment.starts_at,
        payload=payload,
        contact_id=contact_ids[0] if contact_ids else None,
        further_contact_ids=contact_ids[1:],
        property_id=appointment.property_id,
    )


def _release_seat(appointment: Appointment) -> None:
    booking = ViewingBooking.objects.filter(appointment=appointment, cancelled_at__isnull=True).first()
    if booking is None:
        return
    booking.cancelled_at = timezone.now()
    booking.save(update_fields=["cancelled_at"])
    ViewingSlot.objects.filter(pk=booking.slot_id, booked__gt=0).update(booked=F("booked") - 1)


# --- viewing slots --------------------------------------------------------------------------------


@transaction.atomic
def slot_series_create(
    *,
    prop: Property,
    acting_user: User | None,
    rule: SeriesRule,
    capacity: int = 1,
    agent: User | None = None,
    location: str = "",
    mode: str = ViewingSlot.Mode.IN_PERSON,
    booking_mode: str = ViewingSlot.Booking.DIRECT,
    visible_from: dt.datetime | None = None,
    visible_until: dt.datetime | None = None,
) -> list[ViewingSlot]:
    """Concrete slots for `rule`; refuses past times, overlaps with open slots and 0 seats."""
    ensure_capability(acting_user, Capability.EDIT)
    if capacity < 1:
        raise ApplicationError(_("A slot needs at least one seat."), extra={"field": "capacity"})
    times = series_times(rule)
    if times[0][0] <= timezone.now():
        raise ApplicationError(_("A slot cannot start in the past."))
    overlap = ViewingSlot.objects.filter(
        property=prop,
        cancelled_at__isnull=True,
        starts_at__lt=times[-1][1],
        ends_at__gt=times[0][0],
    )
    for start, end in times:
        if any(s.starts_at < end and s.ends_at > start for s in overlap):
            raise ApplicationError(
                _("The series overlaps a slot that exists already (%(when)s).")
                % {"when": timezone.localtime(start).strftime("%d.%m.%Y %H:%M")}
            )
    slots = [
        ViewingSlot(
            office_id=prop.office_id,
            property=prop,
            agent=agent or acting_user,
            starts_at=start,
            ends_at=end,
            capacity=capacity,
            location=location.strip() or property_address(prop),
            mode=mode,
            booking_mode=booking_mode,
            visible_from=visible_from,
            visible_until=visible_until,
        )
        for start, end in times
    ]
    for slot in slots:
        slot.full_clean()
    return ViewingSlot.objects.bulk_create(slots)


@transaction.atomic
def slot_cancel(*, slot: ViewingSlot, acting_user: User | None) -> None:
    ensure_capability(acting_user, Capability.EDIT)
    slot.cancelled_at = timezone.now()
    slot.save(update_fields=["cancelled_at"])


# --- booking links and bookings -------------------------------------------------------------------


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def booking_link_create(
    *, prop: Property, contact: Contact, acting_user: User | None
) -> tuple[BookingLink, str]:
    """A personal link (unguessable token, only its hash stored); returns the link and the token."""
    ensure_capability(acting_user, Capability.EDIT)
    if contact.office_id != prop.office_id:
        raise ApplicationError(_("Unknown contact."))
    token = secrets.token_urlsafe(32)
    link = BookingLink.objects.create(
        office_id=prop.office_id,
        property=prop,
        contact=contact,
        token_hash=token_hash(token),
        expires_at=timezone.now() + dt.timedelta(days=LINK_DAYS),
        created_by=acting_user,
    )
    return link, token


def slot_book(*, link: BookingLink, slot_id: int) -> ViewingBooking:
    """Take a seat for the link's contact. Two prospects on the last seat: one booking, one
    ConflictError ("Termin nicht mehr frei"); the seat count is a conditional UPDATE of the slot row.
    """
    try:
        with transaction.atomic():
            return _book(link, slot_id)
    except IntegrityError as exc:  # the same contact twice in one slot (a double click)
        raise ConflictError(_("You have already booked this appointment.")) from exc


def _book(link: BookingLink, slot_id: int) -> ViewingBooking:
    slots = ViewingSlot.objects.filter(bookable_q(timezone.now()), pk=slot_id, property_id=link.property_id)
    if not slots.exists():
        raise ApplicationError(slot_full_message())
    if ViewingBooking.objects.filter(
        slot_id=slot_id, contact_id=link.contact_id, cancelled_at__isnull=True
    ).exists():
        raise ConflictError(_("You have already booked this appointment."))
    taken = slots.filter(booked__lt=F("capacity")).update(booked=F("booked") + 1)
    if taken != 1:
        raise ConflictError(slot_full_message())
    slot = ViewingSlot.objects.select_related("property", "agent").get(pk=slot_id)
    requested = slot.booking_mode == ViewingSlot.Booking.REQUEST
    appointment = Appointment(
        office_id=link.office_id,
        kind=Appointment.Kind.VIEWING
        if slot.mode == slot.Mode.IN_PERSON
        else Appointment.Kind.ONLINE_VIEWING,
        title=_("Viewing %(property)s") % {"property": slot.property.title or slot.property.external_id},
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        location=slot.location,
        property_id=slot.property_id,
        responsible=slot.agent,
        status=Appointment.Status.PLANNED if requested else Appointment.Status.CONFIRMED,
    )
    appointment.full_clean()
    appointment.save()
    appointment.contacts.set([link.contact_id])
    booking = ViewingBooking(
        office_id=link.office_id,
        slot=slot,
        contact_id=link.contact_id,
        appointment=appointment,
        link=link,
        requested=requested,
    )
    try:
        booking.full_clean(validate_constraints=False)
    except ValidationError as exc:
        raise ApplicationError(slot_full_message()) from exc
    booking.save()
    return booking
