"""Input that PostgreSQL refuses (and SQLite silently takes) must not end in a 500."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections, transaction
from django.test import Client

from maklerwerk.contacts.models import Contact, Tag
from maklerwerk.core.history import history_for
from tests.conftest import api_client_for, assert_problem
from tests.contacts.conftest import make_contact
from tests.contacts.test_views import form_data


@pytest.mark.django_db
def test_a_history_note_longer_than_300_characters_is_shortened_not_a_500(
    agent_client: Client, office: Any, agent: Any, fake_duplicates: Any
) -> None:
    existing = make_contact(office, agent, first_name="Jonas", last_name="Becker")
    fake_duplicates(existing, "certain", 0.95)
    many = [str(10_000_000 + i) for i in range(60)]  # "#10000000, #10000001, …" is far over 300
    response = agent_client.post(
        "/contacts/new/", form_data(duplicate_decision="save_anyway", candidate=many)
    )
    assert response.status_code == 302
    new = Contact.objects.exclude(pk=existing.pk).get()
    note = history_for(new).get().note
    assert len(note) == 300 and note.startswith("Trotz möglicher Dublette") and note.endswith("…")


def _wait_until_blocked_on_a_lock() -> None:
    """PostgreSQL: until another session waits for our uncommitted row (SQLite serialises writers)."""
    if connection.vendor != "postgresql":
        return
    with connections["default"].cursor() as cursor:
        for _ in range(2000):
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # statistics are cached per transaction
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                return
            threading.Event().wait(0.01)
    raise AssertionError("the second request never waited for the first one's tag")


@pytest.mark.django_db(transaction=True)
def test_two_requests_creating_the_same_new_tag_at_once_both_succeed(office: Any, agent: Any) -> None:
    first = make_contact(office, agent, last_name="Erster")
    second = make_contact(office, agent, last_name="Zweiter")
    api, api_first = api_client_for(agent), api_client_for(agent)
    results: dict[str, Any] = {}

    def other_request() -> None:
        results["response"] = api.patch(f"/api/v1/contacts/{second.pk}", {"tags": ["Neubau-Interessent"]})
        connections.close_all()

    # The first request has created the tag but not committed yet when the second one arrives.
    with transaction.atomic():
        Tag.objects.create(office=office, name="Neubau-Interessent")
        worker = threading.Thread(target=other_request)
        worker.start()
        _wait_until_blocked_on_a_lock()
    worker.join(30)
    response = results["response"]
    assert response.status_code == 200, response.content
    assert response.json()["tags"] == ["Neubau-Interessent"]
    again = api_first.patch(f"/api/v1/contacts/{first.pk}", {"tags": ["Neubau-Interessent"]})
    assert again.json()["tags"] == ["Neubau-Interessent"]
    assert Tag.objects.filter(office=office, name="Neubau-Interessent").count() == 1


@pytest.mark.django_db
def test_a_contact_with_600_e_mail_addresses_passes_the_duplicate_check(office: Any, agent: Any) -> None:
    # Each address is a blocking key of the duplicate check; SQLite allows 500 terms per compound query.
    api = api_client_for(agent)
    emails = [{"value": f"adresse{i}@example.de", "kind": "private"} for i in range(600)]
    twin = make_contact(office, agent, first_name="Vera", last_name="Vielschreiber", emails=emails[599:])
    response = api.post(
        "/api/v1/contacts", {"first_name": "Vera", "last_name": "Vielschreiber", "emails": emails}
    )
    body = assert_problem(response, 409)
    assert [c["id"] for c in body["candidates"]] == [twin.pk]
    response = api.post(
        "/api/v1/contacts?allow_duplicate=true",
        {"first_name": "Vera", "last_name": "Vielschreiber", "emails": emails},
    )
    assert response.status_code == 201, response.content
    assert len(response.json()["emails"]) == 600
