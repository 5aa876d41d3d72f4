"""Two-factor login (TOTP, RFC 6238) with recovery codes, and the office's "2FA Pflicht".

How it holds together:
- The password step does not log in a user who has a second factor: it only remembers them in the
  session as pending (`PENDING`); the code step calls `login()`. A half-logged-in session therefore
  reaches nothing, neither a page nor the API.
- A logged-in session carries `STATE`: "verified" (a code was given, or the factor was set up in
  this session) or "none" (the user had no second factor when logging in). `TwoFactorMiddleware`
  sends a "none" session of an office that requires two-factor login to the set-up page, and ends a
  session of a user who has a second factor but never gave it (e.g. a session from before the
  set-up on another device). The API's session authentication asks the same `session_verdict`.
- API tokens keep working without a code: a script cannot type one. A token is made in a logged-in
  (so, where required, two-factor) session, is a long random secret of which only a hash is stored,
  can be narrowed to one operation and is revoked on the settings page or when its user is
  deactivated. It is a second credential of its own, not a way around the login.
- The codes: django-otp's `TOTPDevice` (30-second steps, one step of clock drift either way, a code
  works once, growing waits after wrong codes). Recovery codes: ten, each working once, stored
  as SHA-256 hashes like the API tokens (they are random, so a plain hash is enough).
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

import segno
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from maklerwerk.accounts.models import RecoveryCode, User
from maklerwerk.accounts.roles import Capability
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.core.history import history_record
from maklerwerk.core.models import ChangeLog

if TYPE_CHECKING:
    from django.contrib.sessions.backends.base import SessionBase

PENDING = "mw_2fa_pending"  # {"user": pk, "backend": "...", "next": "/..."} between the two steps
STATE = "mw_2fa"  # "verified" | "none" on a logged-in session
RECOVERY_CODES = 10
# Letters and digits people do not confuse (no 0/O, 1/l/I).
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def device_get(user: User) -> TOTPDevice | None:
    """The user's confirmed authenticator, or None (no two-factor login set up)."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def enrolment_device(user: User) -> TOTPDevice:
    """The not yet confirmed authenticator the set-up page shows (made once, kept until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)
    return device


def secret_text(device: TOTPDevice) -> str:
    """The key as people type it into an app without a camera: base32 in groups of four."""
    raw = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// link as an inline SVG QR code (no request to another server, no script)."""
    return str(segno.make(device.config_url, error="m").svg_inline(scale=4, border=2))


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _normalise(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def recovery_codes_make(*, user: User) -> list[str]:
    """Ten new recovery codes (the old ones stop working); returned once, only hashes are kept."""
    codes = [
        "-".join("".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(3))
        for _ in range(RECOVERY_CODES)
    ]
    with transaction.atomic():
        RecoveryCode.objects.filter(user=user).delete()
        RecoveryCode.objects.bulk_create(
            RecoveryCode(user=user, code_hash=_hash(_normalise(c))) for c in codes
        )
    return codes


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def _record(user: User, acting_user: User | None, before: bool, after: bool, note: str) -> None:
    history_record(
        instance=user,
        acting_user=acting_user,
        action=ChangeLog.Action.UPDATE,
        before={"two_factor": before},
        after={"two_factor": after},
        note=note,
    )


@transaction.atomic
def enrolment_confirm(*, user: User, code: str) -> list[str]:
    """Confirm the set-up with a first code from the app; returns the recovery codes (shown once)."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None:
        raise ApplicationError(_("Open the set-up page again: the key shown there has changed."))
    if not device.verify_token(_normalise(code)):
        raise ApplicationError(
            _("The code does not match. Check that the phone's clock is right and enter the current code.")
        )
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    _record(user, user, False, True, _("Two-factor login set up"))
    return recovery_codes_make(user=user)


def code_check(*, user: User, code: str) -> bool:
    """Is `code` the user's current app code or an unused recovery code (then used up)?

    Raises ApplicationError while wrong codes made the authenticator wait."""
    normalised = _normalise(code)
    if not normalised:
        return False
    device = device_get(user)
    if device is not None and normalised.isdigit():
        allowed, data = device.verify_is_allowed()
        if not allowed:
            until = (data or {}).get("locked_until")
            raise ApplicationError(
                _("Too many wrong codes. Please wait until %(time)s and try again.")
                % {"time": time_format(timezone.localtime(until), "H:i:s") if until else "…"}
            )
        return bool(device.verify_token(normalised))
    found = RecoveryCode.objects.filter(user=user, code_hash=_hash(normalised), used_at__isnull=True)
    # A conditional UPDATE: two tabs with the same code, and only one gets in.
    return bool(found.update(used_at=timezone.now()))


@transaction.atomic
def two_factor_remove(*, user: User, acting_user: User) -> None:
    """Remove a user's second factor: the user themselves (unless the office requires it) or an
    administrator of the office for a colleague who lost the phone (who then sets it up again)."""
    own = acting_user.pk == user.pk
    if own and user.office is not None and user.office.two_factor_required:
        raise ApplicationError(_("Your office requires two-factor login: it cannot be switched off."))
    if not own and (acting_user.office_id != user.office_id or not acting_user.can(Capability.MANAGE_USERS)):
        raise ApplicationError(_("Your role does not allow this."))
    had = TOTPDevice.objects.filter(user=user).exists()
    TOTPDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    if had:
        _record(user, acting_user, True, False, _("Two-factor login removed"))


# --- sessions -------------------------------------------------------------------------------------


def session_verified(session: SessionBase) -> None:
    session[STATE] = "verified"


def on_login(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    """On `user_logged_in` (connected in `AccountsConfig.ready()`): every login path (the code step,
    tests' force_login, the admin) leaves the session's state."""
    if request is None or not hasattr(request, "session"):
        return
    if request.session.get(STATE) != "verified":
        request.session[STATE] = "unverified" if device_get(user) is not None else "none"


Verdict = Literal["ok", "enrol", "logout"]


def session_verdict(request: HttpRequest) -> Verdict:
    """What a logged-in browser session may do: "ok", "enrol" (the office requires a second factor
    the user has not set up) or "logout" (the user has one and this session never gave it)."""
    user = request.user
    if not user.is_authenticated:
        return "ok"
    state = request.session.get(STATE)
    if state is None:  # a session from before two-factor login existed
        state = "unverified" if device_get(user) is not None else "none"
        request.session[STATE] = state
    if state == "verified":
        return "ok"
    if state == "unverified":
        return "logout"
    office = getattr(request, "office", None) or user.office
    return "enrol" if office is not None and office.two_factor_required else "ok"


# Pages a session that must still set up its second factor may open.
ENROL_ALLOWED = frozenset({"two_factor", "logout", "set_language", "favicon", "healthz"})


class TwoFactorMiddleware:
    """Applies `session_verdict` to every page (the API asks it in its session authentication)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        if request.path_info.startswith("/api/") or request.path_info.startswith(
            settings.STATIC_URL or "/static/"
        ):
            return None
        verdict = session_verdict(request)
        if verdict == "logout":
            logout(request)
            return redirect_to_login(request.get_full_path())
        if verdict == "enrol" and getattr(request.resolver_match, "url_name", None) not in ENROL_ALLOWED:
            return redirect("two_factor")
        return None
