"""The duplicate check on save with the REAL engine: what the form and the API hand it (e-mails and
phones, not only names) must reach it, so a contact sharing only an e-mail or a phone is flagged."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from maklerwerk.contacts.models import Contact
from tests.conftest import ApiClient, assert_problem
from tests.contacts.conftest import make_contact
from tests.contacts.test_views import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def existing(office: Any, agent: Any) -> Any:
    return make_contact(
        office,
        agent,
        first_name="Anna",
        last_name="Müller",
        city="Frankfurt am Main",
        emails=[{"value": "anna.mueller@example.de", "kind": "private"}],
        phones=[{"value": "0171 2345678", "kind": "mobile"}],
    )


@pytest.mark.parametrize(
    ("channel", "reason"),
    [
        ({"emails": [{"value": "Anna.Mueller@Example.de"}]}, "gleiche E-Mail-Adresse"),
        ({"phones": [{"value": "+49 (171) 234 56 78"}]}, "Telefonnummer identisch"),  # 0171 2345678
    ],
)
def test_the_api_refuses_the_same_name_with_the_same_email_or_phone(
    api: ApiClient, existing: Any, channel: dict[str, Any], reason: str
) -> None:
    data = {"first_name": "Anna", "last_name": "Müller", **channel}
    body = assert_problem(api.post("/api/v1/contacts", data), 409)
    assert [c["id"] for c in body["candidates"]] == [existing.pk]
    assert reason in body["candidates"][0]["reasons"]
    assert Contact.objects.count() == 1


def test_the_api_creates_the_same_name_with_other_email_and_phone(api: ApiClient, existing: Any) -> None:
    data = {
        "first_name": "Anna",
        "last_name": "Müller",
        "emails": [{"value": "anna@andere.example"}],
        "phones": [{"value": "0171 9999999"}],
    }
    assert api.post("/api/v1/contacts", data).status_code == 201  # a namesake is only "possible"


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"emails-0-value": "ANNA.MUELLER@example.de", "phones-0-value": ""}, "gleiche E-Mail-Adresse"),
        # a contact needs a name or an e-mail; the reason shown must be the phone
        (
            {"last_name": "Müller", "emails-0-value": "", "phones-0-value": "+49 (171) 234 56 78"},
            "Telefonnummer identisch",
        ),
    ],
)
def test_the_form_flags_a_contact_sharing_only_an_email_or_a_phone(
    agent_client: Client, existing: Any, fields: dict[str, str], reason: str
) -> None:
    data = form_data(**{"salutation": "", "first_name": "", "last_name": "", **fields})
    response = agent_client.post("/contacts/new/", data)
    page = response.content.decode()
    assert response.status_code == 409, page
    assert "Mögliche Dublette" in page and reason in page and "Anna Müller" in page
    assert Contact.objects.count() == 1
