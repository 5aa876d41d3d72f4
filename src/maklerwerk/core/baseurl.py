"""One rule for every absolute link we hand out (document, self-service, confirmation, exposé links).

1. `MAKLERWERK_BASE_URL`, when configured, wins: behind a proxy only the operator knows the public name.
2. Otherwise the address of the current request: the one the agent is using right now.
3. Outside a request (jobs): the base of the request that started the job (`core.jobs` keeps it in the
   job's params), else the base the office was last used under (remembered in the shared cache), else
   `settings.BASE_URL`, which without configuration is built from `HOST`/`PORT` (what `serve` listens on).
"""

from __future__ import annotations

import ipaddress
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

if TYPE_CHECKING:
    from maklerwerk.accounts.models import Office

_current: ContextVar[str | None] = ContextVar("maklerwerk_base_url", default=None)
# Per process: what was last written to the cache per office, and when. Written again after a while,
# because a cache may evict entries (the database cache culls).
_remembered: dict[int, tuple[str, float]] = {}
REMEMBER_SECONDS = 300


def base_url_configured() -> bool:
    return bool(getattr(settings, "BASE_URL_CONFIGURED", False))


def _office_key(office_id: int) -> str:
    return f"maklerwerk:office-base-url:{office_id}"


def request_base_url(request: HttpRequest) -> str:
    """scheme://host[:port] of `request` (the host was checked against ALLOWED_HOSTS by Django)."""
    return f"{request.scheme}://{request.get_host()}"


def base_url(office: Office | int | None = None) -> str:
    """The base (no trailing slash) for links built now, following the rule above."""
    if base_url_configured():
        return str(settings.BASE_URL)
    current = _current.get()
    if current:
        return current
    office_id: Any = getattr(office, "pk", office)
    if office_id:
        remembered = cache.get(_office_key(int(office_id)))
        if remembered:
            return str(remembered)
    return str(settings.BASE_URL)


def absolute_url(path: str, *, office: Office | int | None = None) -> str:
    return base_url(office) + path


@contextmanager
def using_base_url(url: str | None) -> Iterator[None]:
    """Build links with `url` inside the block (a job started by a request, a test)."""
    token = _current.set(url.rstrip("/") if url else None)
    try:
        yield
    finally:
        _current.reset(token)


def current_request_base_url() -> str | None:
    """The base of the request being served in this context, for a job to keep (None outside requests)."""
    return None if base_url_configured() else _current.get()


class BaseUrlMiddleware:
    """Makes the request's base available to link builders and remembers it for the user's office."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if base_url_configured():
            return self.get_response(request)
        try:
            url = request_base_url(request)
        except Exception:  # DisallowedHost: Django answers 400 itself later
            return self.get_response(request)
        office_id = getattr(getattr(request, "user", None), "office_id", None)
        if office_id:
            last = _remembered.get(office_id)
            now = time.monotonic()
            if last is None or last[0] != url or now - last[1] > REMEMBER_SECONDS:
                # Jobs without a starting request (mail polling) build the office's links with this.
                cache.set(_office_key(office_id), url, timeout=None)
                _remembered[office_id] = (url, now)
        with using_base_url(url):
            return self.get_response(request)


_LOCAL_NAMES = {"localhost", "0.0.0.0", "::", ""}  # noqa: S104 (names, not a bind)


def _is_local(host: str) -> bool:
    if host in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def port_mismatch_warning(*, host: str, port: int, configured: str | None = None) -> str | None:
    """German/English warning when the configured base URL points at this machine on another port.

    A public name (https://crm.example.de behind a proxy) never warns: the proxy maps the port."""
    configured = configured if configured is not None else os.environ.get("MAKLERWERK_BASE_URL", "")
    if not configured:
        return None
    parts = urlsplit(configured)
    base_host = parts.hostname or ""
    if not (_is_local(base_host) or base_host == host):
        return None
    base_port = parts.port or (443 if parts.scheme == "https" else 80)
    if base_port == port:
        return None
    return (
        f"MAKLERWERK_BASE_URL={configured} zeigt auf Port {base_port}, der Server hört aber auf Port "
        f"{port}: Links in E-Mails (Dokumente, Bestätigungen) würden ins Leere führen. Passen Sie "
        f"MAKLERWERK_BASE_URL oder PORT an, oder lassen Sie MAKLERWERK_BASE_URL weg (dann gilt die Adresse "
        f"der Anfrage). / "
        f"MAKLERWERK_BASE_URL points at port {base_port} but the server listens on {port}."
    )


def runserver_port(argv: list[str]) -> tuple[str, int] | None:
    """(host, port) `manage.py runserver [addr:]port` will listen on, or None for other commands."""
    if len(argv) < 2 or argv[1] != "runserver":
        return None
    addrport = next((a for a in argv[2:] if not a.startswith("-")), "")
    host, _sep, port = addrport.rpartition(":") if ":" in addrport else ("", "", addrport)
    try:
        return host or "127.0.0.1", int(port or os.environ.get("PORT", "8000"))
    except ValueError:
        return None
