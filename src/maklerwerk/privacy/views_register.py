"""The Verarbeitungsverzeichnis (Art. 30 DSGVO): the document, its edit page and the PDF."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from maklerwerk.accounts.http import AuthedRequest
from maklerwerk.accounts.permissions import require_capability
from maklerwerk.accounts.roles import Capability
from maklerwerk.privacy import register


@require_capability(Capability.PRIVACY)
@require_GET
def register_view(request: AuthedRequest) -> HttpResponse:
    return render(request, "privacy/register.html", {"register": register.register_build(user=request.user)})


@require_capability(Capability.PRIVACY)
@require_http_methods(["GET", "POST"])
def register_edit_view(request: AuthedRequest) -> HttpResponse:
    if request.method == "POST":
        register.register_edit(
            user=request.user, data={k: str(v) for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
        )
        messages.success(request, _("Records of processing saved."))
        return redirect("privacy:register")
    return render(
        request, "privacy/register_edit.html", {"register": register.register_build(user=request.user)}
    )


@require_capability(Capability.PRIVACY)
@require_GET
def register_pdf_view(request: AuthedRequest) -> HttpResponse:
    pdf = register.register_pdf(user=request.user)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="verarbeitungsverzeichnis.pdf"'
    return response
