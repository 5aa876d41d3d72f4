"""Typed requests: what the middleware guarantees a view, written down for the type checker.

These classes are annotations only. Django still passes its own request object; the attributes
below are the ones django-htmx's HtmxMiddleware, LoginRequiredMiddleware, OfficeMiddleware and
Ninja's authentication put on it. Annotate a view's `request` with the narrowest class that is true
for it, instead of silencing the checker at every `request.user` / `request.office`.
"""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from maklerwerk.accounts.models import Office, User


class HtmxRequest(HttpRequest):
    """Any request, also a public one: HtmxMiddleware adds `htmx` to every request."""

    htmx: HtmxDetails


class AuthedRequest(HtmxRequest):
    """A page behind login with an office: LoginRequiredMiddleware sends anonymous users to the
    login page and OfficeMiddleware answers 403 for a user without an office (except on the few
    pages in `OfficeMiddleware.ALLOWED_WITHOUT_OFFICE`, which must not use this class)."""

    user: User
    office: Office


class ApiRequest(AuthedRequest):
    """An API call after `api.auth.require()`: Ninja puts the authenticated user on `auth`, and
    `TokenAuth` / OfficeMiddleware put their office on `office` (require() refuses users without)."""

    auth: User
