"""Reads of the inquiry manager; every one is scoped to the user's office."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import Http404

from maklerwerk.inquiries.models import Inquiry, Mailbox, ProcessDefinition, ProcessInstance

if TYPE_CHECKING:
    from maklerwerk.accounts.models import User
    from maklerwerk.contacts.models import Contact

WIDGET_STATUSES = [
    Inquiry.Status.NEW,
    Inquiry.Status.WAITING,
    Inquiry.Status.COMPLETED,
    Inquiry.Status.ABORTED,
    Inquiry.Status.UNRECOGNIZED,
    Inquiry.Status.ADDRESS_ONLY,
]


def inquiry_list(*, user: User, status: str | None = None, source: str | None = None) -> QuerySet[Inquiry]:
    qs = Inquiry.objects.filter(office_id=user.office_id).select_related("contact", "property", "mailbox")
    if status:
        qs = qs.filter(status=status)
    if source:
        qs = qs.filter(source=source)
    return qs.defer("raw", "text")


def inquiry_get(*, user: User, pk: int) -> Inquiry:
    try:
        return (
            Inquiry.objects.select_related("contact", "property", "mailbox", "duplicate_of", "assigned_to")
            .prefetch_related("steps")
            .get(pk=pk, office_id=user.office_id)
        )
    except (Inquiry.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def widget_inquiries(*, user: User, limit: int = 10) -> QuerySet[Inquiry]:
    """The latest inquiries for the dashboard; ignored ones (not our property, not active) stay out."""
    return inquiry_list(user=user).filter(status__in=WIDGET_STATUSES)[:limit]


def mailbox_list(*, user: User) -> QuerySet[Mailbox]:
    return Mailbox.objects.filter(office_id=user.office_id).select_related("main_user")


def mailbox_get(*, user: User, pk: int) -> Mailbox:
    try:
        return Mailbox.objects.select_related("main_user", "office").get(pk=pk, office_id=user.office_id)
    except (Mailbox.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def definition_list(*, user: User) -> QuerySet[ProcessDefinition]:
    return ProcessDefinition.objects.filter(office_id=user.office_id).prefetch_related("steps")


def instance_list(
    *, user: User, contact_id: int | None = None, status: str | None = None
) -> QuerySet[ProcessInstance]:
    qs = ProcessInstance.objects.filter(office_id=user.office_id).select_related(
        "definition", "contact", "property"
    )
    if contact_id is not None:
        qs = qs.filter(contact_id=contact_id)
    if status:
        qs = qs.filter(status=status)
    return qs.prefetch_related("runs", "definition__steps")


def instance_get(*, user: User, pk: int) -> ProcessInstance:
    try:
        return instance_list(user=user).get(pk=pk)
    except (ProcessInstance.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def inquiries_for_contact(*, contact: Contact) -> QuerySet[Inquiry]:
    return (
        Inquiry.objects.filter(office_id=contact.office_id, contact=contact)
        .select_related("property")
        .defer("raw")[:20]
    )


def processes_for_contact(*, contact: Contact) -> QuerySet[ProcessInstance]:
    return (
        ProcessInstance.objects.filter(office_id=contact.office_id, contact=contact)
        .select_related("definition", "property")
        .prefetch_related("runs", "definition__steps")
    )
