from __future__ import annotations

import json
from typing import Any

import pytest

from maklerwerk.contacts.models import Contact
from maklerwerk.core.models import Activity
from maklerwerk.duplicates.models import DuplicateSettings
from tests.conftest import api_client_for, assert_problem
from tests.duplicates.conftest import MUELLER, make_contact

pytestmark = pytest.mark.django_db

CHECK = "/api/v1/contacts/duplicate-check"
ALIAS = "/api/v1/duplicates/check"


def put(client: Any, path: str, body: dict[str, Any]) -> Any:
    return client.client.put(path, json.dumps(body), content_type="application/json", headers=client.headers)


def test_duplicate_check_returns_ranked_candidates_with_reasons(api: Any, mueller: Any) -> None:
    response = api.post(
        CHECK,
        {**MUELLER, "last_name": "Mueller", "street": "Hauptstr.", "emails": [{"value": "x@example.de"}]},
    )
    assert response.status_code == 200, response.content
    [candidate] = response.json()
    assert candidate["contact"]["id"] == mueller.pk and candidate["level"] == "certain"
    assert "Name klingt gleich (Kölner Phonetik)" in candidate["reasons"]
    assert 0 < candidate["score"] <= 1 and candidate["similarities"]["street"] == 1.0
    assert api.post(ALIAS, {**MUELLER, "last_name": "Mueller"}).json()[0]["contact"]["id"] == mueller.pk


def test_duplicate_check_survives_bad_input(api: Any, mueller: Any) -> None:
    response = api.post(
        CHECK,
        {
            "first_name": "",
            "last_name": "Ж" * 900,
            "emails": ["ohne-domain"],
            "phones": ["++--//"],
            "city": "東京",
        },
    )
    assert response.status_code == 200 and response.json() == []


def test_duplicate_check_rejects_unknown_fields(api: Any) -> None:
    assert_problem(api.post(CHECK, {"nickname": "Tom"}), 422)


def test_merge_via_api_moves_activities(api: Any, office: Any, mueller: Any) -> None:
    other = make_contact(office, **{**MUELLER, "last_name": "Mueller"})
    Activity.objects.create(office=office, type="call", subject="Anruf", contact=other)
    response = api.post(
        f"/api/v1/contacts/{mueller.pk}/merge", {"other_id": other.pk, "choices": {"last_name": "b"}}
    )
    assert response.status_code == 200, response.content
    assert response.json()["last_name"] == "Mueller"
    assert Activity.objects.get().contact_id == mueller.pk
    assert not Contact.objects.filter(pk=other.pk).exists()


def test_a_merge_is_listed_and_undone_via_api_once(
    api: Any, office: Any, mueller: Any, backoffice_user: Any, outsider: Any
) -> None:
    other = make_contact(office, **{**MUELLER, "last_name": "Mueller", "street": "Hauptstr."})
    Activity.objects.create(office=office, type="call", subject="Anruf", contact=other)
    assert api.post(f"/api/v1/contacts/{mueller.pk}/merge", {"other_id": other.pk}).status_code == 200
    listed = api.get(f"/api/v1/duplicates/merges?contact_id={other.pk}").json()
    assert listed["count"] == 1
    item = listed["items"][0]
    assert (item["survivor_id"], item["merged_contact_id"], item["undo_refusal"]) == (
        mueller.pk,
        other.pk,
        None,
    )
    assert {"field": "street", "kept": "Hauptstraße", "dropped": "Hauptstr."} in item["fields"]
    assert api_client_for(outsider).get("/api/v1/duplicates/merges").json()["count"] == 0
    assert_problem(api_client_for(backoffice_user).post(f"/api/v1/duplicates/merges/{item['id']}/undo"), 403)

    undone = api.post(f"/api/v1/duplicates/merges/{item['id']}/undo")
    assert undone.status_code == 200, undone.content
    assert undone.json()["undo_refusal"] == "Diese Zusammenführung wurde bereits rückgängig gemacht."
    assert Contact.objects.get(pk=other.pk).last_name == "Mueller"
    assert Activity.objects.get().contact_id == other.pk
    again = assert_problem(api.post(f"/api/v1/duplicates/merges/{item['id']}/undo"), 409)
    assert "bereits rückgängig" in again["detail"]
    assert_problem(api_client_for(outsider).post(f"/api/v1/duplicates/merges/{item['id']}/undo"), 404)


def test_merge_needs_the_right_to_delete(backoffice_user: Any, office: Any, mueller: Any) -> None:
    other = make_contact(office, **MUELLER)
    assert_problem(
        api_client_for(backoffice_user).post(f"/api/v1/contacts/{mueller.pk}/merge", {"other_id": other.pk}),
        403,
    )
    assert Contact.objects.filter(pk=other.pk).exists()


def test_merge_into_itself_and_across_offices_is_refused(api: Any, other_office: Any, mueller: Any) -> None:
    body = assert_problem(api.post(f"/api/v1/contacts/{mueller.pk}/merge", {"other_id": mueller.pk}), 400)
    assert "nicht mit sich selbst" in body["detail"]
    foreign = make_contact(other_office, **MUELLER)
    assert_problem(api.post(f"/api/v1/contacts/{mueller.pk}/merge", {"other_id": foreign.pk}), 404)
    assert_problem(api.post(f"/api/v1/contacts/{foreign.pk}/merge", {"other_id": mueller.pk}), 404)


def test_search_job_finds_groups_listed_by_the_api(
    api: Any, office: Any, outsider: Any, mueller: Any, django_capture_on_commit_callbacks: Any
) -> None:
    twin = make_contact(office, **{**MUELLER, "last_name": "Mueller", "street": "Hauptstr."})
    make_contact(office, first_name="Erika", last_name="Mustermann", postal_code="10115")
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/v1/duplicates/search")
    assert response.status_code == 202, response.content
    assert api.get(response.json()["url"]).json()["state"] == "succeeded"
    groups = api.get("/api/v1/duplicates/groups").json()
    assert groups["count"] == 1
    group = groups["items"][0]
    assert group["contact_ids"] == sorted([mueller.pk, twin.pk])
    assert group["pairs"][0]["score"] >= 0.9 and group["pairs"][0]["reasons"]
    assert api_client_for(outsider).get("/api/v1/duplicates/groups").json()["count"] == 0


def test_thresholds_are_office_settings_for_managers(api: Any, admin_user: Any, office: Any) -> None:
    assert api.get("/api/v1/duplicates/settings").json() == {
        "certain_threshold": 0.9,
        "possible_threshold": 0.5,
        "import_policy": "review_possible",
        "inquiry_policy": "ask",
    }
    assert_problem(
        put(api, "/api/v1/duplicates/settings", {"certain_threshold": 0.8, "possible_threshold": 0.4}), 403
    )
    admin = api_client_for(admin_user)
    response = put(
        admin, "/api/v1/duplicates/settings", {"certain_threshold": 0.8, "possible_threshold": 0.4}
    )
    assert response.status_code == 200, response.content
    assert DuplicateSettings.objects.get(office=office).possible_threshold == 0.4
    bad = put(admin, "/api/v1/duplicates/settings", {"certain_threshold": 0.4, "possible_threshold": 0.8})
    assert_problem(bad, 422)
