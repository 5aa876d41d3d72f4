"""Dates outside 1900–2200 are refused at input, in forms and the API alike.

On PostgreSQL a timestamp in year 1 with a +14:00 offset is stored as a date before Christ that
Python cannot read back: the task list, the contact page and the export then fail for good.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from maklerwerk.contacts.models import Contact
from maklerwerk.core.models import Activity
from maklerwerk.tasks.models import Task
from tests.conftest import ApiClient, assert_problem

pytestmark = pytest.mark.django_db

GERMAN = "Bitte geben Sie ein Datum zwischen 1900 und 2200 an."


@pytest.fixture
def contact(office: Any) -> Contact:
    return Contact.objects.create(office=office, first_name="Erika", last_name="Mustermann")


def _field_errors(response: Any) -> dict[str, str]:
    body = assert_problem(response, 422)
    return {e["field"]: e["message"] for e in body["errors"]}


def test_api_refuses_a_task_due_in_year_one_and_the_lists_keep_working(
    api: ApiClient, agent: Any, contact: Contact
) -> None:
    response = api.post(
        "/api/v1/tasks",
        {"title": "Uralt", "due_at": "0001-01-01T00:00:00+14:00", "contact_id": contact.pk},
    )
    assert _field_errors(response) == {"due_at": GERMAN}
    assert not Task.objects.exists()
    assert api.get("/api/v1/tasks").status_code == 200
    client = Client()
    client.force_login(agent)
    assert client.get(f"/contacts/{contact.pk}/").status_code == 200
    assert client.get("/tasks/").status_code == 200


def test_api_refuses_an_activity_in_year_one_but_takes_one_in_range(
    api: ApiClient, agent: Any, contact: Contact
) -> None:
    base = {"type": "note", "subject": "Notiz", "contact_id": contact.pk}
    response = api.post("/api/v1/activities", {**base, "occurred_at": "0001-01-01T00:00:00+14:00"})
    assert _field_errors(response) == {"occurred_at": GERMAN}
    assert not Activity.objects.filter(subject="Notiz").exists()
    ok = api.post("/api/v1/activities", {**base, "occurred_at": "1900-01-01T00:00:00+14:00"})
    assert ok.status_code == 201, ok.content
    assert api.get(f"/api/v1/activities?contact_id={contact.pk}").json()["count"] == 1


def test_api_refuses_a_birth_date_after_2200(api: ApiClient, contact: Contact) -> None:
    response = api.patch(f"/api/v1/contacts/{contact.pk}", {"birth_date": "2201-01-01"})
    assert _field_errors(response) == {"birth_date": GERMAN}
    contact.refresh_from_db()
    assert contact.birth_date is None


def test_the_task_form_explains_the_date_range_in_german(agent: Any) -> None:
    client = Client()
    client.force_login(agent)
    response = client.post(
        "/tasks/new/", {"title": "Uralt", "assignee": agent.pk, "due_at": "0001-01-01T00:00"}
    )
    assert GERMAN in response.content.decode()
    assert not Task.objects.exists()
    assert client.get("/tasks/").status_code == 200


def test_the_contact_form_explains_the_date_range_in_german(agent: Any) -> None:
    client = Client()
    client.force_login(agent)
    response = client.post(
        "/contacts/new/",
        {"kind": "person", "first_name": "Alt", "last_name": "Datum", "birth_date": "0001-01-01"},
    )
    assert GERMAN in response.content.decode()
    assert not Contact.objects.filter(last_name="Datum").exists()
