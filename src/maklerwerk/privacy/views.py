"""Pages of the privacy app: a contact's data-protection page, the office overview, downloads."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from maklerwerk.accounts.http import AuthedRequest
from maklerwerk.accounts.permissions import require_capability
from maklerwerk.accounts.roles import Capability
from maklerwerk.contacts.selectors import contact_get, restricted_contacts
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.privacy import selectors, services
from maklerwerk.privacy.erasure import erasure_plan
from maklerwerk.privacy.export import export_dir
from maklerwerk.privacy.models import AccessLogEntry, RetentionKind, SubjectRequest
from maklerwerk.privacy.rules import rules_for


@require_capability(Capability.PRIVACY)
@require_GET
def contact_view(request: AuthedRequest, pk: int) -> HttpResponse:
    contact = contact_get(user=request.user, pk=pk)
    context = {
        "contact": contact,
        "exports": selectors.data_export_jobs(user=request.user, contact_id=pk)[:5],
        "requests": selectors.erasure_requests(user=request.user, contact_id=pk),
        "holds": selectors.legal_holds(user=request.user, contact_id=pk),
        "marks": selectors.retention_marks(user=request.user, contact_id=pk),
        "log": selectors.access_log(user=request.user, contact_id=pk)[:20],
        "plan": erasure_plan(contact),
        "kinds": RetentionKind.choices,
        "subject_requests": selectors.subject_requests(user=request.user, contact_id=pk),
        "request_kinds": SubjectRequest.Kind.choices,
        "objection_scopes": SubjectRequest.Scope.choices,
    }
    return render(request, "privacy/contact.html", context)


def _back(pk: int) -> HttpResponse:
    return redirect("privacy:contact", pk)


@require_capability(Capability.PRIVACY)
@require_POST
def data_export_view(request: AuthedRequest, pk: int) -> HttpResponse:
    contact = contact_get(user=request.user, pk=pk)
    job = services.data_export_start(contact=contact, acting_user=request.user)
    if request.htmx:
        return render(request, "core/_job_progress.html", {"job": job})
    messages.success(request, _("The data access export is being prepared."))
    return _back(pk)


@require_capability(Capability.PRIVACY)
@require_GET
def export_download_view(request: AuthedRequest, job_id: str) -> FileResponse:
    job = selectors.data_export_job(user=request.user, pk=job_id)
    name = str(job.result.get("zip") or "")
    path = (export_dir() / name).resolve()
    if not name or path.parent != export_dir().resolve() or not path.is_file():
        raise Http404
    services.access_log(
        office_id=request.office.pk,
        user=request.user,
        action=AccessLogEntry.Action.EXPORT_DOWNLOAD,
        contact_id=job.result.get("contact_id"),
        detail=str(job.pk),
    )
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=f"datenauskunft-{job.result.get('contact_id')}-{job.created_at:%Y%m%d}.zip",
    )


@require_capability(Capability.PRIVACY)
@require_POST
def erasure_request_view(request: AuthedRequest, pk: int) -> HttpResponse:
    contact = contact_get(user=request.user, pk=pk)
    try:
        services.erasure_request_create(
            contact=contact,
            acting_user=request.user,
            requested_by=request.POST.get("requested_by", ""),
            channel=request.POST.get("channel", ""),
        )
        messages.success(request, _("Erasure request recorded."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _back(pk)


@require_capability(Capability.PRIVACY)
@require_POST
def erasure_execute_view(request: AuthedRequest, request_id: int) -> HttpResponse:
    erasure = selectors.erasure_request_get(user=request.user, pk=request_id)
    try:
        services.erasure_request_execute(
            request=erasure, acting_user=request.user, decision=request.POST.get("decision", "")
        )
        messages.success(request, _("Erasure executed."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("privacy:erasure", request_id)


@require_capability(Capability.PRIVACY)
@require_POST
def erasure_refuse_view(request: AuthedRequest, request_id: int) -> HttpResponse:
    erasure = selectors.erasure_request_get(user=request.user, pk=request_id)
    try:
        services.erasure_request_refuse(
            request=erasure, acting_user=request.user, decision=request.POST.get("decision", "")
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("privacy:erasure", request_id)


@require_capability(Capability.PRIVACY)
@require_GET
def erasure_view(request: AuthedRequest, request_id: int) -> HttpResponse:
    erasure = selectors.erasure_request_get(user=request.user, pk=request_id)
    plan = erasure_plan(erasure.contact) if erasure.contact and erasure.status == "open" else None
    held = [
        {**h, "until": dt.date.fromisoformat(h["until"]) if h.get("until") else None}
        for h in (erasure.result or {}).get("held", [])
    ]
    return render(request, "privacy/erasure.html", {"erasure": erasure, "plan": plan, "result_held": held})


@require_capability(Capability.PRIVACY)
@require_POST
def block_view(request: AuthedRequest, pk: int) -> HttpResponse:
    contact = contact_get(user=request.user, pk=pk)
    if request.POST.get("lift"):
        services.contact_unblock(contact=contact, acting_user=request.user)
        messages.success(request, _("Block lifted."))
    else:
        services.contact_block(
            contact=contact, reason=request.POST.get("reason", ""), acting_user=request.user
        )
        messages.success(request, _("Contact blocked."))
    return _back(pk)


@require_capability(Capability.PRIVACY)
@require_POST
def legal_hold_view(request: AuthedRequest, pk: int) -> HttpResponse:
    contact = contact_get(user=request.user, pk=pk)
    hold_id = request.POST.get("release")
    try:
        if hold_id:
            hold = selectors.legal_hold_get(user=request.user, pk=int(hold_id))
            services.legal_hold_release(hold=hold, acting_user=request.user)
        else:
            services.legal_hold_set(
                contact=contact, reason=request.POST.get("reason", ""), acting_user=request.user
            )
    except (ApplicationError, ValueError) as exc:
        messages.error(request, getattr(exc, "message", _("Invalid input.")))
    return _back(pk)


@require_capability(Capability.PRIVACY)
def overview_view(request: AuthedRequest) -> HttpResponse:
    today = timezone.localdate()
    if request.method == "POST":
        try:
            services.retention_rule_set(
                office=request.office,
                kind=request.POST.get("kind", ""),
                years=int(request.POST.get("years") or 0),
                legal_basis=request.POST.get("legal_basis", ""),
                acting_user=request.user,
            )
            messages.success(request, _("Retention rule saved."))
        except (ApplicationError, ValueError) as exc:
            messages.error(request, getattr(exc, "message", _("Enter between 1 and 30 years.")))
        return redirect("privacy:overview")
    month_end = services.month_end(today)
    context = {
        "due": selectors.erasure_due(user=request.user, until=month_end),
        "month_end": month_end,
        "open": selectors.erasure_requests(user=request.user).filter(status="open"),
        "subject_open": selectors.subject_requests_open(user=request.user),
        "restricted": restricted_contacts(user=request.user)[:50],
        "rules": list(rules_for(request.office.pk).values()),
        "log": selectors.access_log(user=request.user)[:50],
        "can_manage": request.user.can(Capability.MANAGE_OFFICE),
        "today": today,
        "one_day": dt.timedelta(days=1),
    }
    return render(request, "privacy/overview.html", context)
