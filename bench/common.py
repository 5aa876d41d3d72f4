"""Shared benchmark helpers: throwaway installs on SQLite or PostgreSQL, a gunicorn server, wrk.

Benchmarks are not tests: they measure and write docs/BENCHMARKS.md; they assert nothing about time.
Machines are shared and noisy, so every benchmark compares side by side in one run and reports ratios.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Install:
    """A throwaway Maklerwerk data dir + database; `env` runs commands against it."""

    label: str  # "SQLite" or "PostgreSQL"
    data_dir: Path
    database_url: str
    env: dict[str, str]

    def manage(self, *args: str, capture: bool = False) -> str:
        result = subprocess.run(
            [sys.executable, "-m", "maklerwerk", *args],
            env=self.env,
            check=True,
            text=True,
            stdout=subprocess.PIPE if capture else None,
        )
        return result.stdout or ""

    def django_shell(self, code: str) -> str:
        return self.manage("shell", "-c", code, capture=True).strip()


def _pg_exec(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql)


@contextlib.contextmanager
def install(database: str) -> Iterator[Install]:
    """A migrated install on `sqlite` or `postgres` (a fresh database, dropped afterwards)."""
    data_dir = Path(tempfile.mkdtemp(prefix="mw-bench-"))
    db_name = None
    if database == "sqlite":
        url, label = f"sqlite:///{data_dir / 'bench.sqlite3'}", "SQLite"
    else:
        db_name = f"mw_bench_{uuid.uuid4().hex[:8]}"
        _pg_exec(f'CREATE DATABASE "{db_name}"')
        url, label = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{db_name}", "PostgreSQL"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "maklerwerk.config.settings",
        "MAKLERWERK_DATA_DIR": str(data_dir),
        "DATABASE_URL": url,
        "DEBUG": "0",
        "EMAIL_URL": "console://",  # production mode needs an explicit mail choice
        "SECURE_SSL_REDIRECT": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECRET_KEY": "bench-only",
        "AXES_ENABLED": "0",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)
    inst = Install(label, data_dir, url, env)
    try:
        inst.manage("migrate", "--noinput", "-v0")
        inst.manage("createcachetable")
        inst.manage("collectstatic", "--noinput", "-v0")
        yield inst
    finally:
        if db_name:
            _pg_exec(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
        shutil.rmtree(data_dir, ignore_errors=True)


@contextlib.contextmanager
def gunicorn(inst: Install, workers: int = 2) -> Iterator[str]:
    """gunicorn serving `inst` on a free loopback port; yields the base URL."""
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "maklerwerk.config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        env=inst.env,
    )
    try:
        end = time.monotonic() + 30
        while time.monotonic() < end:
            with contextlib.suppress(OSError):
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(15)


def wrk(url: str, *, headers: dict[str, str] | None = None, seconds: int = 5, connections: int = 8) -> float:
    """Requests per second reported by wrk (2 threads) for GETs of `url`."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is missing: install it with `apt-get install wrk` (Debian's package)")
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for key, value in (headers or {}).items():
        cmd += ["-H", f"{key}: {value}"]
    out = subprocess.run([*cmd, url], check=True, text=True, capture_output=True).stdout
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        raise RuntimeError(f"{url}: {non2xx.group(1)} error responses during the run:\n{out}")
    match = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not match:
        raise RuntimeError(f"cannot read wrk output:\n{out}")
    return float(match.group(1))


def time_calls(fn: Callable[[], object], *, repeat: int = 200, warmup: int = 10) -> dict[str, float]:
    """Median and p95 (milliseconds) of `repeat` calls of `fn` in this process."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    return {
        "median_ms": statistics.median(samples),
        "p95_ms": samples[int(len(samples) * 0.95) - 1],
        "n": float(repeat),
    }


def md_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    def fmt(v: object) -> str:
        if isinstance(v, float):
            return f"{v:,.2f}" if v < 100 else f"{v:,.0f}"
        return str(v)

    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(fmt(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def previous_rows(name: str, headers: Sequence[str], keep: Callable[[list[str]], bool]) -> list[list[str]]:
    """Rows (as their text) of the table with `headers` in benchmark `name`'s section of
    docs/BENCHMARKS.md that `keep` accepts: a run of some parts keeps what the last run measured
    of the others, marked as such by the caller."""
    doc = ROOT / "docs" / "BENCHMARKS.md"
    text = doc.read_text(encoding="utf-8") if doc.exists() else ""
    match = re.search(rf"<!-- bench:{re.escape(name)} -->(.*?)<!-- /bench:{re.escape(name)} -->", text, re.S)
    if not match:
        return []
    rows: list[list[str]] = []
    inside = False
    for line in match.group(1).splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")] if line.startswith("|") else None
        if cells is None:
            inside = False
        elif cells == list(headers):
            inside = True
        elif inside and not line.startswith("|---") and keep(cells):
            rows.append(cells)
    return rows


def previous_run_date(name: str) -> str:
    """The date of the run that wrote benchmark `name`'s section ("" if none)."""
    doc = ROOT / "docs" / "BENCHMARKS.md"
    text = doc.read_text(encoding="utf-8") if doc.exists() else ""
    match = re.search(rf"<!-- bench:{re.escape(name)} -->.*?· run (\d{{4}}-\d{{2}}-\d{{2}})", text, re.S)
    return match.group(1) if match else ""
