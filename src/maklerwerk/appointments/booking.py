"""What the prospect does on the booking page besides booking: accept the legal texts (the consent
gate of the document links, recorded the same way), cancel or move a booking; and the mails that
tell the agent (an .ics with the appointment's UID and its new SEQUENCE).
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from maklerwerk.accounts.permissions import ensure_capability
from maklerwerk.accounts.roles import Capability
from maklerwerk.appointments import invitations
from maklerwerk.appointments.ics import Invitation, Person, invitation_ics
from maklerwerk.appointments.models import (
    Appointment,
    BookingConsent,
    BookingLink,
    ViewingBooking,
    ViewingSlot,
)
from maklerwerk.appointments.reminders import settings_for
from maklerwerk.appointments.services import appointment_set_status, slot_full_message
from maklerwerk.appointments.slot_window import bookable_q
from maklerwerk.contacts.services import contact_terms_confirm
from maklerwerk.core.exceptions import ApplicationError, ConflictError
from maklerwerk.core.history import history_record, snapshot
from maklerwerk.core.models import Activity, ChangeLog
from maklerwerk.core.services import activity_create
from maklerwerk.integrations.smtp.client import SmtpError
from maklerwerk.mailing.placeholders import contact_email
from maklerwerk.mailing.services import Attachment
from maklerwerk.properties.selectors import property_hidden_q
from maklerwerk.sharing.services import sharing_settings_for
from maklerwerk.sharing.visits import ConsentTexts, coarse_ip, consent_texts

if TYPE_CHECKING:
    from maklerwerk.accounts.models import User

# --- consent and privacy --------------------------------------------------------------------------


def booking_consent_texts(link: BookingLink) -> ConsentTexts | None:
    """The texts the prospect must accept before booking, or None: the office has no gate or no
    texts, the contact is a client already (terms confirmed), or accepted this version already."""
    if link.contact.terms_confirmed or not sharing_settings_for(link.office).consent_gate:
        return None
    texts = consent_texts(link.office)
    if not texts.cancellation_notice and not texts.terms:
        return None
    if BookingConsent.objects.filter(link=link, text_version=texts.version).exists():
        return None
    return texts


@transaction.atomic
def booking_consent_accept(*, link: BookingLink, ip: str, user_agent: str) -> BookingConsent:
    texts = consent_texts(link.office)
    consent = BookingConsent.objects.create(
        office=link.office,
        link=link,
        contact_id=link.contact_id,
        property_id=link.property_id,
        text_version=texts.version,
        cancellation_notice_sha256=hashlib.sha256(texts.cancellation_notice.encode()).hexdigest(),
        terms_sha256=hashlib.sha256(texts.terms.encode()).hexdigest() if texts.terms else "",
        accepted_text=texts.combined,
        ip_coarse=coarse_ip(ip),
        user_agent=user_agent[:300],
    )
    contact_terms_confirm(
        contact_id=link.contact_id,
        confirmed_on=timezone.localdate(consent.accepted_at),
        via="online",
        acting_user=None,
        note=_("Accepted via booking link"),
    )
    what = _("Cancellation notice and terms") if texts.terms else _("Cancellation notice")
    activity_create(
        office=link.office,
        type=Activity.Type.SYSTEM,
        subject=_("%(what)s accepted via booking link") % {"what": what},
        acting_user=None,
        contact_id=link.contact_id,
        property_id=link.property_id,
        payload={"booking_link_id": link.pk, "booking_consent_id": consent.pk, "text_version": texts.version},
    )
    return consent


def privacy_text(link: BookingLink) -> str:
    return settings_for(link.office_id).privacy_text


# --- cancel and move ------------------------------------------------------------------------------


def _booking_of(link: BookingLink, booking_id: int) -> ViewingBooking:
    booking = (
        ViewingBooking.objects.select_for_update(of=("self",))
        .filter(
            pk=booking_id,
            contact_id=link.contact_id,
            slot__property_id=link.property_id,
            cancelled_at__isnull=True,
            appointment__isnull=False,
        )
        .select_related("slot", "appointment")
        .first()
    )
    if booking is None or booking.appointment is None:
        raise ApplicationError(_("This booking does not exist (any more)."))
    if booking.appointment.starts_at <= timezone.now():
        raise ApplicationError(_("This appointment has begun already; please call us."))
    return booking


@transaction.atomic
def booking_cancel(*, link: BookingLink, booking_id: int) -> Appointment:
    """The prospect calls the viewing off: the seat is free again, SEQUENCE counts up."""
    booking = _booking_of(link, booking_id)
    appointment = booking.appointment
    assert appointment is not None, "checked by _booking_of"
    appointment_set_status(appointment=appointment, status=Appointment.Status.CANCELLED, acting_user=None)
    return appointment


@transaction.atomic
def booking_move(*, link: BookingLink, booking_id: int, slot_id: int) -> Appointment:
    """The prospect takes another slot instead: the new seat is taken first (or a friendly
    ConflictError), the old one freed; the appointment keeps its UID, SEQUENCE counts up."""
    booking = _booking_of(link, booking_id)
    if booking.slot_id == slot_id:
        raise ApplicationError(_("This is your appointment already."))
    slots = ViewingSlot.objects.filter(bookable_q(timezone.now()), pk=slot_id, property_id=link.property_id)
    if slots.filter(booked__lt=F("capacity")).update(booked=F("booked") + 1) != 1:
        raise ConflictError(slot_full_message())
    slot = ViewingSlot.objects.select_related("agent").get(pk=slot_id)
    appointment = booking.appointment
    assert appointment is not None, "checked by _booking_of"
    before = snapshot(Appointment.objects.get(pk=appointment.pk))
    booking.cancelled_at = timezone.now()
    booking.appointment = None
    booking.save(update_fields=["cancelled_at", "appointment"])
    ViewingSlot.objects.filter(pk=booking.slot_id, booked__gt=0).update(booked=F("booked") - 1)
    appointment.starts_at, appointment.ends_at = slot.starts_at, slot.ends_at
    appointment.location = slot.location
    appointment.responsible = slot.agent or appointment.responsible
    appointment.sequence += 1
    requested = slot.booking_mode == ViewingSlot.Booking.REQUEST
    appointment.status = Appointment.Status.PLANNED if requested else Appointment.Status.CONFIRMED
    appointment.full_clean()
    appointment.save()
    ViewingBooking.objects.create(
        office_id=link.office_id,
        slot=slot,
        contact_id=link.contact_id,
        appointment=appointment,
        link=link,
        requested=requested,
    )
    history_record(instance=appointment, before=before, acting_user=None, action=ChangeLog.Action.UPDATE)
    return appointment


# --- telling the agent ----------------------------------------------------------------------------


def agent_notify(*, appointment: Appointment, key: str) -> str:
    """Mail the responsible agent what the prospect did (the office's template `key`), with the .ics
    (REQUEST or CANCEL with the appointment's UID and SEQUENCE) so the agent's own calendar
    follows. Returns an error or ""."""
    agent = appointment.responsible
    if agent is None or not agent.email:
        return _("The agent has no e-mail address.")
    contacts = list(appointment.contacts.all())
    prospect = contacts[0] if contacts else None
    cancelled = appointment.status == Appointment.Status.CANCELLED
    ics = invitation_ics(
        Invitation(
            uid=appointment.uid,
            sequence=appointment.sequence,
            starts_at=appointment.starts_at,
            ends_at=appointment.ends_at,
            summary=str(appointment),
            location=appointment.location,
            description=appointment.notes,
            organizer=Person(agent.get_full_name() or agent.username, agent.email),
            attendee=Person(
                prospect.display_name if prospect else "",
                (contact_email(prospect) if prospect else "") or agent.email,
            ),
            cancelled=cancelled,
        )
    )
    method = "CANCEL" if cancelled else "REQUEST"
    try:
        invitations.appointment_mail(
            appointment=appointment,
            key=key,
            to_email=agent.email,
            contact=None,
            acting_user=None,
            attachments=[Attachment("termin.ics", ics, f"text/calendar; method={method}")],
        )
    except (ApplicationError, SmtpError) as exc:
        return invitations.reason_of(exc)
    return ""


def prospect_changed(appointment: Appointment, *, cancelled: bool) -> list[str]:
    """After the prospect cancelled or moved: the prospect's mail (CANCEL / REQUEST) and the agent's."""
    errors = [
        s.error for s in invitations.invitation_send(appointment=appointment, acting_user=None) if s.error
    ]
    key = invitations.KEYS.AGENT_CANCELLED if cancelled else invitations.KEYS.AGENT_MOVED
    error = agent_notify(appointment=appointment, key=key)
    return [*errors, *([error] if error else [])]


# --- requests (the agent confirms) ----------------------------------------------------------------


def request_received(booking: ViewingBooking) -> list[str]:
    """A prospect requested a slot: a plain receipt to the prospect (no invitation yet) and a note
    with the .ics (tentative: the request) to the agent, who confirms or declines on the page."""
    appointment = booking.appointment
    assert appointment is not None, "slot_book creates every booking with its appointment"
    contact = booking.contact
    errors = []
    email = contact_email(contact)
    if email:
        try:
            invitations.appointment_mail(
                appointment=appointment,
                key=invitations.KEYS.REQUEST_RECEIVED,
                to_email=email,
                contact=contact,
                acting_user=None,
            )
        except (ApplicationError, SmtpError) as exc:
            errors.append(invitations.reason_of(exc))
    error = agent_notify(appointment=appointment, key=invitations.KEYS.AGENT_REQUEST)
    return [*errors, *([error] if error else [])]


def _pending(booking_id: int, acting_user: User) -> ViewingBooking:
    ensure_capability(acting_user, Capability.EDIT)
    booking = (
        ViewingBooking.objects.select_for_update(of=("self",))
        .filter(pk=booking_id, office=acting_user.office, requested=True, cancelled_at__isnull=True)
        .exclude(property_hidden_q(acting_user, "slot__property"))
        .select_related("appointment", "contact", "slot")
        .first()
    )
    if booking is None or booking.appointment is None:
        raise ApplicationError(_("There is no open request (any more)."))
    return booking


@transaction.atomic
def request_confirm(*, booking_id: int, acting_user: User) -> Appointment:
    """The agent confirms a requested slot: the appointment is confirmed (the invitation follows)."""
    booking = _pending(booking_id, acting_user)
    appointment = booking.appointment
    assert appointment is not None, "checked by _pending"
    before = snapshot(Appointment.objects.get(pk=appointment.pk))
    booking.requested = False
    booking.save(update_fields=["requested"])
    appointment.status = Appointment.Status.CONFIRMED
    appointment.save(update_fields=["status", "updated_at"])
    history_record(
        instance=appointment, before=before, acting_user=acting_user, action=ChangeLog.Action.UPDATE
    )
    return appointment


@transaction.atomic
def request_decline(*, booking_id: int, acting_user: User) -> Appointment:
    """The agent declines: the seat is free again and the appointment called off."""
    booking = _pending(booking_id, acting_user)
    appointment = booking.appointment
    assert appointment is not None, "checked by _pending"
    booking.requested = False
    booking.save(update_fields=["requested"])
    appointment_set_status(
        appointment=appointment, status=Appointment.Status.CANCELLED, acting_user=acting_user
    )
    return appointment


def request_answer_send(*, appointment: Appointment, acting_user: User) -> list[str]:
    """Confirmed: the invitation (.ics REQUEST). Declined: a plain mail without an .ics (the
    prospect never received an invitation for the request)."""
    if appointment.status != Appointment.Status.CANCELLED:
        return [
            s.error
            for s in invitations.invitation_send(appointment=appointment, acting_user=acting_user)
            if s.error
        ]
    errors = []
    for contact in appointment.contacts.all():
        email = contact_email(contact)
        if not email:
            continue
        try:
            invitations.appointment_mail(
                appointment=appointment,
                key=invitations.KEYS.REQUEST_DECLINED,
                to_email=email,
                contact=contact,
                acting_user=acting_user,
            )
        except (ApplicationError, SmtpError) as exc:
            errors.append(invitations.reason_of(exc))
    return errors
