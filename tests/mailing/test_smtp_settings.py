"""A user's own SMTP account: the password is stored encrypted, never shown, and used to log in to
a real SMTP server (aiosmtpd with AUTH)."""

from __future__ import annotations

import socket
import threading
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse

from maklerwerk.integrations.smtp.client import SmtpError
from maklerwerk.mailing import selectors, sending, services
from maklerwerk.mailing.models import SmtpSettings
from maklerwerk.mailing.placeholders import MailContext
from tests.live.migrations import migrate_to_latest
from tests.mailing.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _raw_stored() -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT password_encrypted FROM {SmtpSettings._meta.db_table}")  # noqa: S608
        return str(cursor.fetchone()[0])


def test_the_settings_page_stores_the_password_encrypted_and_never_shows_it(agent_client: Any) -> None:
    url = reverse("mailing:smtp_settings")
    form = {"active": "on", "host": "mail.example.org", "port": "587", "security": "starttls",
            "username": "max", "from_email": "max@example.org"}  # fmt: skip
    response = agent_client.post(url, {**form, "password": PASSWORD})
    assert response.status_code == 302
    stored = _raw_stored()
    assert stored and PASSWORD not in stored and "Sonnen" not in stored
    assert PASSWORD not in agent_client.get(url).content.decode()
    # saving again without a password keeps the stored one
    agent_client.post(url, {**form, "host": "smtp.example.org", "password": ""})
    conf = SmtpSettings.objects.get()
    assert conf.host == "smtp.example.org" and conf.get_password() == PASSWORD


def test_mail_goes_out_over_the_agents_own_server_with_the_stored_password(
    own_server: Any, smtp_sink: Any, agent: Any, contact: Any, prop: Any
) -> None:
    services.smtp_settings_save(
        user=agent,
        data={"active": True, "host": "127.0.0.1", "port": own_server.port, "security": "none",
              "username": "max", "password": PASSWORD},
    )  # fmt: skip
    template = selectors.template_by_key(user=agent, key="expose")
    ctx = MailContext(office=agent.office, acting_user=agent, contact=contact, prop=prop)
    sending.mail_send(
        office=agent.office, acting_user=agent, template=template, to_email="kunde@example.org", ctx=ctx
    )
    assert own_server.logins == [True]
    assert [m.rcpt_tos for m in own_server.messages] == [["kunde@example.org"]]
    assert smtp_sink.messages == []  # not over the office's server


def test_a_password_stored_under_another_secret_key_must_be_entered_again(
    settings: Any, agent: Any, agent_client: Any
) -> None:
    services.smtp_settings_save(
        user=agent,
        data={"active": True, "host": "mail.example.org", "port": 587, "security": "starttls",
              "username": "max", "password": PASSWORD},
    )  # fmt: skip
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    agent_client.force_login(agent)  # the session, too, was signed with the old key
    with pytest.raises(SmtpError) as info:
        services.smtp_account_for(agent)
    assert info.value.kind == "auth" and "bitte neu eingeben" in info.value.message
    form = {"active": "on", "host": "mail.example.org", "port": "587", "security": "starttls",
            "username": "max", "from_email": "", "password": ""}  # fmt: skip
    response = agent_client.post(reverse("mailing:smtp_settings"), form)
    assert response.status_code == 200 and "bitte neu eingeben" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_passwords_stored_in_plain_text_and_back(agent: Any) -> None:
    from django.db.migrations.executor import MigrationExecutor

    before, after = [("mailing", "0001_initial")], [("mailing", "0002_smtp_password_encrypted")]
    try:
        executor = MigrationExecutor(connection)
        executor.migrate(before)
        old = executor.loader.project_state(before).apps.get_model("mailing", "SmtpSettings")
        old.objects.create(user_id=agent.pk, host="mail.example.org", port=587, security="starttls",
                           username="max", password=PASSWORD, from_email="")  # fmt: skip
        MigrationExecutor(connection).migrate(after)
        assert SmtpSettings.objects.get().get_password() == PASSWORD
        assert PASSWORD not in _raw_stored()
        MigrationExecutor(connection).migrate(before)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT password FROM {SmtpSettings._meta.db_table}")  # noqa: S608
            assert cursor.fetchone()[0] == PASSWORD
    finally:
        migrate_to_latest()


FAILED = (
    "Verbindung fehlgeschlagen: Der Mailserver ist nicht erreichbar oder hat die Anmeldung abgelehnt. "
    "Bitte Server, Port, Verschlüsselung, Benutzername und Passwort prüfen."
)


def _test_form(port: int, password: str = PASSWORD) -> dict[str, str]:
    return {"test": "1", "host": "127.0.0.1", "port": str(port), "security": "none",
            "username": "max", "from_email": "", "password": password}  # fmt: skip


def _messages(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_the_connection_test_answers_alike_for_closed_silent_other_and_refusing_servers(
    own_server: Any, agent_client: Any
) -> None:
    url = reverse("mailing:smtp_settings")
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        closed_port = closed.getsockname()[1]
    with socket.socket() as silent, socket.socket() as other:
        silent.bind(("127.0.0.1", 0))
        silent.listen()  # accepts the connection, never says a word
        other.bind(("127.0.0.1", 0))
        other.listen()

        def http_like() -> None:
            conn, _addr = other.accept()
            with conn:
                conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")

        thread = threading.Thread(target=http_like, daemon=True)
        thread.start()
        answers = {
            "closed": _messages(agent_client.post(url, _test_form(closed_port))),
            "silent": _messages(agent_client.post(url, _test_form(silent.getsockname()[1]))),
            "other service": _messages(agent_client.post(url, _test_form(other.getsockname()[1]))),
            "wrong password": _messages(agent_client.post(url, _test_form(own_server.port, "falsch"))),
        }
        thread.join(5)
    assert answers == {kind: [FAILED] for kind in answers}
    ok = agent_client.post(url, _test_form(own_server.port))
    assert _messages(ok) == ["Die Verbindung zum Mailserver funktioniert."]
    assert own_server.logins == [False, True]
    assert not SmtpSettings.objects.exists()  # a test stores nothing


def test_read_only_users_cannot_probe_servers_with_the_connection_test(readonly_user: Any) -> None:
    from django.test import Client

    client = Client()
    client.force_login(readonly_user)
    url = reverse("mailing:smtp_settings")
    assert "Verbindung testen" not in client.get(url).content.decode()
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.setblocking(False)
        response = client.post(url, _test_form(listener.getsockname()[1]))
        assert response.status_code == 403
        with pytest.raises(BlockingIOError):  # nobody knocked
            listener.accept()
