"""`maklerwerk serve` (what `make run` starts): web server and job worker together, stopped by Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served_database() -> Iterator[tuple[dict[str, str], str]]:
    """What `serve` runs on: with TEST_DATABASE_URL a fresh PostgreSQL database on that server (made
    and dropped here), else SQLite in the data dir. Yields (environment, expected vendor)."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        yield {}, "sqlite"
        return
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(url)
    name = f"{cfg['NAME']}_serve_{os.getpid()}"
    server: dict[str, Any] = {
        "host": cfg["HOST"] or None,
        "port": cfg["PORT"] or None,
        "user": cfg["USER"] or None,
        "password": cfg["PASSWORD"] or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield {"DATABASE_URL": urlsplit(url)._replace(path=f"/{name}").geturl()}, "postgresql"
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.jobs
@pytest.mark.once
def test_serve_answers_runs_jobs_and_stops_on_ctrl_c(
    tmp_path: Path, served_database: tuple[dict[str, str], str]
) -> None:
    database_env, vendor = served_database
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL"}},
        **database_env,
        "MAKLERWERK_DATA_DIR": str(tmp_path),
        "DEBUG": "1",  # as `make run` sets it
        "WEB_WORKERS": "1",
        "LOG_LEVEL": "WARNING",
    }

    def manage(*args: str) -> str:
        return subprocess.run(
            [sys.executable, "-m", "maklerwerk", *args], env=env, check=True, capture_output=True, text=True
        ).stdout

    manage("migrate", "-v0")
    manage("seed_demo", "--activities", "3")
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "maklerwerk", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        health = None
        while time.monotonic() < deadline and health is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as resp:
                    health = json.loads(resp.read())
            except OSError:
                time.sleep(0.2)
        assert health == {"status": "ok", "checks": {"database": "ok", "jobs": "ok"}, "database": vendor}
        # A job enqueued by another process (like a web request would) is picked up by the worker.
        job_id = manage(
            "shell",
            "--no-imports",
            "-c",
            "from django.db import transaction\n"
            "from maklerwerk.accounts.models import Office\n"
            "from maklerwerk.core.jobs import job_start\n"
            "with transaction.atomic():\n"
            "    o = Office.objects.get()\n"
            "    j = job_start(kind='core.data_export', title='Export',\n"
            "                  office=o, created_by=None, office_id=o.pk)\n"
            "print(j.pk)",
        ).strip()
        state = ""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and state != "succeeded":
            state = manage(
                "shell",
                "--no-imports",
                "-c",
                f"from maklerwerk.core.models import Job; print(Job.objects.get(pk='{job_id}').state)",
            ).strip()
            time.sleep(0.3)
        assert state == "succeeded"
        assert (tmp_path / "exports" / f"{job_id}.zip").exists()
    finally:
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in the terminal does
        proc.wait(20)
    with pytest.raises(OSError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
