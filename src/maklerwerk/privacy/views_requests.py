"""Pages for rectification and objection requests (Art. 16, Art. 21 DSGVO)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from maklerwerk.accounts.http import AuthedRequest
from maklerwerk.accounts.permissions import require_capability
from maklerwerk.accounts.roles import Capability
from maklerwerk.contacts.selectors import contact_get
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.privacy import selectors, subject_requests


@require_capability(Capability.PRIVACY)
@require_POST
def subject_request_create_view(request: AuthedRequest, pk: int) -> HttpResponse:
    contact = contact_get(user=request.user, pk=pk)
    try:
        created = subject_requests.subject_request_create(
            contact=contact,
            kind=request.POST.get("kind", ""),
            scope=request.POST.get("scope", ""),
            acting_user=request.user,
            requested_by=request.POST.get("requested_by", ""),
            channel=request.POST.get("channel", ""),
            details=request.POST.get("details", ""),
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("privacy:contact", pk)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("privacy:contact", pk)
    messages.success(request, _("Request recorded."))
    return redirect("privacy:subject_request", created.pk)


@require_capability(Capability.PRIVACY)
@require_GET
def subject_request_view(request: AuthedRequest, request_id: int) -> HttpResponse:
    item = selectors.subject_request_get(user=request.user, pk=request_id)
    context = {"item": item, "overdue": item.status == "open" and item.due_on < timezone.localdate()}
    return render(request, "privacy/subject_request.html", context)


@require_capability(Capability.PRIVACY)
@require_POST
def subject_request_decide_view(request: AuthedRequest, request_id: int) -> HttpResponse:
    item = selectors.subject_request_get(user=request.user, pk=request_id)
    result = request.POST.get("result", "")
    try:
        if request.POST.get("action") == "refuse":
            subject_requests.subject_request_refuse(request=item, acting_user=request.user, result=result)
            messages.success(request, _("Request refused; the reason is recorded."))
        else:
            subject_requests.subject_request_complete(
                request=item, acting_user=request.user, result=result, block=bool(request.POST.get("block"))
            )
            messages.success(request, _("Request done; the result is recorded."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("privacy:subject_request", request_id)
