"""A real Huey worker process killed mid-offer (SIGKILL, SIGTERM), then restarted.

The SMTP server (aiosmtpd, real) holds the second recipient's RCPT until the test has killed the
worker, so the kill lands exactly between "claimed" and "sent". After the restart every waiting
recipient gets exactly one mail, the one in flight is "Zustellung unklar" with its recorded
Message-ID, and the dead job is failed with a German reason, never "running" forever.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from huey.contrib.djhuey import HUEY

from maklerwerk.core.models import Job
from maklerwerk.exposes import services
from maklerwerk.exposes.models import Offer, OfferRecipient
from tests.conftest import api_client_for, mail_template
from tests.mailing.conftest import make_contact, make_prop

pytestmark = [pytest.mark.jobs, pytest.mark.django_db(transaction=True)]

NAMES = ["anna", "bernd", "clara", "dora"]


class GateSink:
    """Accepts every mail, but holds the RCPT of `hold` until released (the worker dies meanwhile)."""

    port: int  # set by the fixture that starts the server

    def __init__(self, hold: str) -> None:
        self.hold = hold
        self.messages: list[Any] = []
        self.reached = threading.Event()
        self.release = threading.Event()

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address == self.hold and not self.release.is_set():
            self.reached.set()
            while not self.release.is_set():
                await asyncio.sleep(0.05)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope)
        return "250 OK"

    def received(self) -> list[str]:
        return sorted(rcpt for m in self.messages for rcpt in m.rcpt_tos)


@pytest.fixture
def gate_sink() -> Iterator[GateSink]:
    from aiosmtpd.controller import Controller

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sink = GateSink("bernd@example.org")
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    sink.port = port
    yield sink
    sink.release.set()
    controller.stop()


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db.get('USER') or 'postgres'}{password}@{host}:{port}/{db['NAME']}"


class Worker:
    """`maklerwerk run_huey` as its own process, on the test database and the configured job storage."""

    def __init__(self, sink: GateSink, log: Path, lease: int) -> None:
        self.env = {
            **{k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
            "DATABASE_URL": _database_url(),
            "EMAIL_URL": f"smtp://127.0.0.1:{sink.port}",
            "JOB_LEASE_SECONDS": str(lease),
            "WORKER_THREADS": "1",
            "DB_CONN_MAX_AGE": "0",
        }
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "maklerwerk", "run_huey", "--no-periodic", "--workers", "1"],
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def kill(self, sig: int) -> None:
        assert self.proc is not None and self.proc.poll() is None, self.log.read_text()
        self.proc.send_signal(sig)
        self.proc.wait(20)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture
def worker(gate_sink: GateSink, tmp_path: Path) -> Iterator[Worker]:
    HUEY.immediate = False  # enqueue to the configured storage, as the web app does
    HUEY.flush()
    w = Worker(gate_sink, tmp_path / "worker.log", lease=3)
    yield w
    w.stop()
    HUEY.flush()
    HUEY.immediate = True


def _wait(condition: Any, what: str, log: Path, timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"{what} did not happen within {timeout}s\n{log.read_text()[-4000:]}")


def _offer(agent: Any) -> Offer:
    prop = make_prop(agent.office, agent)
    contacts = [
        make_contact(agent.office, email=f"{n}@example.org", first_name=n.title(), last_name="Kunde")
        for n in NAMES
    ]
    return services.offer_create(
        office=agent.office,
        acting_user=agent,
        contacts=contacts,
        properties=[prop],
        mail_template=mail_template(agent, "expose"),
        attach_expose=False,
    )


def _status(offer: Offer) -> dict[str, str]:
    return {r.email.split("@")[0]: r.status for r in offer.recipients.all()}


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_a_worker_killed_mid_offer_is_recovered_on_restart_and_nobody_gets_two_mails(
    worker: Worker, gate_sink: GateSink, agent: Any, sig: int
) -> None:
    offer = _offer(agent)
    first_job = services.offer_send_start(offer=offer, acting_user=agent)
    worker.start()
    _wait(gate_sink.reached.is_set, "the worker reaching Bernd", worker.log)

    # In flight: Anna has her mail, Bernd is claimed with his Message-ID recorded before SMTP.
    bernd = offer.recipients.get(email="bernd@example.org")
    assert bernd.status == "sending" and bernd.message_id.startswith("<") and bernd.attempts == 1
    assert _status(offer) == {"anna": "sent", "bernd": "sending", "clara": "pending", "dora": "pending"}
    first_job.refresh_from_db()
    assert first_job.state == "running" and first_job.lease_until is not None

    # A job outliving its lease is not dead while its worker lives: the heartbeat renews the lease.
    lease = first_job.lease_until
    assert lease is not None
    _wait(
        lambda: Job.objects.get(pk=first_job.pk).lease_until > lease,  # type: ignore[operator]  # it runs: a lease
        "the heartbeat renewing the lease",
        worker.log,
    )
    body = api_client_for(agent).get(f"/api/v1/offers/{offer.pk}").json()
    assert body["job"]["state"] == "running" and str(body["job"]["id"]) == str(first_job.pk)

    worker.kill(sig)
    assert gate_sink.received() == ["anna@example.org"]

    worker.start()  # the restarted worker picks up what the killed one left behind
    _wait(
        lambda: (
            not offer.recipients.filter(status__in=["pending", "sending"]).exists()
            and Job.objects.filter(resumed_from=first_job, state="succeeded").exists()
        ),
        "the remaining mails",
        worker.log,
    )
    # Every waiting recipient got exactly one mail; Bernd got none automatically.
    assert gate_sink.received() == ["anna@example.org", "clara@example.org", "dora@example.org"]
    bernd.refresh_from_db()
    assert bernd.status == "unclear" and bernd.get_status_display() == "Zustellung unklar"
    assert bernd.message_id.startswith("<") and bernd.attempts == 1
    assert bernd.reason.startswith("Zustellung unklar")
    first_job.refresh_from_db()
    assert first_job.state == "failed" and first_job.lease_until is None
    assert first_job.message.startswith("Unterbrochen")
    resumed = Job.objects.get(resumed_from=first_job)
    assert resumed.result["sent"] == 2
    offer.refresh_from_db()
    assert offer.last_job_id == resumed.pk

    # "Fehlende erneut senden": nobody is left to send automatically; Bernd waits for the agent.
    response = api_client_for(agent).post(f"/api/v1/offers/{offer.pk}/retry")
    assert response.status_code == 400 and "niemand" in response.json()["detail"]
    # The agent decides to send Bernd's mail again: exactly one mail to Bernd.
    gate_sink.release.set()
    response = api_client_for(agent).post(
        f"/api/v1/offers/{offer.pk}/recipients/{bernd.pk}/resolve", {"decision": "resend"}
    )
    assert response.status_code == 200, response.content
    _wait(
        lambda: OfferRecipient.objects.get(pk=bernd.pk).status == "sent",
        "Bernd's second attempt",
        worker.log,
    )
    assert gate_sink.received() == [f"{n}@example.org" for n in NAMES]
    assert _status(offer) == dict.fromkeys(NAMES, "sent")
