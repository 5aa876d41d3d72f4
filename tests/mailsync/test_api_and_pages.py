"""/api/v1/me/mail-accounts, the `sync` command and the "Mein Postfach" pages."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from maklerwerk.core.models import Activity, Job
from maklerwerk.mailsync.models import MailAccount
from tests.conftest import api_client_for, assert_problem, make_user
from tests.mailsync.conftest import connect, make_mail, person, put

pytestmark = pytest.mark.django_db


def body(box: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"email": box["username"], "host": box["host"], "port": box["port"], "security": "none",
            "password": box["password"], **extra}  # fmt: skip


def test_crud_keeps_the_password_write_only(api: Any, agent: Any, new_mailbox: Any) -> None:
    box = new_mailbox()
    created = api.post("/api/v1/me/mail-accounts", body(box, folders=["Kunden"]))
    assert created.status_code == 201, created.content
    data = created.json()
    assert "password" not in data and "password_encrypted" not in data
    assert data["username"] == box["username"] and data["folders"] == ["Kunden"]
    pk = data["id"]
    assert [a["id"] for a in api.get("/api/v1/me/mail-accounts").json()] == [pk]
    patched = api.patch(f"/api/v1/me/mail-accounts/{pk}", {"folders": [], "active": False})
    assert patched.status_code == 200 and patched.json()["active"] is False
    assert MailAccount.objects.get(pk=pk).get_password() == "geheim"  # an omitted password stays
    again = api.post("/api/v1/me/mail-accounts", body(box))
    assert assert_problem(again, 409)["detail"] == "Sie haben dieses Postfach bereits verbunden."
    unknown = api.post("/api/v1/me/mail-accounts", {**body(box), "colour": "rot"})
    assert unknown.status_code == 422
    assert api.delete(f"/api/v1/me/mail-accounts/{pk}").status_code == 204
    assert not MailAccount.objects.exists()


def test_another_users_account_is_a_404_and_readonly_may_not_connect(
    office: Any, agent: Any, readonly_user: Any, new_mailbox: Any
) -> None:
    account = connect(make_user(office, "kollegin", "agent"), new_mailbox())
    api = api_client_for(agent)
    assert_problem(api.get(f"/api/v1/me/mail-accounts/{account.pk}"), 404)
    assert_problem(api.post(f"/api/v1/me/mail-accounts/{account.pk}/sync", {}), 404)
    readonly = api_client_for(readonly_user)
    assert_problem(readonly.post("/api/v1/me/mail-accounts", body(new_mailbox())), 403)


def test_the_sync_endpoint_starts_a_job_that_archives(
    office: Any, agent: Any, api: Any, new_mailbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    person(office, "kunde@example.org")
    box = new_mailbox()
    put(box, make_mail())
    account = connect(agent, box)
    with django_capture_on_commit_callbacks(execute=True):
        started = api.post(f"/api/v1/me/mail-accounts/{account.pk}/sync", {})
    assert started.status_code == 202, started.content
    job = Job.objects.get(pk=started.json()["id"])
    assert job.state == Job.State.SUCCEEDED, job.error
    assert job.result["archived"] == 1
    assert Activity.objects.filter(type=Activity.Type.EMAIL_RECEIVED).count() == 1


def test_the_sync_command_with_dry_run_writes_nothing(office: Any, agent: Any, new_mailbox: Any) -> None:
    person(office, "kunde@example.org")
    box = new_mailbox()
    put(box, make_mail())
    connect(agent, box)
    out = StringIO()
    call_command("sync", user=agent.username, dry_run=True, stdout=out, stderr=out)
    assert not Activity.objects.filter(type=Activity.Type.EMAIL_RECEIVED).exists()
    call_command("sync", user=agent.username, stdout=out, stderr=out)
    call_command("sync", user=agent.username, stdout=out, stderr=out)
    assert Activity.objects.filter(type=Activity.Type.EMAIL_RECEIVED).count() == 1
    with pytest.raises(CommandError, match="gibt es nicht"):
        call_command("sync", user="niemand")


def test_the_settings_page_connects_and_shows_the_german_state(
    agent_client: Any, agent: Any, new_mailbox: Any
) -> None:
    box = new_mailbox()
    form = {"email": box["username"], "host": box["host"], "port": box["port"], "security": "none",
            "username": "", "auth": "login", "password": "falsch", "folders_text": "Kunden\n", "active": "on",
            "append_sent": "on", "sent_folder": ""}  # fmt: skip
    response = agent_client.post("/mailsync/new/", {**form, "test": "1"}, follow=True)
    page = response.content.decode()
    assert "Verbindung fehlgeschlagen: Anmeldung fehlgeschlagen" in page
    account = MailAccount.objects.get()
    assert account.folders == ["Kunden"] and account.username == box["username"]
    response = agent_client.post(
        f"/mailsync/{account.pk}/", {**form, "password": "geheim", "test": "1"}, follow=True
    )
    assert "Verbindung funktioniert" in response.content.decode()
    agent_client.post(f"/mailsync/{account.pk}/sync/")
    listing = agent_client.get("/mailsync/").content.decode()
    assert "Mein Postfach" in listing and box["username"] in listing and "Jetzt archivieren" in listing
    assert "/mailsync/" in agent_client.get("/settings/").content.decode()  # reachable from the settings


def test_the_periodic_tick_starts_one_job_per_active_account(
    office: Any, agent: Any, new_mailbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from maklerwerk.mailsync.tasks import SYNC, sync_all_start

    connect(agent, new_mailbox())
    connect(make_user(office, "kollegin", "agent"), new_mailbox(), active=False)
    started = sync_all_start()
    assert len(started) == 1 and Job.objects.filter(kind=SYNC).count() == 1
