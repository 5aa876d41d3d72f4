"""/api/v1/me/dav-accounts: CRUD (password write-only), sync as a job, the sync log."""

from __future__ import annotations

from typing import Any

import pytest

from maklerwerk.contacts.models import Contact
from maklerwerk.davsync.models import DavAccount
from tests.conftest import api_client_for, assert_problem
from tests.davsync.conftest import Book, card

pytestmark = pytest.mark.django_db


def test_crud_keeps_the_password_write_only_and_encrypted(
    api: Any, agent: Any, book: Book, dav_server: dict[str, str]
) -> None:
    created = api.post(
        "/api/v1/me/dav-accounts", {"url": book.url, "username": "agent", "password": "secret"}
    )
    assert created.status_code == 201
    body = created.json()
    assert (
        body["password_set"] is True and "password" not in body and body["conflict_rule"] == "maklerwerk_wins"
    )
    stored = DavAccount.objects.get(pk=body["id"])
    assert "secret" not in stored.password_encrypted and stored.get_password() == "secret"
    assert (
        api.patch(f"/api/v1/me/dav-accounts/{body['id']}", {"conflict_rule": "server_wins"}).json()[
            "conflict_rule"
        ]
        == "server_wins"
    )
    assert DavAccount.objects.get(pk=body["id"]).get_password() == "secret"
    assert_problem(api.post("/api/v1/me/dav-accounts", {"url": book.url, "scope": "everything"}), 422)
    assert [a["id"] for a in api.get("/api/v1/me/dav-accounts").json()] == [body["id"]]
    assert api.delete(f"/api/v1/me/dav-accounts/{body['id']}").status_code == 204


def test_another_users_account_is_not_found(api: Any, admin_user: Any, book: Book) -> None:
    theirs = api_client_for(admin_user).post("/api/v1/me/dav-accounts", {"url": book.url}).json()
    assert_problem(api.get(f"/api/v1/me/dav-accounts/{theirs['id']}"), 404)
    assert_problem(api.post(f"/api/v1/me/dav-accounts/{theirs['id']}/sync", {}), 404)


def test_preview_then_sync_as_jobs_and_the_log(
    api: Any, book: Book, django_capture_on_commit_callbacks: Any
) -> None:
    book.put("a.vcf", card("a-1", "Rita", "Sommer", email="rita@example.org"))
    account = api.post(
        "/api/v1/me/dav-accounts", {"url": book.url, "username": "agent", "password": "secret"}
    ).json()
    with django_capture_on_commit_callbacks(execute=True):
        preview = api.post(f"/api/v1/me/dav-accounts/{account['id']}/sync", {"dry_run": True})
    assert preview.status_code == 202
    job = api.get(preview.json()["url"]).json()
    assert job["state"] == "succeeded" and job["result"]["counts"] == {"created_here": 1}
    assert job["result"]["rows"][0]["name"] == "Rita Sommer" and Contact.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        run = api.post(f"/api/v1/me/dav-accounts/{account['id']}/sync", {})
    assert (
        api.get(run.json()["url"])
        .json()["result"]["message"]
        .startswith("Synchronisierung beendet: 1 neu in Maklerwerk")
    )
    assert Contact.objects.filter(last_name="Sommer").exists()
    log = api.get(f"/api/v1/me/dav-accounts/{account['id']}/events").json()
    assert any("aus dem Adressbuch angelegt" in e["message"] for e in log["items"])


def test_contacts_are_marked_for_the_address_book_over_the_api(
    api: Any, agent: Any, admin_user: Any, book: Book
) -> None:
    from maklerwerk.davsync.models import SyncFlag
    from tests.contacts.conftest import make_contact

    anna = make_contact(agent.office, None, first_name="Anna", last_name="Becker")
    ben = make_contact(agent.office, None, first_name="Ben", last_name="Käufer", tags=["Käufer"])
    account = api.post("/api/v1/me/dav-accounts", {"url": book.url, "scope": "flagged"}).json()
    url = f"/api/v1/me/dav-accounts/{account['id']}/contacts"
    assert api.post(url, {"contact_ids": [anna.pk]}).json() == {"marked": 1}
    assert api.post(url, {"tag": "Käufer"}).json() == {"marked": 1}
    flagged = SyncFlag.objects.filter(account_id=account["id"], enabled=True)
    assert set(flagged.values_list("contact_id", flat=True)) == {anna.pk, ben.pk}
    assert api.post(url, {"contact_ids": [anna.pk], "enabled": False}).json() == {"marked": 1}
    assert set(flagged.values_list("contact_id", flat=True)) == {ben.pk}
    assert "mindestens einen Kontakt" in assert_problem(api.post(url, {}), 400)["detail"]
    assert_problem(api.post(url, {"tag": "Niemand"}), 400)
    theirs = api_client_for(admin_user).post("/api/v1/me/dav-accounts", {"url": book.url}).json()
    foreign = f"/api/v1/me/dav-accounts/{theirs['id']}/contacts"
    assert_problem(api.post(foreign, {"contact_ids": [anna.pk]}), 404)
