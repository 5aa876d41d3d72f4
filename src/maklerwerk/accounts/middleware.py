from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.middleware import LoginRequiredMiddleware as BaseLoginRequiredMiddleware
from django.http import HttpRequest, HttpResponse

from maklerwerk.accounts.services import office_get_or_create_default


class OfficeMiddleware:
    """Puts the user's office on `request.office`.

    A superuser made with `createsuperuser` has no office yet; they join the first one, so the
    very first login on a fresh install works without further set-up.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        request.office = None  # type: ignore[attr-defined]
        if user.is_authenticated:
            if user.office_id is None and user.is_superuser:
                user.office = office_get_or_create_default()
                user.save(update_fields=["office"])
            request.office = user.office  # type: ignore[attr-defined]
        return self.get_response(request)


class LoginRequiredMiddleware(BaseLoginRequiredMiddleware):
    """Django's login-required default for every page, except the API, which answers 401 itself."""

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., HttpResponse], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        if request.path_info.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
