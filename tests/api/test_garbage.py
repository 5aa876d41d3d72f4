"""Garbage in query strings answers 4xx with a problem (API) or a normal page (HTML), never a 500."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from maklerwerk.contacts.models import Contact
from tests.conftest import ApiClient, assert_problem

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
