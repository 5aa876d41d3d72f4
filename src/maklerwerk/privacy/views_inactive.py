"""The review list of inactive prospects and the office's period (privacy/inactive.py)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from maklerwerk.accounts.http import AuthedRequest
from maklerwerk.accounts.permissions import require_capability
from maklerwerk.accounts.roles import Capability
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.core.ids import parse_id
from maklerwerk.core.jobs import job_start
from maklerwerk.privacy import inactive, selectors


@require_capability(Capability.DELETE)
@require_http_methods(["GET", "POST"])
def inactive_view(request: AuthedRequest) -> HttpResponse:
    """Proposals to review (the longest inactive first), the last job's progress, the period."""
    settings = inactive.privacy_settings_for(request.office.pk)
    if request.method == "POST":
        raw = request.POST.get("months", "").strip()
        try:
            months = int(raw) if raw else None
            inactive.inactive_settings_set(
                office=request.office,
                months=months,
                automatically=bool(request.POST.get("automatically")),
                acting_user=request.user,
            )
            messages.success(request, _("Saved."))
        except ValueError:
            messages.error(request, _("Enter between 6 and 120 months, or leave it empty."))
        except ApplicationError as exc:
            messages.error(request, exc.message)
        return redirect("privacy:inactive")
    context = {
        "settings": settings,
        "proposals": selectors.inactive_proposals(user=request.user, status="proposed"),
        "decided": selectors.inactive_proposals(user=request.user).exclude(status="proposed")[:50],
        "job": selectors.inactive_last_job(user=request.user),
        "can_manage": request.user.can(Capability.MANAGE_OFFICE),
        "since": inactive.inactive_since(settings.inactive_months, timezone.localdate())
        if settings.inactive_months
        else None,
    }
    return render(request, "privacy/inactive.html", context)


@require_capability(Capability.DELETE)
@require_POST
def inactive_check_view(request: AuthedRequest) -> HttpResponse:
    """ "Jetzt prüfen": the review job now, with its progress on the page."""
    if not inactive.privacy_settings_for(request.office.pk).inactive_months:
        messages.error(request, _("Set the period first."))
        return redirect("privacy:inactive")
    job_start(
        kind="privacy.inactive_review",
        title=_("Checking inactive prospects"),
        office=request.office,
        created_by=request.user,
        office_id=request.office.pk,
    )
    return redirect("privacy:inactive")


@require_capability(Capability.DELETE)
@require_POST
def inactive_decide_view(request: AuthedRequest) -> HttpResponse:
    """Delete the ticked proposals (a job with progress), or keep one with a reason."""
    keep = parse_id(request.POST.get("keep"))
    try:
        if keep is not None:
            proposal = selectors.inactive_proposal_get(user=request.user, pk=keep)
            inactive.proposal_keep(
                proposal=proposal, reason=request.POST.get("reason", ""), acting_user=request.user
            )
            messages.success(request, _("Kept; the reason is recorded."))
        else:
            ids = [i for i in (parse_id(v) for v in request.POST.getlist("proposal")) if i is not None]
            valid = list(
                selectors.inactive_proposals(user=request.user, status="proposed")
                .filter(pk__in=ids)
                .values_list("pk", flat=True)
            )
            inactive.proposals_erase_start(office=request.office, ids=valid, acting_user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("privacy:inactive")
