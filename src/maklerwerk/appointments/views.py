"""Calendar, appointment form and status, viewing slots of a property, sending booking links."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from maklerwerk.accounts.http import AuthedRequest
from maklerwerk.accounts.permissions import require_capability
from maklerwerk.accounts.roles import Capability
from maklerwerk.appointments import booking, feedback, invitations, selectors, services
from maklerwerk.appointments.forms import AppointmentForm, SeriesForm, StatusForm
from maklerwerk.appointments.models import Appointment, ViewingSlot
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.core.ids import parse_id
from maklerwerk.properties.selectors import contact_get, property_get

COLORS = {"viewing": "#2fb344", "online_viewing": "#17a2b8", "notary": "#d63939", "handover": "#f76707"}


def _can_edit(request: AuthedRequest) -> bool:
    return bool(request.user.can(Capability.EDIT))


def _report(request: AuthedRequest, sent: list[invitations.Sent]) -> None:
    for item in sent:
        if item.error:
            messages.error(request, f"{item.contact}: {item.error}")
    ok = [s for s in sent if not s.error]
    if ok:
        messages.success(
            request, _("Mail sent to %(names)s.") % {"names": ", ".join(str(s.contact) for s in ok)}
        )


@require_capability(Capability.VIEW)
@require_GET
def calendar_view(request: AuthedRequest) -> HttpResponse:
    """The calendar; `?date=YYYY-MM-DD` opens the week of that day."""
    day = parse_date_safe(request.GET.get("date"))
    context = {
        "can_edit": _can_edit(request),
        "can_manage": request.user.can(Capability.MANAGE_OFFICE),
        "initial_date": day.isoformat() if day else "",
    }
    return render(request, "appointments/calendar.html", context)


def parse_date_safe(value: str | None) -> dt.date | None:
    try:
        return parse_date(value or "")
    except ValueError:
        return None


def _parse_moment(value: str | None) -> dt.datetime | None:
    try:
        moment = parse_datetime(value or "")
    except ValueError:
        return None
    if moment is not None and timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


@require_capability(Capability.VIEW)
@require_GET
def events_view(request: AuthedRequest) -> JsonResponse:
    """The calendar's events between ?start and ?end (ISO 8601), as FullCalendar reads them."""
    start = _parse_moment(request.GET.get("start")) or timezone.now() - dt.timedelta(days=7)
    end = _parse_moment(request.GET.get("end")) or start + dt.timedelta(days=42)
    end = min(end, start + dt.timedelta(days=62))
    mine = request.GET.get("mine") == "1"
    qs = selectors.appointment_list(
        user=request.user,
        start=start,
        end=end,
        responsible_id=request.user.pk if mine else None,
    ).exclude(status=Appointment.Status.CANCELLED)
    can_edit = _can_edit(request)
    detail = reverse("appointments:detail", args=[0])
    events = [
        {
            "id": a.pk,
            "title": str(a),
            "start": timezone.localtime(a.starts_at).isoformat(),
            "end": timezone.localtime(a.ends_at).isoformat(),
            "allDay": a.all_day,
            "url": detail.replace("/0/", f"/{a.pk}/"),
            "color": COLORS.get(a.kind, "#066fd1"),
            "editable": a.is_open and can_edit,
            "extendedProps": {"status": a.get_status_display(), "location": a.location},
        }
        for a in qs[:2000]
    ]
    return JsonResponse(events, safe=False)


