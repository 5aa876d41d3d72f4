"""The one place where views ask "may this user do that?"."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase
from django.utils.translation import gettext as _

from maklerwerk.accounts.roles import Capability


def require_capability(
    capability: Capability,
) -> Callable[[Callable[..., HttpResponseBase]], Callable[..., HttpResponseBase]]:
    """View decorator: 403 (Django's PermissionDenied) unless the user's role grants `capability`.

    Anonymous users never reach this: LoginRequiredMiddleware sends them to the login page first.
    """

    def decorator(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            user = request.user
            if not user.is_authenticated or user.office_id is None or not user.can(capability):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def ensure_capability(user: Any, capability: Capability) -> None:
    """For services: PermissionDenied (403 in views and the API) unless `user` may do `capability`.

    Services call it so that every entry path (HTML, API, later ones) asks the same question.
    `user` None means the system itself (jobs, seeding), which may always act.
    """
    if user is not None and not user.can(capability):
        raise PermissionDenied(_("Your role does not allow this."))
