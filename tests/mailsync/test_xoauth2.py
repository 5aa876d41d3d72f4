"""XOAUTH2 against Dovecot's oauth2 passdb, with a local OAuth 2.0 introspection endpoint (RFC 7662)."""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from maklerwerk.core.models import Activity
from maklerwerk.mailsync.sync import account_sync
from tests.live.dovecot import dovecot_server
from tests.mailsync.conftest import connect, make_mail, person, put

pytestmark = pytest.mark.django_db

USER = "microsoft-makler@buero.example"
TOKENS = {"gueltiges-zugriffstoken": USER}


class Introspection(BaseHTTPRequestHandler):
    asked: list[str] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        form = urllib.parse.parse_qs(self.rfile.read(length).decode())
        token = (form.get("token") or [""])[0]
        self.asked.append(token)
        owner = TOKENS.get(token)
        answer = {"active": "true", "email": owner} if owner else {"active": "false"}
        data = json.dumps(answer).encode()
        self.send_response(200)
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
            yield server.account(USER, "")
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
