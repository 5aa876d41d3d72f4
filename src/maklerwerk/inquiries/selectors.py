"""Reads of the inquiry manager; every one is scoped to the user's office."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.db.models.functions import Lower
from django.http import Http404

from maklerwerk.inquiries.models import (
    Inquiry,
    Mailbox,
    PortalListing,
    ProcessDefinition,
    ProcessedMail,
    ProcessInstance,
    Source,
)
from maklerwerk.properties.selectors import property_visible, property_visible_q

if TYPE_CHECKING:
    from maklerwerk.accounts.models import User
    from maklerwerk.contacts.models import Contact

WIDGET_STATUSES = [
    Inquiry.Status.RECEIVED,
    Inquiry.Status.NEW,
    Inquiry.Status.WAITING,
    Inquiry.Status.COMPLETED,
    Inquiry.Status.ABORTED,
    Inquiry.Status.UNRECOGNIZED,
    Inquiry.Status.ADDRESS_ONLY,
]


def _visible(user: User | None) -> Q:
    """Rows about a property the user may see (or about none); restricted ones stay hidden."""
    if user is None:
        return Q()

    return property_visible_q(user)


def inquiry_list(*, user: User, status: str | None = None, source: str | None = None) -> QuerySet[Inquiry]:
    qs = (
        Inquiry.objects.filter(office=user.office_id)
        .filter(_visible(user))
        .select_related("contact", "property", "mailbox")
    )
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
            .filter(_visible(user))
            .get(pk=pk, office=user.office_id)
        )
    except (Inquiry.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def inquiry_for_creator(*, user: User, pk: int) -> Inquiry:
    """An inquiry the user just filed (the website form): shown to them even when it names a
    property they may not see, but without that property (restricted stays restricted)."""

    inquiry = (
        Inquiry.objects.select_related("contact", "mailbox", "duplicate_of", "assigned_to")
        .prefetch_related("steps")
        .get(pk=pk, office=user.office_id)
    )
    if inquiry.property_id is not None and not property_visible(user, inquiry.property_id):
        inquiry.property_id = None  # in this answer only; the inquiry keeps its property
    return inquiry


def widget_inquiries(*, user: User, limit: int = 10) -> QuerySet[Inquiry]:
    """The latest inquiries for the dashboard; ignored ones (not our property, not active) stay out."""
    return inquiry_list(user=user).filter(status__in=WIDGET_STATUSES)[:limit]


def mailbox_list(*, user: User) -> QuerySet[Mailbox]:
    return Mailbox.objects.filter(office=user.office_id).select_related("main_user")


def mailbox_get(*, user: User, pk: int) -> Mailbox:
    try:
        return Mailbox.objects.select_related("main_user", "office").get(pk=pk, office=user.office_id)
    except (Mailbox.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def definition_list(*, user: User) -> QuerySet[ProcessDefinition]:
    return ProcessDefinition.objects.filter(office=user.office_id).prefetch_related("steps")


def instance_list(
    *, user: User, contact_id: int | None = None, status: str | None = None
) -> QuerySet[ProcessInstance]:
    qs = (
        ProcessInstance.objects.filter(office=user.office_id)
        .filter(_visible(user))
        .select_related("definition", "contact", "property")
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


def inquiries_for_contact(*, contact: Contact, user: User | None = None) -> QuerySet[Inquiry]:
    return (
        Inquiry.objects.filter(office_id=contact.office_id, contact=contact)
        .filter(_visible(user))
        .select_related("property")
        .defer("raw")[:20]
    )


def processes_for_contact(*, contact: Contact, user: User | None = None) -> QuerySet[ProcessInstance]:
    return (
        ProcessInstance.objects.filter(office_id=contact.office_id, contact=contact)
        .filter(_visible(user))
        .select_related("definition", "property")
        .prefetch_related("runs", "definition__steps")
    )


def portal_listings_for_property(*, office_id: int, property_id: int) -> list[PortalListing]:
    """A property's ids on portals (the properties app locks its Kennung once there is one)."""
    return list(
        PortalListing.objects.filter(office_id=office_id, property_id=property_id).order_by("source", "pk")
    )


def portal_listing_names(office_id: int, property_id: int) -> list[str]:
    """The properties app's publish record (`properties.selectors.PUBLISH_RECORDS`). A virtual
    tour's id (source "tour") names the tour, not the Kennung: it does not lock it."""
    return [
        str(listing)
        for listing in portal_listings_for_property(office_id=office_id, property_id=property_id)
        if listing.source != Source.TOUR
    ]


def mailbox_in_use(*, host: str, username: str) -> bool:
    """Is this IMAP mailbox (server + login, any case) an inquiry mailbox of any office? (mail sync)"""
    return Mailbox.objects.filter(host__iexact=host.strip(), username__iexact=username.strip()).exists()


def mail_taken_in(*, office_id: int, message_id: str) -> bool:
    """Did an inquiry mailbox of the office take this message in? Then it is the inquiry manager's."""
    return (
        bool(message_id)
        and ProcessedMail.objects.filter(office_id=office_id, message_id__iexact=message_id).exists()
    )


def mails_taken_in(*, office_id: int, message_ids: list[str]) -> set[str]:
    """`mail_taken_in` for many Message-IDs in one query: the lower-case ids an inquiry mailbox took in."""
    wanted = {m.lower() for m in message_ids if m}
    if not wanted:
        return set()
    rows = ProcessedMail.objects.annotate(mid=Lower("message_id")).filter(office_id=office_id, mid__in=wanted)
    return set(rows.values_list("mid", flat=True))
