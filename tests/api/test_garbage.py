"""Garbage in query strings answers 4xx with a problem (API) or a normal page (HTML), never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from maklerwerk.contacts.models import Contact
from tests.conftest import ApiClient, api_client_for, assert_problem

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/api/v1/contacts", "/api/v1/properties", "/api/v1/activities"])
def test_a_huge_offset_is_a_validation_error(api: ApiClient, path: str) -> None:
    body = assert_problem(api.get(path, {"offset": "99999999999999999999"}), 422)
    assert [e["field"] for e in body["errors"]] == ["offset"]
    far = api.get(path, {"offset": "1000000000"})
    assert far.status_code == 200 and far.json()["items"] == []


@pytest.mark.parametrize("garbage", ["99999999999999999999", "²", "1,abc,99999999999999999999"])
def test_a_garbage_contact_list_on_the_offer_page_is_ignored(
    agent_client: Client, office: Any, garbage: str
) -> None:
    contact = Contact.objects.create(office=office, first_name="Erika", last_name="Mustermann")
    response = agent_client.get("/exposes/offers/new/", {"contacts": f"{garbage},{contact.pk}"})
    assert response.status_code == 200
    assert "Erika Mustermann" in response.content.decode()
    pdf = agent_client.get("/exposes/offers/new/", {"contact_ids": garbage})
    assert pdf.status_code == 200


HUGE = 2**64  # beyond the database's 64-bit integers


def test_ids_beyond_64_bits_in_a_body_are_a_validation_error(api: ApiClient, office: Any) -> None:
    contact = Contact.objects.create(office=office, first_name="Erika", last_name="Mustermann")
    merge = api.post(f"/api/v1/contacts/{contact.pk}/merge", {"other_id": HUGE})
    assert [e["field"] for e in assert_problem(merge, 422)["errors"]] == ["other_id"]
    offer = api.post("/api/v1/offers", {"contacts": [contact.pk, HUGE], "properties": [1], "template": 1})
    body = assert_problem(offer, 422)
    assert {e["field"]: e["message"] for e in body["errors"]} == {"contacts": "Diese Zahl ist zu groß."}
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_an_unusable_mailbox_host_is_reported_on_the_mailbox_not_a_500(admin_user: Any) -> None:
    api = api_client_for(admin_user)
    response = api.post(
        "/api/v1/mailboxes", {"host": "\x99", "port": 993, "username": "u", "password": "p", "test": True}
    )
    assert response.status_code == 201, response.content
    assert response.json()["last_status"] == "error"
    assert "nicht erreichbar" in response.json()["last_error"]


def test_a_task_description_set_to_null_is_cleared(api: ApiClient, agent: Any, office: Any) -> None:
    created = api.post("/api/v1/tasks", {"title": "Rückruf", "description": "Bitte bis Freitag"})
    response = api.patch(f"/api/v1/tasks/{created.json()['id']}", {"description": None})
    assert response.status_code == 200, response.content
    assert response.json()["description"] == ""


def test_each_schema_name_of_the_openapi_document_stands_for_one_response_shape() -> None:
    # Ninja files schemas under their class name: two classes of one name gave one of them the
    # other's shape in /api/v1/openapi.json (contacts' e-mails were documented as {"to": ...}).
    from pydantic import BaseModel

    from maklerwerk.api.api import api as ninja_api

    seen: dict[str, type] = {}

    def walk(model: Any) -> None:
        for arg in getattr(model, "__args__", ()) or ():
            walk(arg)
        if not (isinstance(model, type) and issubclass(model, BaseModel)) or model in seen.values():
            return
        if not model.__name__.startswith("NinjaResponseSchema"):
            assert seen.setdefault(model.__name__, model) is model, f"two schemas named {model.__name__}"
        for field in model.model_fields.values():
            walk(field.annotation)

    for _prefix, router in ninja_api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                for model in (operation.response_models or {}).values():
                    walk(model)
    assert {"EmailOut", "ShareEmailOut", "JobOut", "OfferJobOut", "DuplicateSearchJobOut"} <= set(seen)


def test_numbers_beyond_64_bits_in_a_query_string_are_a_validation_error(api: ApiClient) -> None:
    response = api.get("/api/v1/shares", {"property_id": "374881119973284810277781504", "contact_id": "7"})
    body = assert_problem(response, 422)
    assert body["errors"] == [
        {
            "field": "property_id",
            "message": "Diese Zahl ist zu groß.",
            "code": "number_too_large",
            "location": "query",
        }
    ]
    assert api.get("/api/v1/shares", {"property_id": "9223372036854775807"}).json()["items"] == []


@pytest.mark.parametrize("tag", ["²", "99999999999999999999"])
def test_a_garbage_tag_filter_lists_nothing_instead_of_failing(agent_client: Client, tag: str) -> None:
    # "²" passes str.isdigit() but not int(); it is taken as a tag name (no such tag: empty list).
    response = agent_client.get("/contacts/", {"tag": tag})
    assert response.status_code == 200 and "Keine Kontakte" in response.content.decode()


@pytest.mark.parametrize(
    "path", ["/api/v1/contacts/36893488147419103231/files/150", "/api/v1/contacts/99999999999999999999"]
)
def test_an_id_beyond_64_bits_in_the_path_is_not_found(api: ApiClient, path: str) -> None:
    # SQLite refused such a number with an OverflowError (a 500, found by schemathesis).
    assert_problem(api.get(path), 404)


def test_a_nul_character_anywhere_in_a_body_is_a_validation_error_not_a_500(api: ApiClient) -> None:
    """PostgreSQL refuses NUL in text and JSON; schemathesis found it in an activity's payload key."""
    for body in (
        {"type": "call", "subject": "Rückruf", "payload": {"a\u0000b": {"c": False}}},
        {"type": "call", "subject": "Rückruf", "body": "Text\u0000mit Nullzeichen"},
    ):
        problem = assert_problem(api.post("/api/v1/activities", body), 422)
        assert "Nullzeichen" in " ".join(e["message"] for e in problem["errors"])
