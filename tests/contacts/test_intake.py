"""One contact intake (contacts.intake) through the real entry points and the REAL duplicate engine:
the form asks, the API refuses a certain duplicate, the vCard import job skips certain ones and lists
possible ones for review (or, if the office chose "ask", imports only clearly new cards); and every
path validates a new contact once."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from maklerwerk.contacts import importing, services
from maklerwerk.contacts.duplicates import check_duplicates
from maklerwerk.contacts.models import Contact
from maklerwerk.core.history import history_for
from maklerwerk.core.models import Job
from maklerwerk.duplicates.models import DuplicatePair, DuplicateSettings
from tests.conftest import ApiClient, assert_problem
from tests.contacts.conftest import make_contact
from tests.contacts.test_views import form_data

pytestmark = pytest.mark.django_db

# Against ANNA below: the same name and e-mail is a certain duplicate; the same name with another
# e-mail and phone is a namesake, a possible one at most.
CERTAIN = {"first_name": "Anna", "last_name": "Müller", "emails": [{"value": "Anna.Mueller@example.de"}]}
POSSIBLE = {
    "first_name": "Anna",
    "last_name": "Müller",
    "city": "Frankfurt am Main",
    "emails": [{"value": "anna@andere.example"}],
    "phones": [{"value": "0171 9999999"}],
}
NEW = {"first_name": "Nina", "last_name": "Neumann", "emails": [{"value": "nina@neumann.example"}]}


@pytest.fixture
def anna(office: Any, agent: Any) -> Any:
    return make_contact(
        office,
        agent,
        first_name="Anna",
        last_name="Müller",
        city="Frankfurt am Main",
        emails=[{"value": "anna.mueller@example.de", "kind": "private"}],
        phones=[{"value": "0171 2345678", "kind": "mobile"}],
    )


def _level(office: Any, data: dict[str, Any]) -> str:
    found = check_duplicates(office=office, data=services.duplicate_check_data(services.contact_validate(
        office=office, data=data)))  # fmt: skip
    return found[0].level if found else "none"


def test_the_examples_are_what_their_names_say(office: Any, anna: Any) -> None:
    assert (_level(office, CERTAIN), _level(office, POSSIBLE), _level(office, NEW)) == (
        "certain",
        "possible",
        "none",
    )


def _form(data: dict[str, Any], **extra: Any) -> dict[str, Any]:
    emails = data.get("emails") or [{"value": ""}]
    phones = data.get("phones") or [{"value": ""}]
    return form_data(
        salutation="frau",
        first_name=data["first_name"],
        last_name=data["last_name"],
        city=data.get("city", ""),
        **{"emails-0-value": emails[0]["value"], "phones-0-value": phones[0]["value"]},
        **extra,
    )


# --- The form: ask -------------------------------------------------------------------------------


@pytest.mark.parametrize("data", [CERTAIN, POSSIBLE], ids=["certain", "possible"])
def test_the_form_asks_on_any_duplicate_and_creates_nothing(
    agent_client: Client, anna: Any, data: dict[str, Any]
) -> None:
    response = agent_client.post("/contacts/new/", _form(data))
    page = response.content.decode()
    assert response.status_code == 409
    assert "Mögliche Dublette" in page and "Anna Müller" in page and "Trotzdem speichern" in page
    assert Contact.objects.count() == 1


def test_the_form_saves_anyway_when_the_user_decides(agent_client: Client, anna: Any, agent: Any) -> None:
    response = agent_client.post(
        "/contacts/new/", _form(POSSIBLE, duplicate_decision="save_anyway", candidate=[str(anna.pk)])
    )
    assert response.status_code == 302
    new = Contact.objects.exclude(pk=anna.pk).get()
    note = history_for(new).get().note
    assert note.startswith("Trotz möglicher Dublette") and f"#{anna.pk}" in note and "Max Makler" in note


def test_the_form_creates_a_new_person_at_once(agent_client: Client, anna: Any) -> None:
    response = agent_client.post("/contacts/new/", _form(NEW))
    assert response.status_code == 302
    assert Contact.objects.filter(last_name="Neumann").exists()


# --- The API: refuse-certain ---------------------------------------------------------------------


def test_the_api_refuses_a_certain_duplicate_with_german_reasons(api: ApiClient, anna: Any) -> None:
    body = assert_problem(api.post("/api/v1/contacts", CERTAIN), 409)
    assert [c["id"] for c in body["candidates"]] == [anna.pk]
    assert "gleiche E-Mail-Adresse" in body["candidates"][0]["reasons"]
    assert Contact.objects.count() == 1


def test_the_api_creates_a_possible_duplicate_without_listing_it(api: ApiClient, anna: Any) -> None:
    response = api.post("/api/v1/contacts", POSSIBLE)
    assert response.status_code == 201
    assert Contact.objects.count() == 2 and not DuplicatePair.objects.exists()


def test_the_api_creates_a_certain_duplicate_when_the_client_decides(api: ApiClient, anna: Any) -> None:
    response = api.post("/api/v1/contacts?allow_duplicate=true", CERTAIN)
    assert response.status_code == 201
    note = history_for(Contact.objects.get(pk=response.json()["id"])).get().note
    assert f"#{anna.pk}" in note and "Trotz möglicher Dublette" in note


# --- The vCard import job: review-possible (default) or ask ------------------------------------------

CARDS = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Müller;Anna;;;\r\nEMAIL:anna.mueller@example.de\r\nEND:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Müller;Anna;;;\r\nEMAIL:anna@andere.example\r\n"
    "TEL;TYPE=CELL:0171 9999999\r\nADR;TYPE=HOME:;;;Frankfurt am Main;;;\r\nEND:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Neumann;Nina;;;\r\nEMAIL:nina@neumann.example\r\nEND:VCARD\r\n"
).encode()


def _import_job(office: Any, agent: Any, capture: Any) -> dict[str, Any]:
    with capture(execute=True):
        job = importing.vcard_import_start(office=office, acting_user=agent, filename="a.vcf", raw=CARDS)
    job = Job.objects.get(pk=job.pk)
    assert job.state == Job.State.SUCCEEDED, job.result
    return job.result


def test_the_import_skips_certain_and_lists_possible_duplicates_for_review(
    office: Any, agent: Any, anna: Any, django_capture_on_commit_callbacks: Any, agent_client: Client
) -> None:
    result = _import_job(office, agent, django_capture_on_commit_callbacks)
    assert result["counts"] == {"created": 1, "skipped": 1, "failed": 0, "review": 1}
    assert result["skipped"][0]["duplicate_of"] == anna.pk
    assert "davon 1 zur Prüfung als mögliche Dublette" in result["message"]
    twin = Contact.objects.get(pk=result["review"][0]["id"])
    pair = DuplicatePair.objects.get()
    assert {pair.contact_a_id, pair.contact_b_id} == {anna.pk, twin.pk}
    page = agent_client.get("/duplicates/").content.decode()
    assert "als neuer Kontakt importiert" in page


def test_with_ask_the_import_takes_only_clearly_new_cards(
    office: Any, agent: Any, anna: Any, django_capture_on_commit_callbacks: Any
) -> None:
    DuplicateSettings.objects.create(office=office, import_policy="ask")
    result = _import_job(office, agent, django_capture_on_commit_callbacks)
    assert result["counts"] == {"created": 1, "skipped": 2, "failed": 0}
    assert {r["duplicate_of"] for r in result["skipped"]} == {anna.pk}
    assert set(Contact.objects.values_list("last_name", flat=True)) == {"Müller", "Neumann"}
    assert not DuplicatePair.objects.exists()


# --- The office chooses per source, on the duplicates page ---------------------------------------------


@pytest.fixture
def admin_client_office(admin_user: Any) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


def test_the_office_chooses_the_policies_on_the_duplicates_page(
    admin_client_office: Client, office: Any
) -> None:
    page = admin_client_office.get("/duplicates/").content.decode()
    assert "Bei Dubletten im vCard-Import" in page and "Bei Dubletten in einer Anfrage" in page
    assert "An sichere anhängen" in page
    response = admin_client_office.post(
        "/duplicates/settings/",
        {
            "certain_threshold": "0.9",
            "possible_threshold": "0.5",
            "import_policy": "ask",
            "inquiry_policy": "attach_certain",
        },
    )
    assert response.status_code == 302
    saved = DuplicateSettings.objects.get(office=office)
    assert (saved.import_policy, saved.inquiry_policy) == ("ask", "attach_certain")


def test_attaching_to_a_possible_duplicate_is_no_choice(admin_client_office: Client, office: Any) -> None:
    admin_client_office.post(
        "/duplicates/settings/",
        {"certain_threshold": "0.9", "possible_threshold": "0.5", "import_policy": "attach_possible",
         "inquiry_policy": "attach_possible"},
    )  # fmt: skip
    assert not DuplicateSettings.objects.filter(office=office).exists()


# --- Validated once per create --------------------------------------------------------------------


@pytest.fixture
def validations(monkeypatch: Any) -> list[int]:
    """Counts calls of the real `contact_validate` (it still runs)."""
    calls: list[int] = []
    real = services.contact_validate

    def counting(**kwargs: Any) -> Any:
        calls.append(1)
        return real(**kwargs)

    monkeypatch.setattr(services, "contact_validate", counting)
    return calls


def test_the_form_validates_a_new_contact_once(agent_client: Client, validations: list[int]) -> None:
    assert agent_client.post("/contacts/new/", _form(NEW)).status_code == 302
    assert len(validations) == 1


def test_the_api_validates_a_new_contact_once(api: ApiClient, validations: list[int]) -> None:
    assert api.post("/api/v1/contacts", NEW).status_code == 201
    assert len(validations) == 1


def test_the_import_validates_each_new_contact_once(
    office: Any, agent: Any, validations: list[int], django_capture_on_commit_callbacks: Any
) -> None:
    _import_job(office, agent, django_capture_on_commit_callbacks)
    assert Contact.objects.count() == 3 and len(validations) == 3
