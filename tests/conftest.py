"""Shared personas and helpers. Real servers for live tests are in tests/live.py (RECIPES.md)."""

from __future__ import annotations

import datetime as dt
import json
import os
from typing import Any

import pytest
from django.test import Client

# Rate limits count per fixed window (django-ratelimit: per minute); tests that count requests up to a
# limit run frozen at this instant, so a window boundary cannot fall between two of their requests.
RATE_LIMIT_INSTANT = dt.datetime(2026, 3, 2, 10, 0, 5, tzinfo=dt.UTC)

# Playwright's sync API runs an event loop in the test thread; Django would refuse ORM calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium", "args": CHROMIUM_ARGS}


@pytest.fixture(autouse=True)
def _isolated_settings(settings: Any, tmp_path: Any) -> None:
    # Each test gets its own media and export folders, and login throttling off unless a test wants it.
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    settings.AXES_ENABLED = False


@pytest.fixture
def office(db: None) -> Any:
    from maklerwerk.accounts.models import Office

    return Office.objects.create(name="Testbüro Immobilien GmbH", city="Köln")


@pytest.fixture
def other_office(db: None) -> Any:
    from maklerwerk.accounts.models import Office

    return Office.objects.create(name="Fremdbüro AG", city="Hamburg")


def make_user(office: Any, username: str, role: str, **extra: Any) -> Any:
    from maklerwerk.accounts.services import user_create

    return user_create(office=office, username=username, password="Geheim-Passwort-1", role=role, **extra)


@pytest.fixture
def admin_user(office: Any) -> Any:
    return make_user(office, "admin", "admin", first_name="Ada", last_name="Admin")


@pytest.fixture
def agent(office: Any) -> Any:
    return make_user(office, "makler", "agent", first_name="Max", last_name="Makler")


@pytest.fixture
def backoffice_user(office: Any) -> Any:
    return make_user(office, "backoffice", "backoffice")


@pytest.fixture
def readonly_user(office: Any) -> Any:
    return make_user(office, "leser", "readonly")


@pytest.fixture
def outsider(other_office: Any) -> Any:
    return make_user(other_office, "fremd", "admin")


class ApiClient:
    """Django's test client speaking JSON with a Bearer token."""

    def __init__(self, token: str | None) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def _call(self, method: str, path: str, data: Any = None, **kw: Any) -> Any:
        fn = getattr(self.client, method)
        if data is not None and method in {"post", "put", "patch"} and "content_type" not in kw:
            kw["content_type"] = "application/json"
            data = json.dumps(data)
        return fn(path, data, headers={**self.headers, **kw.pop("headers", {})}, **kw)

    def get(self, path: str, data: Any = None, **kw: Any) -> Any:
        return self._call("get", path, data, **kw)

    def post(self, path: str, data: Any = None, **kw: Any) -> Any:
        return self._call("post", path, data, **kw)

    def put(self, path: str, data: Any = None, **kw: Any) -> Any:
        return self._call("put", path, data, **kw)

    def patch(self, path: str, data: Any = None, **kw: Any) -> Any:
        return self._call("patch", path, data, **kw)

    def delete(self, path: str, **kw: Any) -> Any:
        return self._call("delete", path, None, **kw)


def api_client_for(user: Any) -> ApiClient:
    from maklerwerk.accounts.services import api_token_create

    _, plain = api_token_create(user=user, name="test")
    return ApiClient(plain)


@pytest.fixture
def api(agent: Any) -> ApiClient:
    return api_client_for(agent)


@pytest.fixture
def agent_client(agent: Any) -> Client:
    c = Client()
    c.force_login(agent)
    return c


def streamed(response: Any) -> bytes:
    """The whole body of a streaming response (a file, a ZIP, an export) of the test client."""
    return b"".join(response.streaming_content)


def mail_template(user: Any, key: str) -> Any:
    """One of the office's default mail templates (created on first use), e.g. "expose"."""
    from maklerwerk.mailing.selectors import template_by_key

    template = template_by_key(user=user, key=key)
    assert template is not None, key
    return template


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    """The response is an RFC 9457 problem with this status; returns its body."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json"), response["Content-Type"]
    body = response.json()
    assert body["status"] == status
    assert body["title"] and body["detail"] and body["type"].startswith("urn:maklerwerk:problem:")
    return body


class SmtpSink:
    """Collects what a real SMTP server (aiosmtpd, on loopback) received."""

    port: int  # set by the fixture that starts the server
    logins: list[bool]  # AUTH attempts, where a fixture checks them

    def __init__(self) -> None:
        self.messages: list[Any] = []
        self.refuse: set[str] = set()  # recipients to answer with 550
        self.greetings = 0  # EHLO/HELO received: one per connection

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: Any
    ) -> Any:
        self.greetings += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope)
        return "250 OK"

    def parsed(self) -> list[Any]:
        import email
        import email.policy

        return [email.message_from_bytes(m.content, policy=email.policy.default) for m in self.messages]


@pytest.fixture
def smtp_sink(settings: Any) -> Any:
    """A real SMTP server on a free loopback port; Django's default mailer sends to it."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sink = SmtpSink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "maklerwerk.integrations.smtp.backend.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "use_tls": False, "timeout": 10},
        }
    }
    sink.port = port
    yield sink
    controller.stop()
