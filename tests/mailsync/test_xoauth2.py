"""XOAUTH2 against Dovecot's oauth2 passdb, with a local OAuth 2.0 introspection endpoint (RFC 7662)."""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.urls import reverse

from maklerwerk.core.models import Activity
from maklerwerk.mailsync.models import MailAccount
from maklerwerk.mailsync.sync import account_sync
from tests.live.dovecot import dovecot_server
from tests.mailsync.conftest import connect, make_mail, person, put

pytestmark = pytest.mark.django_db

USER = "microsoft-makler@buero.example"
TOKENS = {"gueltiges-zugriffstoken": USER}


REFRESH_TOKENS = {"gueltiges-refresh-token", "rotiertes-refresh-token"}


class Introspection(BaseHTTPRequestHandler):
    asked: list[str] = []
    refreshed: list[str] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        form = urllib.parse.parse_qs(self.rfile.read(length).decode())
        status = 200
        if self.path == "/token":  # the provider's token endpoint (RFC 6749 section 6)
            refresh = (form.get("refresh_token") or [""])[0]
            self.refreshed.append(refresh)
            if form.get("grant_type") == ["refresh_token"] and refresh in REFRESH_TOKENS:
                answer: dict[str, Any] = {
                    "access_token": "gueltiges-zugriffstoken",
                    "token_type": "Bearer",
                    "expires_in": 3600,
                    "refresh_token": "rotiertes-refresh-token",
                }
            else:
                status, answer = 400, {"error": "invalid_grant"}
        else:
            token = (form.get("token") or [""])[0]
            self.asked.append(token)
            owner = TOKENS.get(token)
            answer = {"active": "true", "email": owner} if owner else {"active": "false"}
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def oauth_server() -> Iterator[dict[str, Any]]:
    http = ThreadingHTTPServer(("127.0.0.1", 0), Introspection)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{http.server_address[1]}/introspect"
    try:
        with dovecot_server({USER: "nur-fuer-den-test"}, oauth2_introspection_url=url) as server:
            yield {**server.account(USER, ""), "token_url": url.replace("/introspect", "/token")}
    finally:
        http.shutdown()
        thread.join(5)


def test_an_access_token_logs_in_with_xoauth2_and_a_bad_one_gives_a_german_state(
    office: Any, agent: Any, oauth_server: dict[str, Any]
) -> None:
    person(office, "kunde@example.org")
    put({**oauth_server, "password": "nur-fuer-den-test"}, make_mail())
    account = connect(agent, {**oauth_server, "password": "abgelaufenes-token"}, auth="xoauth2")
    failed = account_sync(account)
    assert failed.error == "Anmeldung fehlgeschlagen: Zugriffstoken ist ungültig oder abgelaufen."
    account.set_password("gueltiges-zugriffstoken")
    account.save()
    first = account_sync(account)
    assert (first.error, first.archived) == ("", 1)
    assert (account_sync(account).archived, account_sync(account).archived) == (0, 0)
    assert Activity.objects.filter(type=Activity.Type.EMAIL_RECEIVED).count() == 1
    assert "gueltiges-zugriffstoken" in Introspection.asked and "abgelaufenes-token" in Introspection.asked


def test_a_refresh_token_renews_the_access_token_at_the_token_endpoint(
    office: Any, agent: Any, agent_client: Any, oauth_server: dict[str, Any], monkeypatch: Any
) -> None:
    """GIVEN a mailbox connected on the page with a refresh token instead of an access token
    WHEN it syncs
    THEN a fresh access token is fetched from the token endpoint, stored encrypted and used for
    XOAUTH2; while it is valid the next runs do not ask again; a refused refresh is a German state."""
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # the stand-in endpoint is plain http on loopback
    person(office, "kunde@example.org")
    put({**oauth_server, "password": "nur-fuer-den-test"}, make_mail(subject="Per OAuth"))
    response = agent_client.post(
        reverse("mailsync:account_create"),
        {"email": USER, "username": USER, "host": oauth_server["host"], "port": oauth_server["port"],
         "security": "none", "auth": "xoauth2", "password": "", "refresh_token": "gueltiges-refresh-token",
         "oauth_token_url": oauth_server["token_url"], "oauth_client_id": "maklerwerk-test",
         "append_sent": "on", "active": "on"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[-2000:]
    account = MailAccount.objects.get(user=agent)
    assert "gueltiges-refresh-token" not in account.refresh_token_encrypted  # stored encrypted
    Introspection.refreshed.clear()
    first = account_sync(account)
    assert first.error == "" and first.archived >= 1  # the mailbox is shared with the test above
    assert Activity.objects.filter(subject="Per OAuth").count() == 1
    assert Introspection.refreshed == ["gueltiges-refresh-token"]
    account.refresh_from_db()
    assert account.get_refresh_token() == "rotiertes-refresh-token" and account.token_expires_at is not None
    for _ in range(2):
        assert account_sync(account).archived == 0
    assert Introspection.refreshed == ["gueltiges-refresh-token"]  # still valid: not asked again

    account.set_refresh_token("widerrufenes-token")
    account.token_expires_at = None
    account.save()
    failed = account_sync(account)
    account.refresh_from_db()
    assert failed.error.startswith("Der Zugriff wurde vom Anbieter nicht erneuert (invalid_grant)")
    assert account.last_status == "error" and "neu verbinden" in account.last_error
    assert Activity.objects.filter(subject="Per OAuth").count() == 1
