"""A multi-machine installation (docs/deploy.md "Several machines"): two web servers and two job
workers, each with its own data directory, sharing PostgreSQL (or SQLite outside CI), Redis and an
S3-compatible object store; a contact, a document, an offer with it and an inquiry fetch go through."""

from __future__ import annotations

import email
import email.policy
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
import requests
from aiosmtpd.controller import Controller

from tests.conftest import SmtpSink
from tests.core.test_serve import served_database
from tests.inquiries.conftest import fixture_mail
from tests.live.dovecot import dovecot_server, free_port
from tests.live.s3 import S3Server, s3_server

__all__ = ["served_database"]

REDIS_DB = 11  # of its own: the Redis tests use 0 and the suite flushes nothing else
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _wait(
    check: Callable[[], Any], what: str, timeout: float = 90, state: Callable[[], str] = lambda: ""
) -> Any:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        found = check()
        if found:
            return found
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what}: {state()}")


@pytest.fixture
def shared(tmp_path: Path, served_database: tuple[dict[str, str], str]) -> Iterator[dict[str, Any]]:
    database_env, _vendor = served_database
    redis_url = f"redis://127.0.0.1:6379/{REDIS_DB}"
    redis.Redis.from_url(redis_url).flushdb()
    sink = SmtpSink()
    smtp_port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    with s3_server() as s3:
        base = {
            **{k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL"}},
            **database_env,
            **s3.environment(),
            "REDIS_URL": redis_url,
            "HUEY_NAME": f"mw-multi-{os.getpid()}",
            "SECRET_KEY": "the-same-on-every-machine-" + "x" * 40,
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
            "DEBUG": "1",
            "LOG_LEVEL": "WARNING",
        }
        if "DATABASE_URL" not in database_env:  # SQLite: one file that every process opens
            base["DATABASE_URL"] = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
        yield {"env": base, "s3": s3, "sink": sink, "root": tmp_path}
    controller.stop()


def _machine(shared: dict[str, Any], name: str) -> dict[str, str]:
    data_dir = shared["root"] / name
    data_dir.mkdir(exist_ok=True)
    return {**shared["env"], "MAKLERWERK_DATA_DIR": str(data_dir)}


def _manage(env: dict[str, str], *args: str) -> str:
    return subprocess.run(
        [sys.executable, "-m", "maklerwerk", *args], env=env, check=True, capture_output=True, text=True
    ).stdout


@pytest.mark.jobs
@pytest.mark.once
def test_two_web_servers_and_two_workers_share_database_queue_and_files(shared: dict[str, Any]) -> None:
    admin = _machine(shared, "admin")
    _manage(admin, "migrate", "-v0")
    _manage(admin, "seed_demo", "--activities", "3")
    token = _manage(admin, "create_api_token", "demo").strip()
    procs: list[subprocess.Popen[bytes]] = []
    webs: list[str] = []
    try:
        for name in ("web-a", "web-b"):
            port = free_port()
            procs.append(
                subprocess.Popen(
                    [sys.executable, "-m", "gunicorn", "maklerwerk.config.wsgi",
                     "--bind", f"127.0.0.1:{port}", "--workers", "1", "--graceful-timeout", "2"],
                    env=_machine(shared, name), start_new_session=True,
                )
            )  # fmt: skip
            webs.append(f"http://127.0.0.1:{port}/api/v1")
        for name in ("worker-1", "worker-2"):
            procs.append(
                subprocess.Popen(
                    [sys.executable, "-m", "maklerwerk", "run_huey", "--quiet"],
                    env=_machine(shared, name), start_new_session=True,
                )
            )  # fmt: skip
        a, b = webs
        http = requests.Session()
        http.headers["Authorization"] = f"Bearer {token}"

        def up(url: str) -> bool:
            try:
                return http.get(f"{url}/contacts?limit=1", timeout=30).status_code == 200
            except (requests.ConnectionError, requests.Timeout):  # still starting
                return False

        _wait(lambda: up(a) and up(b), "both web servers", timeout=120)

        # A contact written through one server is read through the other.
        created = http.post(f"{a}/contacts", json={
            "first_name": "Mara", "last_name": "Vogt", "emails": [{"value": "mara.vogt@example.org"}],
            "marketing_consent": True,
        }, timeout=30)  # fmt: skip
        assert created.status_code == 201, created.text
        contact_id = created.json()["id"]
        assert http.get(f"{b}/contacts/{contact_id}", timeout=30).json()["last_name"] == "Vogt"

        # A document uploaded through B lands in the bucket, not on B's disk.
        prop = http.get(f"{a}/properties?limit=1", timeout=30).json()["items"][0]
        uploaded = http.post(
            f"{b}/properties/{prop['id']}/documents",
            files={"file": ("Grundriss.pdf", PDF, "application/pdf")},
            data={"kind": "other", "title": "Grundriss", "protected": "false"},
            timeout=30,
        )
        assert uploaded.status_code == 201, uploaded.text
        s3: S3Server = shared["s3"]
        assert any(key.endswith(".pdf") and "Grundriss" in key for key in s3.object_keys())
        assert not list((shared["root"] / "web-b").rglob("Grundriss*"))

        # An offer started through A is sent by whichever worker takes it, with the document from the bucket.
        templates = http.get(f"{a}/mail-templates?limit=100", timeout=30).json()["items"]
        template = next(t for t in templates if t["key"] == "expose")
        offer = http.post(f"{a}/offers", json={
            "contacts": [contact_id], "properties": [prop["id"]], "template": template["id"],
            "attach_expose": True, "documents": [uploaded.json()["id"]],
        }, timeout=30)  # fmt: skip
        assert offer.status_code == 201, offer.text
        sink: SmtpSink = shared["sink"]
        state = lambda: http.get(f"{a}/offers/{offer.json()['id']}", timeout=30).text  # noqa: E731
        # Only the offer's mail to Mara counts: the workers' periodic jobs may mail the agent too
        # (reminders, the daily agenda of the seeded office).
        to_mara = lambda: [m for m in sink.messages if "mara.vogt@example.org" in m.rcpt_tos]  # noqa: E731
        _wait(to_mara, "the offer mail", timeout=180, state=state)
        mail = email.message_from_bytes(to_mara()[0].content, policy=email.policy.default)
        assert mail["To"] == "Mara Vogt <mara.vogt@example.org>"
        attached = {part.get_filename(): part.get_content() for part in mail.iter_attachments()}
        assert PDF in attached.values() and len(attached) == 2  # the document and the exposé

        # An inquiry mailbox set up through B is fetched by a worker; the inquiry shows through A.
        with dovecot_server({"anfragen@testbuero.example": "geheim"}) as imap:
            from tests.inquiries.conftest import deliver

            account = imap.account("anfragen@testbuero.example", "geheim")
            deliver(account, fixture_mail("immoscout24_kontaktanfrage.eml"))
            mailbox = http.post(f"{b}/mailboxes", json={
                "host": imap.host, "port": imap.port, "security": "none", "username": account["username"],
                "password": "geheim", "test": False,
            }, timeout=30)  # fmt: skip
            assert mailbox.status_code == 201, mailbox.text
            assert http.post(f"{b}/mailboxes/{mailbox.json()['id']}/fetch", timeout=30).status_code == 200
            _wait(lambda: http.get(f"{a}/inquiries", timeout=30).json()["count"] >= 1, "the fetched inquiry")
    finally:
        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
