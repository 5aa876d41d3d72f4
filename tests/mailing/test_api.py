"""Templates CRUD over the API: validation with line and reason, field catalogue, tenancy."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import api_client_for, assert_problem

pytestmark = pytest.mark.django_db


def test_it_lists_the_default_templates_and_the_field_catalogue(api: Any) -> None:
    body = api.get("/api/v1/mail-templates").json()
    assert body["count"] == 4
    assert "Exposé-Versand" in {t["name"] for t in body["items"]}
    fields = {f["name"]: f for f in api.get("/api/v1/mail-templates/fields").json()}
    assert fields["kontakt.briefanrede"]["group"] == "Kontakt"
    assert "links.dokumente" in fields and "objekt.kennung" in fields


def test_it_creates_changes_and_deletes_a_template(api: Any) -> None:
    created = api.post(
        "/api/v1/mail-templates", {"name": "Nachfassen", "subject": "Zu {{ objekt.titel }}", "body": "Hallo"}
    )
    assert created.status_code == 201, created.content
    tid = created.json()["id"]
    changed = api.patch(f"/api/v1/mail-templates/{tid}", {"body": "{{ kontakt.briefanrede }},\nwie geht's?"})
    assert changed.status_code == 200 and changed.json()["body"].startswith("{{ kontakt.briefanrede }}")
    assert api.delete(f"/api/v1/mail-templates/{tid}").status_code == 204
    assert api.get(f"/api/v1/mail-templates/{tid}").status_code == 404


def test_a_broken_template_is_rejected_with_line_and_reason(api: Any) -> None:
    response = api.post(
        "/api/v1/mail-templates",
        {"name": "Kaputt", "body": "Hallo\n\n{% include 'x.html' %}", "subject": "x"},
    )
    body = assert_problem(response, 422)
    assert "Zeile 3" in str(body) and "include" in str(body)
    check = api.post("/api/v1/mail-templates/check", {"body": "{{ kontakt.__dict__ }}"}).json()
    assert check["ok"] is False and check["problems"][0]["line"] == 1
    unknown = api.post("/api/v1/mail-templates", {"name": "X", "body": "x", "color": "rot"})
    assert_problem(unknown, 422)


def test_another_office_sees_nothing(api: Any, outsider: Any) -> None:
    tid = api.get("/api/v1/mail-templates").json()["items"][0]["id"]
    other = api_client_for(outsider)
    assert_problem(other.get(f"/api/v1/mail-templates/{tid}"), 404)
    assert_problem(other.patch(f"/api/v1/mail-templates/{tid}", {"body": "x"}), 404)


def test_read_only_users_cannot_change_templates(readonly_user: Any) -> None:
    client = api_client_for(readonly_user)
    assert client.get("/api/v1/mail-templates").status_code == 200
    assert_problem(client.post("/api/v1/mail-templates", {"name": "X", "body": "x"}), 403)
