"""Dashboard counter and the contact tab context."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.http import HttpRequest

    from maklerwerk.accounts.models import Office
    from maklerwerk.contacts.models import Contact


def open_inquiries(office: Office) -> int:
    from maklerwerk.inquiries.models import Inquiry

    return Inquiry.objects.filter(
        office=office,
        status__in=[
            Inquiry.Status.NEW,
            Inquiry.Status.WAITING,
            Inquiry.Status.ABORTED,
            Inquiry.Status.UNRECOGNIZED,
        ],
    ).count()


def contact_tab_context(request: HttpRequest, contact: Contact) -> dict[str, Any]:
    from maklerwerk.inquiries.selectors import inquiries_for_contact, processes_for_contact

    return {
        "inquiries": inquiries_for_contact(contact=contact, user=request.user),  # type: ignore[arg-type]
        "processes": processes_for_contact(contact=contact, user=request.user),  # type: ignore[arg-type]
    }
