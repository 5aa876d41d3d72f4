"""Feedback per attendee of a viewing: stored per contact, and its interest status written to the
contact's prospect link on the property through the properties service (with its history)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from maklerwerk.accounts.permissions import ensure_capability
from maklerwerk.accounts.roles import Capability
from maklerwerk.appointments.models import Appointment, AttendeeFeedback
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.properties.models import PropertyContact
from maklerwerk.properties.selectors import prospect_link_get
from maklerwerk.properties.services import property_contact_set

if TYPE_CHECKING:
    from maklerwerk.accounts.models import User

STATUSES = PropertyContact.InterestStatus


@dataclass(frozen=True)
class Said:
    contact_id: int
    interest_status: str = ""  # empty: leave the link's status as it is
    feedback: str = ""


@transaction.atomic
def attendee_feedback_save(*, appointment: Appointment, items: list[Said], acting_user: User) -> int:
    """Store what each attendee said; a status updates the contact's prospect link. Returns how
    many interest statuses were set."""
    ensure_capability(acting_user, Capability.EDIT)
    attendees = {c.pk: c for c in appointment.contacts.all()}
    changed = 0
    for item in items:
        contact = attendees.get(item.contact_id)
        if contact is None:
            raise ApplicationError(_("This contact is not an attendee of the appointment."))
        if item.interest_status and item.interest_status not in STATUSES.values:
            raise ApplicationError(_("Unknown interest status."))
        if not item.interest_status and not item.feedback.strip():
            continue
        AttendeeFeedback.objects.update_or_create(
            appointment=appointment,
            contact=contact,
            defaults={
                "office_id": appointment.office_id,
                "interest_status": item.interest_status,
                "feedback": item.feedback.strip(),
            },
        )
        if item.interest_status and appointment.property is not None:
            link = prospect_link_get(property_id=appointment.property.pk, contact_id=contact.pk)
            if link is None or link.interest_status != item.interest_status:
                property_contact_set(
                    prop=appointment.property,
                    contact=contact,
                    acting_user=acting_user,
                    role=PropertyContact.Role.PROSPECT,
                    interest_status=item.interest_status,
                    note=link.note if link else "",
                )
                changed += 1
    return changed


@dataclass(frozen=True)
class Shown:
    name: str
    status: str  # the German label
    feedback: str


def feedback_of(appointment: Appointment) -> list[Shown]:
    labels = dict(STATUSES.choices)
    rows = AttendeeFeedback.objects.filter(appointment=appointment).select_related("contact").order_by("pk")
    return [Shown(str(f.contact), str(labels.get(f.interest_status, "")), f.feedback) for f in rows]
