"""A website's inquiry form gets a token that can only create inquiries ("nur Anfragen anlegen")."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from maklerwerk.contacts.models import Contact
from maklerwerk.inquiries.models import Inquiry
from tests.conftest import ApiClient, api_client_for, assert_problem

pytestmark = pytest.mark.django_db

INQUIRY = {"email": "interessent@example.org", "last_name": "Neumann", "property_external_id": "GIBTS-NICHT"}


def _form_token_from_settings_page(user: Any) -> ApiClient:
    client = Client()
    client.force_login(user)
    page = client.get("/settings/").content.decode()
    assert "Nur Anfragen anlegen (Website-Formular)" in page
    client.post("/settings/tokens/", {"name": "Website", "scope": "inquiries:create"})
    page = client.get("/settings/").content.decode()
    return ApiClient(page.split('id="new-token">')[1].split("<")[0])


def test_an_inquiries_only_token_creates_inquiries_and_nothing_else(agent: Any) -> None:
    Contact.objects.create(office=agent.office, last_name="Geheim")
    form = _form_token_from_settings_page(agent)
    created = form.post("/api/v1/inquiries", INQUIRY)
    assert created.status_code == 201, created.content
    assert Inquiry.objects.get().email == "interessent@example.org"
    for response in (
        form.get("/api/v1/contacts"),
        form.get("/api/v1/inquiries"),
        form.get(f"/api/v1/inquiries/{created.json()['id']}"),
        form.get("/api/v1/me"),
        form.post("/api/v1/contacts", {"last_name": "X"}),
        form.post("/api/v1/tokens", {"name": "mehr Rechte"}),
    ):
        body = assert_problem(response, 403)
        assert "inquiries:create" in body["detail"] and "Geheim" not in response.content.decode()
    assert not Contact.objects.filter(last_name="X").exists()


def test_the_api_creates_scoped_tokens_and_full_tokens_keep_working(agent: Any) -> None:
    api = api_client_for(agent)
    made = api.post("/api/v1/tokens", {"name": "Website", "scope": "inquiries:create"}).json()
    assert made["scope"] == "inquiries:create"
    assert_problem(ApiClient(made["token"]).get("/api/v1/contacts"), 403)
    assert ApiClient(made["token"]).post("/api/v1/inquiries", INQUIRY).status_code == 201
    assert api.get("/api/v1/contacts").status_code == 200
    assert api.get("/api/v1/tokens").json()[0]["scope"] in {"full", "inquiries:create"}


def test_the_command_line_creates_an_inquiries_only_token(agent: Any) -> None:
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("create_api_token", "makler", "--scope", "inquiries:create", stdout=out)
    form = ApiClient(out.getvalue().strip())
    assert form.post("/api/v1/inquiries", INQUIRY).status_code == 201
    assert_problem(form.get("/api/v1/contacts"), 403)
