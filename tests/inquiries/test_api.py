"""API: mailboxes (password write-only), inquiries with steps, the website form, processes."""

from __future__ import annotations

from typing import Any

import pytest

from maklerwerk.inquiries.models import Inquiry, Mailbox
from tests.conftest import api_client_for, assert_problem
from tests.inquiries.conftest import deliver, fixture_mail, to_addr

pytestmark = pytest.mark.django_db


def test_it_configures_and_tests_a_mailbox_and_never_returns_the_password(
    admin_user: Any, agent: Any, imap_account: dict[str, Any]
) -> None:
    api = api_client_for(admin_user)
    body = {"host": "127.0.0.1", "port": imap_account["port"], "security": "none",
            "username": imap_account["username"], "password": imap_account["password"]}  # fmt: skip
    response = api.post("/api/v1/mailboxes", body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert "password" not in data and "password_encrypted" not in data
    assert (data["last_status"], data["main_user_id"]) == ("ok", admin_user.pk)
    stored = Mailbox.objects.get(pk=data["id"])
    assert imap_account["password"] not in stored.password_encrypted
    assert stored.get_password() == imap_account["password"]
    wrong = api.post("/api/v1/mailboxes", {**body, "password": "falsch", "main_user_id": agent.pk}).json()
    assert (wrong["last_status"], wrong["main_user_id"]) == ("error", agent.pk)
    assert wrong["last_error"] == "Anmeldung fehlgeschlagen: Benutzername oder Passwort ist falsch."
    assert api.get("/api/v1/mailboxes").json()["count"] == 2
    assert_problem(api_client_for(agent).post("/api/v1/mailboxes", body), 403)  # only administrators


def test_fetch_and_filter_inquiries(
    api: Any, agent: Any, mailbox: Mailbox, properties: Any, smtp_sink: Any, imap_account: Any, outsider: Any
) -> None:
    deliver(imap_account, fixture_mail("immowelt_html_only.eml"), fixture_mail("newsletter_unrecognized.eml"))
    fetched = api.post(f"/api/v1/mailboxes/{mailbox.pk}/fetch").json()
    assert (fetched["fetched"], fetched["taken_in"], fetched["last_status"]) == (2, 2, "ok")
    waiting = api.get("/api/v1/inquiries", {"status": "waiting_for_confirmation"}).json()
    assert waiting["count"] == 1
    item = waiting["items"][0]
    assert (item["source"], item["email"], item["property_id"]) == (
        "immowelt",
        "jonas.weber@example.com",
        properties["MW-1003"].pk,
    )
    assert [s["kind"] for s in item["steps"]] == ["received", "property", "confirmation_mail"]
    unrecognized = api.get("/api/v1/inquiries?status=unrecognized").json()["items"][0]
    assert unrecognized["reason"].startswith("Nicht erkannt")
    assert api.get(f"/api/v1/inquiries/{item['id']}").json()["id"] == item["id"]
    other = api_client_for(outsider)
    assert_problem(other.get(f"/api/v1/inquiries/{item['id']}"), 404)
    assert_problem(other.post(f"/api/v1/mailboxes/{mailbox.pk}/fetch"), 404)
    assert other.get("/api/v1/inquiries").json()["count"] == 0


def test_the_website_form_runs_the_automation(api: Any, properties: Any, smtp_sink: Any) -> None:
    response = api.post(
        "/api/v1/inquiries",
        {"email": "neu@example.org", "first_name": "Nora", "last_name": "Neumann",
         "property_external_id": "MW-1001", "message": "Bitte Exposé"},
    )  # fmt: skip
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["source"], data["status"]) == ("website", "waiting_for_confirmation")
    assert to_addr(smtp_sink.parsed()[0]) == "neu@example.org"
    unknown = api.post(
        "/api/v1/inquiries", {"email": "x@example.org", "property_external_id": "GIBTS-NICHT"}
    ).json()
    assert (unknown["status"], unknown["reason"]) == (
        "ignored",
        "Objekt unbekannt (Kennung/Portal-ID: GIBTS-NICHT).",
    )
    assert api.post("/api/v1/inquiries", {"email": "x@example.org", "unbekannt": 1}).status_code == 422
    assert Inquiry.objects.count() == 2
    # Each ran as its own automation job, as mailed inquiries do (the request does not wait for it).
    from maklerwerk.core.models import Job

    jobs = Job.objects.filter(kind="inquiries.automate")
    assert sorted(j.params["inquiry_id"] for j in jobs) == sorted(
        Inquiry.objects.values_list("pk", flat=True)
    )


def test_process_definitions_and_instances(
    api: Any, admin_user: Any, properties: Any, smtp_sink: Any
) -> None:
    from tests.inquiries.conftest import contact

    names = [d["name"] for d in api.get("/api/v1/process-definitions").json()["items"]]
    assert names == ["Nachfassen nach Exposé-Versand", "Neue Adresse aus Anfrage"]
    created = api_client_for(admin_user).post(
        "/api/v1/process-definitions",
        {"name": "Besichtigung anbieten", "trigger": "expose_sent",
         "steps": [{"kind": "wait", "params": {"days": 1}}, {"kind": "add_tag", "params": {"tag": "Heiß"}}]},
    )  # fmt: skip
    assert created.status_code == 201 and [s["kind"] for s in created.json()["steps"]] == ["wait", "add_tag"]
    c = contact(admin_user.office, last_name="Kunde", emails=[{"value": "kunde@example.org"}])
    api.post("/api/v1/inquiries", {"email": "kunde@example.org", "property_external_id": "MW-1001"})
    running = api.get("/api/v1/process-instances", {"contact_id": c.pk, "status": "running"}).json()
    assert {i["name"] for i in running["items"]} == {
        "Nachfassen nach Exposé-Versand",
        "Besichtigung anbieten",
    }
    cancelled = api.post(f"/api/v1/process-instances/{running['items'][0]['id']}/cancel").json()
    assert cancelled["status"] == "cancelled"
    assert_problem(api.post(f"/api/v1/process-instances/{running['items'][0]['id']}/cancel"), 400)
