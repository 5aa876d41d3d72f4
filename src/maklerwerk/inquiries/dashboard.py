"""Dashboard counter and the contact tab context."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from maklerwerk.inquiries.models import Inquiry
from maklerwerk.inquiries.selectors import inquiries_for_contact, inquiry_list, processes_for_contact

if TYPE_CHECKING:
    from maklerwerk.accounts.http import AuthedRequest
    from maklerwerk.accounts.models import Office, User
    from maklerwerk.contacts.models import Contact


def _open_statuses() -> list[str]:

    return [
        Inquiry.Status.RECEIVED,
        Inquiry.Status.NEW,
        Inquiry.Status.WAITING,
        Inquiry.Status.ABORTED,
        Inquiry.Status.UNRECOGNIZED,
    ]


def open_inquiries(office: Office) -> int:

    return Inquiry.objects.filter(office=office, status__in=_open_statuses()).count()


def open_inquiries_for(user: User) -> int:
    """Open inquiries, without those about a property the user may not see."""

    return inquiry_list(user=user).filter(status__in=_open_statuses()).count()


def contact_tab_context(request: AuthedRequest, contact: Contact) -> dict[str, Any]:

    return {
        "inquiries": inquiries_for_contact(contact=contact, user=request.user),
        "processes": processes_for_contact(contact=contact, user=request.user),
    }
