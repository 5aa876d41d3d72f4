"""A real worker process killed in the middle of an FTP upload, then restarted: the resumed job
uploads the same package once more under the same name, and the property goes online once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from huey.contrib.djhuey import HUEY

from maklerwerk.core.models import Job
from maklerwerk.portals import services
from maklerwerk.portals.models import PortalAssignment, TransferRun

pytestmark = [pytest.mark.jobs, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def gated_ftp(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """pyftpdlib that holds the first upload of a `.part` file until `release` is set."""
    from pyftpdlib.authorizers import DummyAuthorizer
    from pyftpdlib.handlers import FTPHandler
    from pyftpdlib.servers import ThreadedFTPServer

    root = tmp_path / "ftp"
    root.mkdir()
    reached, release = threading.Event(), threading.Event()

    class Gate(FTPHandler):
        def ftp_STOR(self, file: str, mode: str = "w") -> Any:
            if file.endswith(".part") and not release.is_set():
                reached.set()
                release.wait(60)
                return None  # the client is gone by now
            return super().ftp_STOR(file, mode)

    auth = DummyAuthorizer()
    auth.add_user("portal", "secret", str(root), perm="elradfmwMT")
    Gate.authorizer = auth
    server = ThreadedFTPServer(("127.0.0.1", 0), Gate)
    thread = threading.Thread(target=server.serve_forever, kwargs={"timeout": 0.1}, daemon=True)
    thread.start()
    yield {"port": server.address[1], "root": root, "reached": reached, "release": release}
    release.set()
    server.close_all()
    thread.join(5)


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    host, port = db.get("HOST") or "127.0.0.1", db.get("PORT") or 5432
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db.get('USER') or 'postgres'}{password}@{host}:{port}/{db['NAME']}"


class Worker:
    def __init__(self, log: Path) -> None:
        self.env = {
            **{k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"},
            "DATABASE_URL": _database_url(),
            "JOB_LEASE_SECONDS": "3",
            "WORKER_THREADS": "1",
            "DB_CONN_MAX_AGE": "0",
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),  # the pictures the test stored
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

    def stop(self, sig: int = signal.SIGINT) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture
def worker(tmp_path: Path) -> Iterator[Worker]:
    HUEY.immediate = False
    HUEY.flush()
    w = Worker(tmp_path / "worker.log")
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


def test_a_worker_killed_mid_upload_is_resumed_and_the_property_goes_online_once(
    office, admin_user, agent, listing, gated_ftp, worker
):
    portal = services.portal_create(
        office=office,
        acting_user=admin_user,
        data={"name": "immowelt", "key": "immowelt", "kind": "openimmo_ftp", "active": False,
              "host": "127.0.0.1", "port": gated_ftp["port"], "username": "portal", "password": "secret",
              "anbieternr": "K1"},
    )  # fmt: skip
    services.portal_update(portal=portal, acting_user=admin_user, data={"active": True})
    services.property_portals_set(prop=listing, portal_ids=[portal.pk], acting_user=agent)
    worker.start()
    _wait(gated_ftp["reached"].is_set, "the worker uploading", worker.log)
    run = TransferRun.objects.filter(portal=portal, planned=True).get()
    assert run.job_id is not None
    first_job = Job.objects.get(pk=run.job_id)
    assert first_job.state == "running"

    worker.stop(signal.SIGKILL)
    gated_ftp["release"].set()
    assert [p.name for p in gated_ftp["root"].iterdir() if p.suffix == ".zip"] == []  # never half a .zip

    worker.start()
    assignment = PortalAssignment.objects.get(portal=portal, property=listing)
    _wait(
        lambda: PortalAssignment.objects.get(pk=assignment.pk).state == "online", "going online", worker.log
    )
    run.refresh_from_db()
    assert run.state == "succeeded" and run.job_id != first_job.pk
    assert Job.objects.get(pk=first_job.pk).state == "failed"
    zips = [p.name for p in gated_ftp["root"].iterdir() if p.suffix == ".zip"]
    assert zips == [run.package_name]
    assert [e.action for e in run.entries.all()] == ["new"]
