"""Pages of the two-factor login (accounts/twofactor.py): the login's code step, the set-up page
(QR code, first code, recovery codes shown once) and an administrator's reset for a colleague."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from maklerwerk.accounts import twofactor
from maklerwerk.accounts.forms_auth import LoginForm
from maklerwerk.accounts.http import AuthedRequest
from maklerwerk.accounts.models import User
from maklerwerk.accounts.permissions import require_capability
from maklerwerk.accounts.roles import Capability
from maklerwerk.core.exceptions import ApplicationError


class TwoFactorLoginView(LoginView):
    """The password step. A user with a second factor is not logged in yet: the code step is next."""

    authentication_form = LoginForm

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        if twofactor.device_get(user) is None:
            return super().form_valid(form)
        self.request.session.cycle_key()
        self.request.session[twofactor.PENDING] = {
            "user": user.pk,
            "backend": getattr(user, "backend", ""),
            "next": self.get_success_url(),
        }
        return redirect("login_code")


def _pending_key(group: str, request: HttpRequest) -> str:
    pending = request.session.get(twofactor.PENDING) or {}
    return f"2fa:{pending.get('user', '-')}"


@login_not_required
@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate="30/h", method="POST", block=True)
@ratelimit(key=_pending_key, rate="5/m", method="POST", block=True)
def login_code_view(request: HttpRequest) -> HttpResponseBase:
    """The second step: the code from the app, or one of the recovery codes."""
    pending = request.session.get(twofactor.PENDING)
    if not isinstance(pending, dict):
        return redirect("login")
    user = get_user_model().objects.filter(pk=pending.get("user") or 0, is_active=True).first()
    if user is None:
        return redirect("login")
    error = ""
    if request.method == "POST":
        try:
            ok = twofactor.code_check(user=user, code=request.POST.get("code", "")[:40])
            error = (
                ""
                if ok
                else _("The code is not right. Enter the current code of your app or a recovery code.")
            )
        except ApplicationError as exc:
            ok, error = False, exc.message
        if ok:
            nxt = str(pending.get("next") or "")
            del request.session[twofactor.PENDING]
            auth_login(request, user, backend=pending.get("backend") or None)
            twofactor.session_verified(request.session)
            if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
                nxt = "/"
            return redirect(nxt)
    return render(request, "registration/login_code.html", {"error": error}, status=400 if error else 200)


@require_capability(Capability.VIEW)
@require_http_methods(["GET", "POST"])
def two_factor_view(request: AuthedRequest) -> HttpResponse:
    """Settings → Zwei-Faktor-Anmeldung: set it up, new recovery codes, switch it off."""
    user = request.user
    device = twofactor.device_get(user)
    context: dict[str, Any] = {"device": device, "required": request.office.two_factor_required}
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "confirm" and device is None:
                codes = twofactor.enrolment_confirm(user=user, code=request.POST.get("code", "")[:40])
                twofactor.session_verified(request.session)
                messages.success(request, _("Two-factor login is set up."))
                return render(request, "accounts/two_factor_codes.html", {"codes": codes})
            if action == "codes" and device is not None:
                codes = twofactor.recovery_codes_make(user=user)
                return render(request, "accounts/two_factor_codes.html", {"codes": codes})
            if action == "remove" and device is not None:
                twofactor.two_factor_remove(user=user, acting_user=user)
                messages.success(request, _("Two-factor login switched off."))
                return redirect("two_factor")
        except ApplicationError as exc:
            context["error"] = exc.message
    if context["device"] is None:
        pending = twofactor.enrolment_device(user)
        context.update(qr=twofactor.qr_svg(pending), secret=twofactor.secret_text(pending))
    else:
        context["codes_left"] = twofactor.recovery_codes_left(user)
    status = 400 if context.get("error") else 200
    return render(request, "accounts/two_factor.html", context, status=status)


@require_capability(Capability.MANAGE_USERS)
@require_POST
def user_two_factor_reset_view(request: AuthedRequest, user_id: int) -> HttpResponse:
    """An administrator removes a colleague's second factor (lost phone); they set it up again."""
    target: User = get_object_or_404(User, pk=user_id, office=request.office)
    try:
        twofactor.two_factor_remove(user=target, acting_user=request.user)
        messages.success(request, _("Two-factor login of %(name)s was reset.") % {"name": target})
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("/settings/#users")
