"""The API conventions every endpoint shares: auth, roles, errors, paging, ordering, tenancy."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from maklerwerk.accounts.models import ApiToken
from maklerwerk.core.models import Activity
from tests.conftest import ApiClient, api_client_for, assert_problem

pytestmark = pytest.mark.django_db


def _activities(office: Any, n: int) -> None:
    Activity.objects.bulk_create(
        Activity(office=office, type="note", subject=f"Notiz {i:03d}") for i in range(n)
    )


def test_it_refuses_requests_without_a_token() -> None:
    response = ApiClient(None).get("/api/v1/activities")
    body = assert_problem(response, 401)
    assert "Bearer" in body["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_it_refuses_unknown_and_revoked_tokens(agent: Any) -> None:
    assert_problem(ApiClient("mwk_not-a-real-token").get("/api/v1/activities"), 401)
    client = api_client_for(agent)
    assert client.get("/api/v1/activities").status_code == 200
    ApiToken.objects.get(user=agent).revoke()
    assert_problem(client.get("/api/v1/activities"), 401)


def test_it_refuses_a_token_of_a_deactivated_user(agent: Any) -> None:
    client = api_client_for(agent)
    agent.is_active = False
    agent.save()
    assert_problem(client.get("/api/v1/me"), 401)


def test_it_stores_only_a_hash_of_the_token(agent: Any) -> None:
    client = api_client_for(agent)
    plain = client.headers["Authorization"].split()[1]
    stored = ApiToken.objects.get(user=agent)
    assert plain not in (stored.token_hash, stored.prefix)
    assert len(plain) >= 40  # 256 random bits, url-safe


def test_it_forbids_writes_for_the_read_only_role(readonly_user: Any) -> None:
    client = api_client_for(readonly_user)
    assert client.get("/api/v1/activities").status_code == 200
    body = assert_problem(client.post("/api/v1/activities", {"type": "note", "subject": "x"}), 403)
    assert "edit" in body["detail"]
    assert not Activity.objects.exists()


def test_it_lets_back_office_log_activities(backoffice_user: Any) -> None:
    response = api_client_for(backoffice_user).post(
        "/api/v1/activities", {"type": "call", "subject": "Rückruf"}
    )
    assert response.status_code == 201
    assert response.json()["subject"] == "Rückruf"
    assert Activity.objects.get().user == backoffice_user


def test_it_reports_malformed_json_as_a_problem(api: ApiClient) -> None:
    response = api.post("/api/v1/activities", '{"type": "note", ', content_type="application/json")
    body = assert_problem(response, 400)
    assert "JSON" in body["detail"]
    assert not Activity.objects.exists()


def test_it_rejects_unknown_fields_with_field_errors(api: ApiClient) -> None:
    response = api.post("/api/v1/activities", {"type": "note", "subject": "ok", "colour": "red"})
    body = assert_problem(response, 422)
    assert {
        "field": "colour",
        "message": "Unknown field",
        "code": "extra_forbidden",
        "location": "body",
    } in body["errors"]
    assert not Activity.objects.exists()


def test_it_names_each_invalid_field(api: ApiClient) -> None:
    body = assert_problem(api.post("/api/v1/activities", {"type": "teleport", "subject": ""}), 422)
    fields = {e["field"] for e in body["errors"]}
    assert fields == {"type", "subject"}


def test_it_refuses_oversized_bodies(api: ApiClient, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api.post("/api/v1/activities", {"type": "note", "subject": "x", "body": "x" * 5000})
    body = assert_problem(response, 413)
    assert "1000" in body["detail"]
    assert not Activity.objects.exists()


def test_it_pages_with_items_count_limit_offset(api: ApiClient, office: Any) -> None:
    _activities(office, 120)
    body = api.get("/api/v1/activities", {"limit": 50, "offset": 100}).json()
    assert body["count"] == 120
    assert (body["limit"], body["offset"]) == (50, 100)
    assert len(body["items"]) == 20
    assert_problem(api.get("/api/v1/activities", {"limit": 0}), 422)
    assert_problem(api.get("/api/v1/activities", {"limit": 501}), 422)


def test_it_orders_by_allowed_fields_only(api: ApiClient, office: Any) -> None:
    _activities(office, 3)
    subjects = [a["subject"] for a in api.get("/api/v1/activities", {"ordering": "id"}).json()["items"]]
    assert subjects == ["Notiz 000", "Notiz 001", "Notiz 002"]
    subjects = [a["subject"] for a in api.get("/api/v1/activities", {"ordering": "-id"}).json()["items"]]
    assert subjects == ["Notiz 002", "Notiz 001", "Notiz 000"]
    body = assert_problem(api.get("/api/v1/activities", {"ordering": "password"}), 422)
    assert body["errors"][0]["field"] == "ordering"


def test_it_filters_by_type(api: ApiClient, office: Any) -> None:
    _activities(office, 2)
    Activity.objects.create(office=office, type="call", subject="Anruf")
    body = api.get("/api/v1/activities", {"type": "call"}).json()
    assert [a["subject"] for a in body["items"]] == ["Anruf"]


def test_it_never_shows_another_offices_records(api: ApiClient, other_office: Any) -> None:
    foreign = Activity.objects.create(office=other_office, type="note", subject="Geheim")
    assert api.get("/api/v1/activities").json()["count"] == 0
    body = assert_problem(api.get(f"/api/v1/activities/{foreign.pk}"), 404)
    assert "Geheim" not in str(body)


def test_it_accepts_the_browser_session_but_requires_csrf_for_writes(agent: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)
    assert client.get("/api/v1/me").json()["username"] == "makler"
    response = client.post(
        "/api/v1/activities", {"type": "note", "subject": "x"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert not Activity.objects.exists()


def test_it_describes_the_user_and_role(api: ApiClient) -> None:
    me = api.get("/api/v1/me").json()
    assert me["role"] == "agent"
    assert me["office_name"] == "Testbüro Immobilien GmbH"
    assert "edit" in me["capabilities"] and "manage_office" not in me["capabilities"]


def test_it_creates_lists_and_revokes_tokens(api: ApiClient) -> None:
    created = api.post("/api/v1/tokens", {"name": "Website"})
    assert created.status_code == 201
    new = ApiClient(created.json()["token"])
    assert new.get("/api/v1/me").status_code == 200
    assert {t["name"] for t in api.get("/api/v1/tokens").json()} == {"test", "Website"}
    assert "token" not in api.get("/api/v1/tokens").json()[0]
    assert api.delete(f"/api/v1/tokens/{created.json()['id']}").status_code == 204
    assert_problem(new.get("/api/v1/me"), 401)
    assert_problem(api.delete(f"/api/v1/tokens/{created.json()['id']}"), 404)


def test_it_links_activities_only_to_the_offices_own_contacts(
    api: ApiClient, office: Any, other_office: Any
) -> None:
    from maklerwerk.contacts.models import Contact

    own = Contact.objects.create(office=office, last_name="Özdemir")
    foreign = Contact.objects.create(office=other_office, last_name="Fremd")
    created = api.post("/api/v1/activities", {"type": "call", "subject": "Rückruf", "contact_id": own.pk})
    assert created.status_code == 201 and created.json()["contact_id"] == own.pk
    assert api.get("/api/v1/activities", {"contact_id": own.pk}).json()["count"] == 1
    body = assert_problem(
        api.post("/api/v1/activities", {"type": "call", "subject": "x", "contact_id": foreign.pk}), 400
    )
    assert body["field"] == "contact_id"
    assert Activity.objects.count() == 1


def test_an_invalid_token_gets_401_problem_json_on_every_method_not_a_csrf_403() -> None:
    def client(token: str) -> ApiClient:
        api_client = ApiClient(token)
        api_client.client = Client(enforce_csrf_checks=True)  # as a real client: CSRF is checked
        return api_client

    for response in (
        client("mwk_not-a-real-token").post("/api/v1/contacts", {"last_name": "Neu"}),
        client("mwk_not-a-real-token").patch("/api/v1/contacts/1", {"last_name": "Neu"}),
        client("mwk_not-a-real-token").delete("/api/v1/contacts/1"),
        client("kein-token").post("/api/v1/mail-templates/check", {"body": "x"}),
    ):
        body = assert_problem(response, 401)
        assert "Bearer" in body["detail"] and "CSRF" not in str(body)
        assert response["WWW-Authenticate"].startswith("Bearer")
