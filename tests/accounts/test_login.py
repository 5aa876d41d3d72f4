from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_it_sends_anonymous_visitors_to_the_login_page() -> None:
    response = Client().get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=/")


def test_it_logs_in_and_shows_the_german_dashboard(agent: Any) -> None:
    client = Client()
    response = client.post("/login/", {"username": "makler", "password": "Geheim-Passwort-1"}, follow=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="de">' in html
    assert "Übersicht" in html and "Kontakte" in html and "Einstellungen" in html


def test_each_language_is_offered_in_its_own_words(agent: Any) -> None:
    """A German page offers "English", not "Englisch": the reader of that language must find it."""
    login = Client().get("/login/").content.decode()
    assert ">English</button>" in login and ">Deutsch</button>" in login and "Englisch" not in login
    client = Client()
    client.post("/login/", {"username": "makler", "password": "Geheim-Passwort-1"})
    page = client.get("/").content.decode()
    assert '<option value="en">English</option>' in page and "Englisch" not in page


def test_it_explains_wrong_credentials_in_german(agent: Any) -> None:
    response = Client().post("/login/", {"username": "makler", "password": "falsch"})
    assert response.status_code == 200
    assert "Benutzername oder Passwort ist falsch" in response.content.decode()


@pytest.mark.ratelimit
def test_it_locks_out_after_repeated_failures(agent: Any, settings: Any) -> None:
    settings.AXES_ENABLED = True
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/login/", {"username": "makler", "password": "falsch"})
    response = client.post("/login/", {"username": "makler", "password": "Geheim-Passwort-1"})
    assert response.status_code == 429
    assert "Zu viele fehlgeschlagene Anmeldeversuche" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_requires_login_again_when_the_session_expired(agent: Any) -> None:
    client = Client()
    client.force_login(agent)
    assert client.get("/").status_code == 200
    client.session.flush()
    client.cookies.clear()
    assert client.get("/").status_code == 302


def test_it_switches_to_english_and_back(agent_client: Client) -> None:
    response = agent_client.post("/i18n/setlang/", {"language": "en", "next": "/"}, follow=True)
    html = response.content.decode()
    assert '<html lang="en">' in html and "Contacts" in html and "Kontakte" not in html
    response = agent_client.post("/i18n/setlang/", {"language": "de", "next": "/"}, follow=True)
    assert "Kontakte" in response.content.decode()


def test_it_logs_out_only_by_post(agent_client: Client) -> None:
    assert agent_client.get("/logout/").status_code == 405
    agent_client.post("/logout/")
    assert agent_client.get("/").status_code == 302


def test_it_changes_the_password(agent: Any, agent_client: Client) -> None:
    response = agent_client.post(
        "/password/",
        {
            "old_password": "falsch",
            "new_password1": "Neues-Passwort-22",
            "new_password2": "Neues-Passwort-22",
        },
    )
    assert "Das alte Passwort war falsch" in response.content.decode()
    agent_client.post(
        "/password/",
        {
            "old_password": "Geheim-Passwort-1",
            "new_password1": "Neues-Passwort-22",
            "new_password2": "Neues-Passwort-22",
        },
    )
    agent.refresh_from_db()
    assert agent.check_password("Neues-Passwort-22")


def test_the_ui_stays_german_for_an_english_browser(agent_client: Client) -> None:
    html = agent_client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"}).content.decode()
    assert "Kontakte" in html


def test_a_stale_form_gets_a_german_explanation_and_changes_nothing(agent: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)
    response = client.post("/settings/tokens/", {"name": "ohne CSRF"})
    assert response.status_code == 403
    assert "Das Formular ist abgelaufen" in response.content.decode()
    assert not agent.api_tokens.exists()


def test_an_oversized_form_gets_a_german_error_page(agent_client: Client, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = agent_client.post("/settings/tokens/", {"name": "x" * 5000})
    assert response.status_code == 400
    assert "Die Anfrage konnte nicht verarbeitet werden" in response.content.decode()
