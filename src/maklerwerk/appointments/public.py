"""The prospect's booking page (no login): the token is the only key; rate-limited like the
document links. Unknown and expired links get one friendly page. Prospects who are not clients yet
accept the office's texts first (the document links' consent gate); a booking can be cancelled or
moved to another free slot from the same page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _

from maklerwerk.appointments import booking, invitations, selectors, services
from maklerwerk.appointments.models import BookingLink
from maklerwerk.core.exceptions import ApplicationError, ConflictError
from maklerwerk.core.ids import parse_id
from maklerwerk.core.net import client_ip
from maklerwerk.sharing.views_public import private, public_view

DONE = {"booked", "requested", "moved", "cancelled"}


def _page(request: HttpRequest, link: BookingLink, *, error: str = "", status: int = 200) -> HttpResponse:
    slots = list(selectors.free_slots(link))
    mine = list(selectors.bookings_of_link(link))
    booked_slot_ids = {b.slot_id for b in mine}
    done = request.GET.get("done", "")
    context = {
        "office": link.office,
        "link": link,
        "prop": link.property,
        "contact": link.contact,
        "slots": [s for s in slots if s.pk not in booked_slot_ids],
        "mine": mine,
        "move_from": mine[0] if len(mine) == 1 else None,
        "error": error,
        "done": done if done in DONE else "",
        "privacy": booking.privacy_text(link),
    }
    return private(render(request, "appointments/public_book.html", context, status=status))


def _consent(request: HttpRequest, link: BookingLink, token: str) -> HttpResponse | None:
    """The consent page while the texts are not accepted; None once they are (or not needed)."""
    texts = booking.booking_consent_texts(link)
    if texts is None:
        return None
    error = ""
    if request.method == "POST" and request.POST.get("action") == "consent":
        accepted = request.POST.get("accept_notice") == "1" and (
            not texts.terms or request.POST.get("accept_terms") == "1"
        )
        if accepted:
            booking.booking_consent_accept(
                link=link, ip=client_ip(request), user_agent=request.headers.get("user-agent", "")
            )
            return redirect(request.path)
        error = _("Please confirm that you accept the texts.")
    context = {"office": link.office, "prop": link.property, "texts": texts, "error": error}
    return private(render(request, "appointments/public_consent.html", context, status=400 if error else 200))


@public_view
def book(request: HttpRequest, token: str) -> HttpResponse:
    with translation.override("de"):
        link = selectors.booking_link_resolve(token)
        if link is None:
            return private(render(request, "appointments/public_invalid.html", status=404))
        gate = _consent(request, link, token)
        if gate is not None:
            return gate
        if request.method != "POST":
            return _page(request, link)
        action = request.POST.get("action", "book")
        try:
            done, errors = _act(request, link, action)
        except ConflictError as exc:
            return _page(request, link, error=exc.message, status=409)
        except ApplicationError as exc:
            return _page(request, link, error=exc.message, status=400)
        if errors:
            return _page(request, link, error=_("Saved, but the confirmation mail could not be sent."))
        return redirect(f"{request.path}?done={done}")


def _act(request: HttpRequest, link: BookingLink, action: str) -> tuple[str, list[str]]:
    slot_id = parse_id(request.POST.get("slot")) or 0
    booking_id = parse_id(request.POST.get("booking")) or 0
    if action == "cancel":
        appointment = booking.booking_cancel(link=link, booking_id=booking_id)
        return "cancelled", booking.prospect_changed(appointment, cancelled=True)
    if action == "move":
        appointment = booking.booking_move(link=link, booking_id=booking_id, slot_id=slot_id)
        return "moved", booking.prospect_changed(appointment, cancelled=False)
    made = services.slot_book(link=link, slot_id=slot_id)
    assert made.appointment is not None, "slot_book creates every booking with its appointment"
    if made.requested:
        return "requested", booking.request_received(made)
    sent = invitations.invitation_send(appointment=made.appointment, acting_user=None)
    return "booked", [s.error for s in sent if s.error]
