"""Mails about appointments: the booking link, and invitations with an .ics (REQUEST / CANCEL).

Everything leaves through `mailing.sending.mail_send` (the agent's own SMTP account where set,
stored as OutgoingMail with an activity).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from maklerwerk.appointments.ics import Invitation, Person, invitation_ics
from maklerwerk.appointments.models import Appointment
from maklerwerk.appointments.services import booking_link_create
from maklerwerk.core.baseurl import absolute_url
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.core.models import Activity
from maklerwerk.integrations.smtp.client import SmtpError
from maklerwerk.mailing.placeholders import MailContext, contact_email
from maklerwerk.mailing.sending import MailActivity, mail_send
from maklerwerk.mailing.services import Attachment, smtp_reason

if TYPE_CHECKING:
    from maklerwerk.accounts.models import User
    from maklerwerk.contacts.models import Contact
    from maklerwerk.properties.models import Property


@dataclass(frozen=True)
class Sent:
    contact: Contact
    email: str = ""
    error: str = ""


def _plain(text: str) -> str:
    """User data inside a mail body, which is a template: no placeholder braces."""
    return text.replace("{", "(").replace("}", ")")


def booking_links_send(*, prop: Property, contacts: list[Contact], acting_user: User | None) -> list[Sent]:
    """Mail each contact a personal link to book a viewing slot of `prop`."""
    out = []
    for contact in contacts:
        email = contact_email(contact)
        if not email:
            out.append(Sent(contact, error=_("The contact has no e-mail address.")))
            continue
        link, token = booking_link_create(prop=prop, contact=contact, acting_user=acting_user)
        url = absolute_url(reverse("appointments:book", args=[token]), office=prop.office_id)
        name = _plain(prop.title or prop.external_id)
        body = _(
            "Hello %(name)s,\n\nplease choose a time for viewing “%(property)s”:\n%(url)s\n\n"
            "The link is valid until %(until)s.\n"
        ) % {
            "name": _plain(contact.display_name),
            "property": name,
            "url": url,
            "until": timezone.localtime(link.expires_at).strftime("%d.%m.%Y"),
        }
        try:
            mail_send(
                office=prop.office,
                ctx=MailContext(office=prop.office, acting_user=acting_user, contact=contact, prop=prop),
                to_email=email,
                acting_user=acting_user,
                subject=_("Choose your viewing appointment: %(property)s") % {"property": name},
                body=body,
                activity=MailActivity(type=Activity.Type.EMAIL_SENT, payload={"booking_link_id": link.pk}),
            )
        except (ApplicationError, SmtpError) as exc:
            reason = smtp_reason(exc) if isinstance(exc, SmtpError) else exc.message
            out.append(Sent(contact, email, error=reason))
            continue
        out.append(Sent(contact, email))
    return out


def _person(user: User | None) -> Person | None:
    if user is None or not user.email:
        return None
    return Person(user.get_full_name() or user.username, user.email)


def _when(appointment: Appointment) -> str:
    start, end = timezone.localtime(appointment.starts_at), timezone.localtime(appointment.ends_at)
    return f"{start:%d.%m.%Y %H:%M}–{end:%H:%M}"


def _texts(appointment: Appointment) -> tuple[str, str]:
    title = _plain(str(appointment))
    when = _when(appointment)
    if appointment.status == Appointment.Status.CANCELLED:
        return _("Cancelled: %(title)s") % {"title": title}, _(
            "The appointment “%(title)s” on %(when)s is cancelled."
        ) % {"title": title, "when": when}
    subject = _("Invitation: %(title)s") if appointment.sequence == 0 else _("Changed: %(title)s")
    body = _("Appointment: %(title)s\nWhen: %(when)s\nWhere: %(where)s\n") % {
        "title": title,
        "when": when,
        "where": _plain(appointment.location) or "–",
    }
    return subject % {"title": title}, body


def invitation_send(*, appointment: Appointment, acting_user: User | None) -> list[Sent]:
    """Mail every contact of the appointment its invitation (.ics REQUEST, or CANCEL if cancelled)."""
    subject, body = _texts(appointment)
    cancelled = appointment.status == Appointment.Status.CANCELLED
    out = []
    prop = appointment.property
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
            mail_send(
                office=appointment.office,
                ctx=MailContext(
                    office=appointment.office, acting_user=acting_user, contact=contact, prop=prop
                ),
                to_email=email,
                acting_user=acting_user,
                sender=appointment.responsible,
                subject=subject,
                body=body,
                attachments=[Attachment("einladung.ics", ics, f"text/calendar; method={method}")],
                activity=MailActivity(
                    type=Activity.Type.EMAIL_SENT, payload={"appointment_id": appointment.pk}
                ),
            )
        except (ApplicationError, SmtpError) as exc:
            reason = smtp_reason(exc) if isinstance(exc, SmtpError) else exc.message
            out.append(Sent(contact, email, error=reason))
            continue
        out.append(Sent(contact, email))
    return out