@require_capability(Capability.EDIT)
@require_POST
def move_view(request: AuthedRequest, pk: int) -> JsonResponse:
    """Drag and drop in the calendar: new start/end; the contacts get the changed invitation."""
    appointment = selectors.appointment_get(user=request.user, pk=pk)
    start, end = _parse_moment(request.POST.get("start")), _parse_moment(request.POST.get("end"))
    if start is None:
        return JsonResponse({"ok": False, "message": _("Invalid time.")}, status=400)
    end = end or start + (appointment.ends_at - appointment.starts_at)
    try:
        moved = services.appointment_move(
            appointment=appointment, starts_at=start, ends_at=end, acting_user=request.user
        )
    except (ApplicationError, ValidationError) as exc:
        text = exc.message if isinstance(exc, ApplicationError) else " ".join(exc.messages)
        return JsonResponse({"ok": False, "message": text}, status=400)
    sent = invitations.invitation_send(appointment=appointment, acting_user=request.user) if moved else []
    errors = [f"{s.contact}: {s.error}" for s in sent if s.error]
    text = _("Appointment moved; %(n)s changed invitation(s) sent.") % {"n": len(sent) - len(errors)}
    clash = _conflict_text(request, appointment.responsible_id, start, end, appointment.pk)
    return JsonResponse(
        {"ok": True, "message": " ".join([text, *errors, clash]).strip(), "conflict": bool(clash)}
    )


def _conflict_text(
    request: AuthedRequest,
    responsible_id: int | None,
    start: dt.datetime,
    end: dt.datetime,
    exclude: int | None,
) -> str:
    found = selectors.overlapping(
        user=request.user, responsible_id=responsible_id, starts_at=start, ends_at=end, exclude_pk=exclude
    )
    if not found:
        return ""
    items = ", ".join(
        f"{timezone.localtime(a.starts_at):%d.%m. %H:%M}–{timezone.localtime(a.ends_at):%H:%M} {a}"
        for a in found
    )
    return _("Note: overlaps %(items)s.") % {"items": items}


@require_capability(Capability.EDIT)
@require_GET
def conflicts_view(request: AuthedRequest) -> HttpResponse:
    """The form's hint (htmx): does the chosen time overlap another appointment of the responsible user?"""
    form = AppointmentForm(request.GET, user=request.user)
    try:
        start = form.fields["starts_at"].clean(request.GET.get("starts_at"))
        end = form.fields["ends_at"].clean(request.GET.get("ends_at"))
    except ValidationError:
        return HttpResponse("")
    responsible = parse_id(request.GET.get("responsible")) or request.user.pk
    text = _conflict_text(request, responsible, start, end, parse_id(request.GET.get("exclude")))
    if not text:
        return HttpResponse("")
    return render(request, "appointments/_conflict_hint.html", {"text": text})


def _saved(request: AuthedRequest, appointment: Appointment) -> HttpResponse:
    """After the form saved (new or changed): the message, a conflict warning, and with "save and
    send" the invitation (a changed one carries the new SEQUENCE)."""
    messages.success(request, _("Appointment saved."))
    clash = _conflict_text(
        request, appointment.responsible_id, appointment.starts_at, appointment.ends_at, appointment.pk
    )
    if clash:
        messages.warning(request, clash)
    if request.POST.get("invite"):
        _report(request, invitations.invitation_send(appointment=appointment, acting_user=request.user))
    return redirect("appointments:detail", appointment.pk)


