from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.middleware import LoginRequiredMiddleware as BaseLoginRequiredMiddleware
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render


class OfficeMiddleware:
    """Puts the user's office on `request.office`.

    A user without an office (e.g. a superuser made by an older `createsuperuser`) is never put
    into some office silently: the pages explain how the operator assigns one
    (`maklerwerk assign_office USERNAME`), and the API answers 403 saying so.
    """

    ALLOWED_WITHOUT_OFFICE = frozenset({"logout", "password_change", "password_change_done", "set_language"})

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        office = user.office if user.is_authenticated else None
        request.office = office  # type: ignore[attr-defined]  # what AuthedRequest declares
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., HttpResponse], view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        user = request.user
        if (
            user.is_authenticated
            and user.office_id is None
            and getattr(view_func, "login_required", True)
            and not request.path_info.startswith("/api/")
            and getattr(request.resolver_match, "url_name", None) not in self.ALLOWED_WITHOUT_OFFICE
        ):
            return render(request, "accounts/no_office.html", status=403)
        return None


class LoginRequiredMiddleware(BaseLoginRequiredMiddleware):
    """Django's login-required default for every page, except the API, which answers 401 itself."""

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponseBase],
        view_args: Any,
        view_kwargs: Any,
    ) -> HttpResponseBase | None:
        if request.path_info.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
