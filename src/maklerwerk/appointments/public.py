"""The prospect's booking page (no login): the token is the only key; rate-limited like the
document links. Unknown and expired links get one friendly page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _

from maklerwerk.appointments import invitations, selectors, services
from maklerwerk.appointments.models import BookingLink
from maklerwerk.core.exceptions import ApplicationError, ConflictError
from maklerwerk.core.ids import parse_id
from maklerwerk.sharing.views_public import private, public_view


def _page(request: HttpRequest, link: BookingLink, *, error: str = "", status: int = 200) -> HttpResponse:
    slots = list(selectors.free_slots(link))
    mine = list(selectors.bookings_of_link(link))
    booked_slot_ids = {b.slot_id for b in mine}
    context = {
        "office": link.office,
        "link": link,
        "prop": link.property,
        "contact": link.contact,
        "slots": [s for s in slots if s.pk not in booked_slot_ids],
        "mine": mine,
        "error": error,
        "booked": request.GET.get("booked") == "1",
    }
    return private(render(request, "appointments/public_book.html", context, status=status))


@public_view
def book(request: HttpRequest, token: str) -> HttpResponse:
    with translation.override("de"):
        link = selectors.booking_link_resolve(token)
        if link is None:
            return private(render(request, "appointments/public_invalid.html", status=404))
        if request.method != "POST":
            return _page(request, link)
        try:
            booking = services.slot_book(link=link, slot_id=parse_id(request.POST.get("slot")) or 0)
        except ConflictError as exc:
            return _page(request, link, error=exc.message, status=409)
        except ApplicationError as exc:
            return _page(request, link, error=exc.message, status=400)
        assert booking.appointment is not None, "slot_book creates every booking with its appointment"
        sent = invitations.invitation_send(appointment=booking.appointment, acting_user=None)
        if any(s.error for s in sent):
            return _page(request, link, error=_("Booked, but the confirmation mail could not be sent."))
        return redirect(request.path + "?booked=1")