@require_capability(Capability.EDIT)
@require_http_methods(["GET", "POST"])
def create_view(request: AuthedRequest) -> HttpResponse:
    initial: dict[str, Any] = {"responsible": request.user.pk, "kind": Appointment.Kind.VIEWING}
    if prop_id := parse_id(request.GET.get("property")):
        initial["property"] = prop_id
    if contact_id := parse_id(request.GET.get("contact")):
        initial["contacts"] = [contact_id]
    if start := _parse_moment(request.GET.get("start")):
        initial.update(starts_at=start, ends_at=start + dt.timedelta(minutes=30))
    form = AppointmentForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            appointment = services.appointment_create(
                office=request.office,
                acting_user=request.user,
                **form.service_kwargs(),
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            return _saved(request, appointment)
    return render(request, "appointments/form.html", {"form": form})


@require_capability(Capability.EDIT)
@require_http_methods(["GET", "POST"])
def edit_view(request: AuthedRequest, pk: int) -> HttpResponse:
    """Change an appointment; "save and send" mails the changed invitation (SEQUENCE counts up
    when time or place changed), as moving it in the calendar does."""
    appointment = selectors.appointment_get(user=request.user, pk=pk)
    initial = {
        "kind": appointment.kind,
        "title": appointment.title,
        "starts_at": timezone.localtime(appointment.starts_at),
        "ends_at": timezone.localtime(appointment.ends_at),
        "all_day": appointment.all_day,
        "responsible": appointment.responsible_id,
        "users": [u.pk for u in appointment.users.all()],
        "property": appointment.property_id,
        "contacts": [c.pk for c in appointment.contacts.all()],
        "location": appointment.location,
        "video_url": appointment.video_url,
        "notes": appointment.notes,
    }
    form = AppointmentForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        changes = form.service_kwargs()
        contact_ids, user_ids = changes.pop("contact_ids"), changes.pop("user_ids")
        try:
            services.appointment_update(
                appointment=appointment,
                acting_user=request.user,
                contact_ids=contact_ids,
                user_ids=user_ids,
                **changes,
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            return _saved(request, appointment)
    return render(request, "appointments/form.html", {"form": form, "appointment": appointment})


@require_capability(Capability.VIEW)
@require_GET
def detail_view(request: AuthedRequest, pk: int) -> HttpResponse:
    appointment = selectors.appointment_get(user=request.user, pk=pk)
    context = {
        "appointment": appointment,
        "contacts": list(appointment.contacts.all()),
        "colleagues": [str(u) for u in appointment.users.all()],
        "status_form": StatusForm(),
        "can_edit": _can_edit(request),
        "pending": selectors.pending_request(appointment),
        "said": feedback.feedback_of(appointment),
        "interest_choices": feedback.STATUSES.choices,
    }
    return render(request, "appointments/detail.html", context)


@require_capability(Capability.EDIT)
@require_POST
def request_answer_view(request: AuthedRequest, pk: int) -> HttpResponse:
    """Confirm or decline a prospect's request (`pk`: the booking); the prospect is told by mail."""
    confirm = request.POST.get("answer") == "confirm"
    pk = selectors.booking_get(user=request.user, pk=pk).pk
    try:
        if confirm:
            appointment = booking.request_confirm(booking_id=pk, acting_user=request.user)
        else:
            appointment = booking.request_decline(booking_id=pk, acting_user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("appointments:calendar")
    errors = booking.request_answer_send(appointment=appointment, acting_user=request.user)
    for error in errors:
        messages.error(request, error)
    if not errors:
        messages.success(
            request,
            _("Confirmed; the invitation is sent.") if confirm else _("Declined; the prospect is told."),
        )
    return redirect("appointments:detail", appointment.pk)


@require_capability(Capability.EDIT)
@require_POST
def status_view(request: AuthedRequest, pk: int) -> HttpResponse:
    appointment = selectors.appointment_get(user=request.user, pk=pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please choose a status."))
        return redirect("appointments:detail", pk)
    try:
        services.appointment_set_status(
            appointment=appointment,
            status=form.cleaned_data["status"],
            feedback=form.cleaned_data["feedback"],
            acting_user=request.user,
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("appointments:detail", pk)
    messages.success(request, _("Status saved: %(s)s.") % {"s": appointment.get_status_display()})
    said = [
        feedback.Said(
            c.pk,
            request.POST.get(f"interest_{c.pk}", ""),
            request.POST.get(f"feedback_{c.pk}", "")[:5000],
        )
        for c in appointment.contacts.all()
    ]
    try:
        feedback.attendee_feedback_save(appointment=appointment, items=said, acting_user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    if appointment.status == Appointment.Status.CANCELLED:
        _report(request, invitations.invitation_send(appointment=appointment, acting_user=request.user))
    return redirect("appointments:detail", pk)


@require_capability(Capability.EDIT)
@require_POST
def invite_view(request: AuthedRequest, pk: int) -> HttpResponse:
    appointment = selectors.appointment_get(user=request.user, pk=pk)
    _report(request, invitations.invitation_send(appointment=appointment, acting_user=request.user))
    return redirect("appointments:detail", pk)


# --- tabs and widgets -----------------------------------------------------------------------------


@require_capability(Capability.VIEW)
@require_GET
def property_tab(request: AuthedRequest, pk: int) -> HttpResponse:
    prop = property_get(user=request.user, pk=pk)
    return render(request, "appointments/_property_tab.html", _property_context(request, prop, SeriesForm()))


def _property_context(request: AuthedRequest, prop: Any, form: SeriesForm) -> dict[str, Any]:
    slots = list(selectors.slot_list(user=request.user, property_id=prop.pk))
    bookings = selectors.bookings_of_slots([s.pk for s in slots])
    return {
        "prop": prop,
        "form": form,
        "slots": [(s, bookings.get(s.pk, [])) for s in slots],
        "appointments": selectors.appointment_list(user=request.user, property_id=prop.pk)[:50],
        "can_edit": _can_edit(request),
    }


@require_capability(Capability.EDIT)
@require_POST
def series_create_view(request: AuthedRequest, pk: int) -> HttpResponse:
    prop = property_get(user=request.user, pk=pk)
    form = SeriesForm(request.POST)
    if form.is_valid():
        try:
            slots = services.slot_series_create(
                prop=prop,
                acting_user=request.user,
                rule=form.rule(),
                capacity=form.cleaned_data["capacity"],
                location=form.cleaned_data["location"],
                mode=form.cleaned_data["mode"],
                booking_mode=form.cleaned_data["booking_mode"] or ViewingSlot.Booking.DIRECT,
                visible_from=form.cleaned_data["visible_from"],
                visible_until=form.cleaned_data["visible_until"],
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("%(n)s viewing slots created.") % {"n": len(slots)})
            return redirect(reverse("properties:detail", args=[prop.pk]) + "#ext-viewings")
    return render(
        request, "appointments/series_page.html", _property_context(request, prop, form), status=400
    )


def contact_tab_context(request: AuthedRequest, contact: Any) -> dict[str, Any]:
    """The "Termine" tab of the contact page (rendered with the page, registered in core.tabs.TABS)."""
    rows = selectors.appointment_list(user=request.user, contact_id=contact.pk)[:100]
    return {"appointments": rows, "can_edit": _can_edit(request)}


@require_capability(Capability.VIEW)
@require_GET
def today_widget(request: AuthedRequest) -> HttpResponse:
    rows = selectors.appointments_today(user=request.user)
    return render(
        request, "appointments/_today_widget.html", {"appointments": rows, "can_edit": _can_edit(request)}
    )


# --- booking links from the match list ------------------------------------------------------------


@require_capability(Capability.EDIT)
@require_http_methods(["GET", "POST"])
def send_links_view(request: AuthedRequest) -> HttpResponse:
    data = request.POST if request.method == "POST" else request.GET
    property_id = parse_id(data.get("property"))
    if property_id is None:
        raise Http404  # as property_get answers for an unknown id
    prop = property_get(user=request.user, pk=property_id)
    ids = [i for i in (parse_id(v) for v in data.getlist("contact_ids")) if i]
    contacts = [contact_get(user=request.user, pk=i) for i in dict.fromkeys(ids)]
    free = selectors.slot_list(user=request.user, property_id=prop.pk).count()
    if request.method == "POST" and contacts:
        _report(
            request, invitations.booking_links_send(prop=prop, contacts=contacts, acting_user=request.user)
        )
        return redirect(reverse("properties:detail", args=[prop.pk]) + "#ext-viewings")
    context = {"prop": prop, "contacts": contacts, "slot_count": free}
    return render(request, "appointments/send_links.html", context)
