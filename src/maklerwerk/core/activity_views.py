"""Logging activities in the UI (call, note, viewing, meeting, letter) and the filterable timeline.

The same services as `POST/PATCH/DELETE /api/v1/activities`. The form opens in the page's modal
(htmx) on the contact page, the property page and the dashboard; without JavaScript it is a page.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from maklerwerk.accounts.http import AuthedRequest
from maklerwerk.accounts.permissions import require_capability
from maklerwerk.accounts.roles import Capability
from maklerwerk.contacts.selectors import contact_get
from maklerwerk.core import selectors, services
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.core.forms import ActivityForm, TimelineFilterForm
from maklerwerk.core.history import history_for
from maklerwerk.core.history_display import history_rows
from maklerwerk.core.models import Activity
from maklerwerk.properties.selectors import property_get, property_list

SAVED_EVENT = "activity-saved"


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


def _next_url(request: AuthedRequest, activity: Activity | None = None) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    if activity is not None and activity.contact_id:
        return reverse("contacts:detail", args=[activity.contact_id]) + "#activities"
    if activity is not None and activity.property_id:
        return reverse("properties:detail", args=[activity.property_id]) + "#ext-activities"
    return reverse("dashboard")


def _saved(request: AuthedRequest, activity: Activity | None) -> HttpResponse:
    """htmx: an empty answer with an event (the modal closes, timelines reload); else back."""
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Trigger"] = json.dumps({SAVED_EVENT: {"id": activity.pk if activity else None}})
        return response
    return redirect(_next_url(request, activity))


def _apply_errors(form: ActivityForm, exc: ApplicationError | ValidationError) -> None:
    fields = {"contact_id": "contacts", "further_contact_ids": "contacts", "property_id": "property"}
    if isinstance(exc, ApplicationError):
        form.add_error(fields.get(str(exc.extra.get("field"))), exc.message)
        return
    for field, errors in exc.message_dict.items():
        name = fields.get(field, field)
        form.add_error(name if name in form.fields else None, errors)


def _form_response(request: AuthedRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    template = "core/activity_form.html"
    if request.htmx:
        template += "#form"
    return render(request, template, context, status=status)


@require_capability(Capability.EDIT)
@require_http_methods(["GET", "POST"])
def activity_create(request: AuthedRequest) -> HttpResponse:
    user = request.user
    initial: dict[str, Any] = {"type": request.GET.get("type") or Activity.Type.CALL}
    if contact := _int(request.GET.get("contact")):
        initial["contacts"] = [contact]
    if prop := _int(request.GET.get("property")):
        initial["property"] = prop
    form = ActivityForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            activity = services.activity_create(
                office=request.office,
                acting_user=user,
                **form.service_kwargs(),
            )
        except (ApplicationError, ValidationError) as exc:
            _apply_errors(form, exc)
        else:
            return _saved(request, activity)
    context = {"form": form, "activity": None, "next": _next_url(request), "action": request.get_full_path()}
    return _form_response(request, context)


@require_capability(Capability.EDIT)
@require_http_methods(["GET", "POST"])
def activity_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    user = request.user
    activity = selectors.activity_get(user=user, pk=pk)
    form = ActivityForm(
        request.POST or None, user=user, activity=activity, initial=ActivityForm.initial_for(activity)
    )
    if request.method == "POST" and form.is_valid():
        kwargs = form.service_kwargs()
        further = kwargs.pop("further_contact_ids")
        try:
            services.activity_update(
                activity=activity, acting_user=user, further_contact_ids=further, **kwargs
            )
        except (ApplicationError, ValidationError) as exc:
            _apply_errors(form, exc)
        else:
            return _saved(request, activity)

    context = {
        "form": form,
        "activity": activity,
        "next": _next_url(request, activity),
        "action": request.get_full_path(),
        "history": history_rows(history_for(activity)[:50]),
        "can_delete": user.can(Capability.DELETE),
    }
    return _form_response(request, context)


@require_capability(Capability.DELETE)
@require_POST
def activity_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    activity = selectors.activity_get(user=request.user, pk=pk)
    target = _next_url(request, activity)
    services.activity_delete(activity=activity, acting_user=request.user)
    if request.htmx:
        return _saved(request, None)
    return redirect(target)


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _timeline(
    request: AuthedRequest, *, contact_id: int | None, property_id: int | None, here: str, padded: bool
) -> HttpResponse:
    user = request.user
    filters = TimelineFilterForm(request.GET)
    data = filters.cleaned_data if filters.is_valid() else {}
    date_from, date_to = data.get("date_from"), data.get("date_to")
    activities = selectors.activity_list(
        user=user,
        type=data.get("type") or None,
        since=_day_start(date_from) if date_from else None,
        until=_day_start(date_to + dt.timedelta(days=1)) if date_to else None,
        contact_id=contact_id,
        property_id=property_id,
        search=data.get("q") or None,
    )
    scope: dict[str, int] = (
        {"contact": contact_id} if contact_id else {"property": property_id} if property_id else {}
    )
    params: dict[str, int | str] = {**scope, "here": here}
    query = urlencode(params)
    context = {
        "filters": filters,
        "activities": activities[:200],
        "scope_query": urlencode(scope),
        "timeline_url": reverse("core:activity_timeline") + f"?{query}",
        "filtered": any(data.get(k) for k in ("type", "date_from", "date_to", "q")),
        "here": here,
        "padded": padded,
        "can_edit": user.can(Capability.EDIT),
    }
    template = "core/_timeline.html"
    if request.htmx and request.htmx.target == "timeline-list":
        template += "#list"
    return render(request, template, context)


@require_capability(Capability.VIEW)
@require_GET
def activity_timeline(request: AuthedRequest) -> HttpResponse:
    """The activities of one contact or property (or of the office), filtered by kind, dates, text."""
    contact_id = _int(request.GET.get("contact"))
    property_id = _int(request.GET.get("property"))
    if contact_id:
        contact_get(user=request.user, pk=contact_id)  # 404 for another office
    if property_id:
        property_get(user=request.user, pk=property_id)  # 404 unless visible
    here = request.GET.get("here", "")
    if not url_has_allowed_host_and_scheme(here, {request.get_host()}):
        here = ""
    return _timeline(request, contact_id=contact_id, property_id=property_id, here=here, padded=False)


@require_capability(Capability.VIEW)
@require_GET
def property_activities(request: AuthedRequest, pk: int) -> HttpResponse:
    """The "Aktivitäten" tab of the property page (a registered DetailTab)."""

    property_get(user=request.user, pk=pk)  # 404 unless visible
    here = reverse("properties:detail", args=[pk]) + "#ext-activities"
    return _timeline(request, contact_id=None, property_id=pk, here=here, padded=True)


@require_capability(Capability.VIEW)
@require_GET
def property_lookup(request: AuthedRequest) -> JsonResponse:
    """Properties the user may see, for the property picker (Tom Select): Kennung, title, city."""

    q = request.GET.get("q", "").strip()[:100]
    found = property_list(user=request.user, q=q)[:20] if q else []
    return JsonResponse(
        {
            "results": [
                {"id": p.pk, "text": " · ".join(filter(None, [p.external_id, p.title, p.city]))}
                for p in found
            ]
        }
    )
