"""Mails about appointments: the booking link, invitations with an .ics (REQUEST / CANCEL), and
the helper every appointment mail (reminders, agenda, requests) is sent with.

The texts are the office's mail templates (keys in `KEYS`, defaults in `mailing/seed.py`), in the
one placeholder language: `{{ termin.titel }}`, `{{ termin.zeit }}`, `{{ termin.ort }}`,
`{{ termin.teilnehmer }}`, `{{ termin.link }}` are supplied here, `{{ links.termin }}` is the
contact's personal booking link (created on demand, also in any other mail with a property).
Everything leaves through `mailing.sending.mail_send` (the agent's own SMTP account where set,
stored as OutgoingMail with an activity).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from maklerwerk.appointments.ics import Invitation, Person, invitation_ics
from maklerwerk.appointments.models import Appointment, BookingLink
from maklerwerk.appointments.services import booking_link_create
from maklerwerk.core.baseurl import absolute_url
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.core.models import Activity
from maklerwerk.integrations.smtp.client import SmtpError
from maklerwerk.mailing.placeholders import (
    BOOKING_LINK_FIELD,
    LINK_EXPIRY_FIELD,
    MailContext,
    contact_email,
)
from maklerwerk.mailing.sending import MailActivity, mail_send
from maklerwerk.mailing.services import Attachment, smtp_reason, template_default, template_with_field

if TYPE_CHECKING:
    from maklerwerk.accounts.models import User
    from maklerwerk.contacts.models import Contact
    from maklerwerk.mailing.models import OutgoingMail
    from maklerwerk.properties.models import Property


class KEYS:
    """The mail templates of appointments (`MailTemplate.key`; never rename a shipped one)."""

    BOOKING_LINK = "booking_link"
    INVITATION = "appointment_invitation"
    CHANGED = "appointment_changed"
    CANCELLED = "appointment_cancelled"
    REMINDER = "appointment_reminder"
    REMINDER_AGENT = "appointment_reminder_agent"
    AGENDA = "appointment_agenda"
    REQUEST_RECEIVED = "booking_request_received"
    REQUEST_DECLINED = "booking_request_declined"
    AGENT_REQUEST = "booking_agent_request"
    AGENT_CANCELLED = "booking_agent_cancelled"
    AGENT_MOVED = "booking_agent_moved"


@dataclass(frozen=True)
class Sent:
    contact: Contact
    email: str = ""
    error: str = ""


def when_text(appointment: Appointment) -> str:
    start, end = timezone.localtime(appointment.starts_at), timezone.localtime(appointment.ends_at)
    if appointment.all_day:
        return f"{start:%d.%m.%Y}"
    return f"{start:%d.%m.%Y %H:%M}–{end:%H:%M}"


def appointment_values(appointment: Appointment) -> dict[str, str]:
    """The `{{ termin.* }}` fields of one appointment (inserted as they are, never parsed)."""
    return {
        "termin.titel": str(appointment),
        "termin.zeit": when_text(appointment),
        "termin.ort": appointment.location,
        "termin.teilnehmer": ", ".join(c.display_name for c in appointment.contacts.all()),
        "termin.link": absolute_url(
            reverse("appointments:detail", args=[appointment.pk]), office=appointment.office_id
        ),
    }


def appointment_mail(
    *,
    appointment: Appointment,
    key: str,
    to_email: str,
    contact: Contact | None,
    acting_user: User | None,
    attachments: Sequence[Attachment] = (),
    extra: dict[str, str] | None = None,
) -> OutgoingMail:
    """Send the office's template `key` about `appointment` to one address, from the responsible
    agent's account. A mail to a contact leaves an activity on contact and property. Raises
    ApplicationError / SmtpError like `mail_send`."""
    template = template_default(office=appointment.office, key=key)
    ctx = MailContext(
        office=appointment.office,
        acting_user=acting_user,
        contact=contact,
        prop=appointment.property,
        agent_user=appointment.responsible,
    )
    ctx.extra.update(appointment_values(appointment))
    ctx.extra.update(extra or {})
    return mail_send(
        office=appointment.office,
        ctx=ctx,
        to_email=to_email,
        acting_user=acting_user,
        sender=appointment.responsible,
        template=template,
        attachments=attachments,
        activity=MailActivity(type=Activity.Type.EMAIL_SENT, payload={"appointment_id": appointment.pk})
        if contact is not None
        else None,
    )


def reason_of(exc: ApplicationError | SmtpError) -> str:
    return smtp_reason(exc) if isinstance(exc, SmtpError) else exc.message


def booking_url(token: str, *, office_id: int) -> str:
    return absolute_url(reverse("appointments:book", args=[token]), office=office_id)


def _expiry(link: BookingLink) -> str:
    return timezone.localtime(link.expires_at).strftime("%d.%m.%Y")


def booking_link_for_mail(ctx: MailContext, contact: Contact, prop: Property) -> str:
    """`{{ links.termin }}` in any mail (registered with mailing in AppointmentsConfig.ready): a new
    personal booking link of the contact for the property, noted in `ctx.created_links`."""
    link, token = booking_link_create(prop=prop, contact=contact, acting_user=ctx.acting_user)
    ctx.created_links.append({"kind": "booking_link", "id": link.pk, "created": True})
    return booking_url(token, office_id=prop.office_id)


def booking_links_send(*, prop: Property, contacts: list[Contact], acting_user: User | None) -> list[Sent]:
    """Mail each contact a personal link to book a viewing slot of `prop` (template `booking_link`;
    an office text that lost `{{ links.termin }}` gets it appended)."""
    template = template_default(office=prop.office, key=KEYS.BOOKING_LINK)
    body = template_with_field(template.body, BOOKING_LINK_FIELD)
    out = []
    for contact in contacts:
        email = contact_email(contact)
        if not email:
            out.append(Sent(contact, error=_("The contact has no e-mail address.")))
            continue
        link, token = booking_link_create(prop=prop, contact=contact, acting_user=acting_user)
        ctx = MailContext(office=prop.office, acting_user=acting_user, contact=contact, prop=prop)
        # This very link (not another one `links.termin` would create) and its expiry.
        ctx.cache[BOOKING_LINK_FIELD] = booking_url(token, office_id=prop.office_id)
        ctx.extra[LINK_EXPIRY_FIELD] = _expiry(link)
        try:
            mail_send(
                office=prop.office,
                ctx=ctx,
                to_email=email,
                acting_user=acting_user,
                template=template,
                body=body,
                activity=MailActivity(type=Activity.Type.EMAIL_SENT, payload={"booking_link_id": link.pk}),
            )
        except (ApplicationError, SmtpError) as exc:
            out.append(Sent(contact, email, error=reason_of(exc)))
            continue
        out.append(Sent(contact, email))
    return out


def _person(user: User | None) -> Person | None:
    if user is None or not user.email:
        return None
    return Person(user.get_full_name() or user.username, user.email)


def invitation_key(appointment: Appointment) -> str:
    if appointment.status == Appointment.Status.CANCELLED:
        return KEYS.CANCELLED
    return KEYS.INVITATION if appointment.sequence == 0 else KEYS.CHANGED


def invitation_send(*, appointment: Appointment, acting_user: User | None) -> list[Sent]:
    """Mail every contact of the appointment its invitation (.ics REQUEST, or CANCEL if cancelled):
    the office's template of a new, changed (SEQUENCE > 0) or cancelled appointment."""
    cancelled = appointment.status == Appointment.Status.CANCELLED
    key = invitation_key(appointment)
    out = []
    for contact in appointment.contacts.all():
        email = contact_email(contact)
        if not email:
            out.append(Sent(contact, error=_("The contact has no e-mail address.")))
            continue
        ics = invitation_ics(
            Invitation(
                uid=appointment.uid,
                sequence=appointment.sequence,
                starts_at=appointment.starts_at,
                ends_at=appointment.ends_at,
                summary=str(appointment),
                location=appointment.location,
                description=appointment.notes,
                organizer=_person(appointment.responsible),
                attendee=Person(contact.display_name, email),
                cancelled=cancelled,
            )
        )
        method = "CANCEL" if cancelled else "REQUEST"
        try:
            appointment_mail(
                appointment=appointment,
                key=key,
                to_email=email,
                contact=contact,
                acting_user=acting_user,
                attachments=[Attachment("einladung.ics", ics, f"text/calendar; method={method}")],
            )
        except (ApplicationError, SmtpError) as exc:
            out.append(Sent(contact, email, error=reason_of(exc)))
            continue
        out.append(Sent(contact, email))
    return out
