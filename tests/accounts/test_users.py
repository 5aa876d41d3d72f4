from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from maklerwerk.accounts.models import User
from maklerwerk.core.models import ChangeLog
from tests.conftest import api_client_for, assert_problem

pytestmark = pytest.mark.django_db

NEW_USER = {
    "username": "bea.backoffice",
    "first_name": "Bea",
    "last_name": "Böhm",
    "email": "bea@testbuero.example",
    "role": "backoffice",
    "password": "Sicheres-Start-Passwort-7",
}


def _login(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_an_admin_adds_a_colleague_who_can_then_log_in(admin_user: Any, office: Any) -> None:
    response = _login(admin_user).post("/settings/users/new/", NEW_USER, follow=True)
    assert "Benutzer Bea Böhm wurde angelegt" in response.content.decode()
    bea = User.objects.get(username="bea.backoffice")
    assert bea.office == office and bea.role == "backoffice"
    assert ChangeLog.objects.filter(object_id=str(bea.pk), action="create", user=admin_user).exists()
    client = Client()
    assert (
        client.post("/login/", {"username": "bea.backoffice", "password": NEW_USER["password"]}).status_code
        == 302
    )


def test_weak_passwords_and_taken_names_are_refused_in_german(admin_user: Any) -> None:
    client = _login(admin_user)
    html = client.post("/settings/users/new/", {**NEW_USER, "password": "123"}).content.decode()
    assert "Dieses Passwort ist zu kurz" in html
    html = client.post("/settings/users/new/", {**NEW_USER, "username": "ADMIN"}).content.decode()
    assert "Dieser Benutzername ist bereits vergeben" in html
    assert User.objects.count() == 1


def test_only_admins_manage_users(agent: Any) -> None:
    client = _login(agent)
    assert client.get("/settings/users/new/").status_code == 403
    assert client.post("/settings/users/new/", NEW_USER).status_code == 403
    assert not User.objects.filter(username="bea.backoffice").exists()
    assert (
        client.post(f"/settings/users/{agent.pk}/role/", {"role": "admin", "is_active": "on"}).status_code
        == 403
    )
    agent.refresh_from_db()
    assert agent.role == "agent"


def test_deactivating_a_user_ends_their_api_access_and_is_recorded(admin_user: Any, agent: Any) -> None:
    api = api_client_for(agent)
    _login(admin_user).post(f"/settings/users/{agent.pk}/role/", {"role": "readonly"})
    agent.refresh_from_db()
    assert not agent.is_active and agent.role == "readonly"
    assert_problem(api.get("/api/v1/me"), 401)
    entry = ChangeLog.objects.get(object_id=str(agent.pk), action="update")
    assert {"field": "role", "old": "agent", "new": "readonly"} in entry.changes


def test_an_admin_cannot_demote_themselves(admin_user: Any) -> None:
    response = _login(admin_user).post(
        f"/settings/users/{admin_user.pk}/role/", {"role": "readonly", "is_active": "on"}, follow=True
    )
    assert "Sie können Ihre eigene Rolle nicht ändern" in response.content.decode()
    admin_user.refresh_from_db()
    assert admin_user.role == "admin"


def test_users_of_another_office_cannot_be_changed(admin_user: Any, outsider: Any) -> None:
    assert (
        _login(admin_user).post(f"/settings/users/{outsider.pk}/role/", {"role": "readonly"}).status_code
        == 404
    )
    outsider.refresh_from_db()
    assert outsider.is_active


def test_a_deactivated_users_api_token_is_refused_and_stays_revoked(agent: Any, admin_user: Any) -> None:
    from maklerwerk.accounts.models import ApiToken
    from maklerwerk.accounts.services import api_token_authenticate, api_token_create, user_update_role

    client = api_client_for(agent)
    _token, plain = api_token_create(user=agent, name="Skript")
    assert client.get("/api/v1/me").status_code == 200
    assert api_token_authenticate(plain) == agent

    agent.is_active = False  # deactivated by any path (admin, shell): the token stops at once
    agent.save(update_fields=["is_active"])
    assert api_token_authenticate(plain) is None
    assert_problem(client.get("/api/v1/me"), 401)
    assert_problem(client.post("/api/v1/contacts", {"last_name": "Neu"}), 401)
    agent.is_active = True
    agent.save(update_fields=["is_active"])
    assert api_token_authenticate(plain) == agent

    user_update_role(user=agent, role="agent", is_active=False, acting_user=admin_user)
    assert not ApiToken.objects.filter(user=agent, revoked_at__isnull=True).exists()
    user_update_role(user=agent, role="agent", is_active=True, acting_user=admin_user)
    assert api_token_authenticate(plain) is None  # revoked on deactivation: reactivating needs new tokens
    assert_problem(client.get("/api/v1/me"), 401)
