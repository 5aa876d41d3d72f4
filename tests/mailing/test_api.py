"""Templates CRUD over the API: validation with line and reason, field catalogue, tenancy."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import api_client_for, assert_problem

pytestmark = pytest.mark.django_db


def test_it_lists_the_default_templates_and_the_field_catalogue(api: Any) -> None:
    body = api.get("/api/v1/mail-templates").json()
    assert body["count"] == 18
    assert "Exposé-Versand" in {t["name"] for t in body["items"]}
    fields = {f["name"]: f for f in api.get("/api/v1/mail-templates/fields").json()}
    assert fields["kontakt.briefanrede"]["group"] == "Kontakt"
    assert "links.dokumente" in fields and "objekt.kennung" in fields
    assert fields["links.termin"]["group"] == "Links" and fields["termin.zeit"]["group"] == "Termin"


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


def test_only_users_who_may_edit_templates_can_check_them(readonly_user: Any, agent: Any) -> None:
    from django.test import Client

    readonly = api_client_for(readonly_user)
    assert_problem(readonly.post("/api/v1/mail-templates/check", {"body": "{{" * 40_000}), 403)
    browser = Client()
    browser.force_login(readonly_user)
    assert browser.post("/mailing/templates/check/", {"body": "Hallo"}).status_code == 403
    agent_browser = Client()
    agent_browser.force_login(agent)
    assert agent_browser.post("/mailing/templates/check/", {"body": "Hallo"}).status_code == 200


def test_the_check_refuses_oversized_and_too_deeply_nested_templates(api: Any, agent: Any) -> None:
    from django.test import Client

    big = api.post("/api/v1/mail-templates/check", {"body": "x" * 200_001}).json()
    assert big["ok"] is False
    assert "Die Vorlage ist zu lang" in big["problems"][0]["reason"]
    deep_body = "{% if kontakt.vorname %}" * 1000 + "x" + "{% endif %}" * 1000
    deep = api.post("/api/v1/mail-templates/check", {"body": deep_body}).json()
    assert deep["ok"] is False and "Zu viele verschachtelte" in deep["problems"][0]["reason"]
    saved = api.post("/api/v1/mail-templates", {"name": "Tief", "body": deep_body})
    assert "Zu viele verschachtelte" in str(assert_problem(saved, 422))
    browser = Client()  # the editor's live check renders a preview: no RecursionError, a reason
    browser.force_login(agent)
    page = browser.post("/mailing/templates/check/", {"body": deep_body})
    assert page.status_code == 200
    assert "Zu viele verschachtelte" in page.content.decode()
