"""Document sharing: the public page with 200 files, and "download everything" for 1 GB (memory, speed)."""

from __future__ import annotations

import argparse
import contextlib
import threading
import time
import urllib.request

import psutil

from bench.common import gunicorn, install, md_table, wrk

TITLE = "Document sharing: public page with 200 files; streamed ZIP of 1 GB (gunicorn, 2 workers)"

SETUP = """
import os
from maklerwerk.accounts.models import User
from maklerwerk.contacts.models import Contact
from maklerwerk.properties.models import Property
from maklerwerk.sharing import services
from maklerwerk.sharing.models import CloudFile
from django.conf import settings

user = User.objects.get(username="demo")
office = user.office
contact = Contact.objects.create(office=office, first_name="Bench", last_name="Interessent")

def cloud_with(external_id, files):
    prop = Property.objects.create(office=office, external_id=external_id, title="Benchmark " + external_id)
    cloud = services.cloud_for(prop)
    rows = []
    for i, size in enumerate(files):
        row = CloudFile(office=office, cloud=cloud, name=f"Unterlage {i:03d}.pdf", size=size)
        name = f"sharing/{cloud.pk}/{row.key}/unterlage-{i:03d}.pdf"
        path = os.path.join(settings.MEDIA_ROOT, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as fh:
            if size <= 1 << 20:
                fh.write(os.urandom(size))
            else:
                fh.truncate(size)  # sparse: reads as zeros, costs no disk
        row.file.name = name
        rows.append(row)
    CloudFile.objects.bulk_create(rows)
    link = services.share_link_create(
        office=office, contact=contact, property=prop, acting_user=user
    )
    link.consent_required = False
    link.save(update_fields=["consent_required"])
    return services.share_link_token(link)

page = cloud_with("BENCH-PAGE", [40_000 + i * 10 for i in range(200)])
big = cloud_with("BENCH-ZIP", [BIG_SIZE // BIG_FILES] * BIG_FILES)
print(page, big)
"""


def _server_tree(port: int) -> list[psutil.Process]:
    """gunicorn's master and workers listening on `port`."""
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        cmd = proc.info.get("cmdline") or []
        if any(f"127.0.0.1:{port}" in part for part in cmd):
            found.append(proc)
            found.extend(proc.children(recursive=True))
    return list({p.pid: p for p in found}.values())


def _rss(procs: list[psutil.Process]) -> dict[int, int]:
    out = {}
    for p in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            out[p.pid] = p.memory_info().rss
    return out


def _download(url: str, procs: list[psutil.Process]) -> tuple[int, float, int]:
    """Fetch `url`, discarding the body; returns (bytes, seconds, peak RSS growth of any one process)."""
    idle = _rss(procs)
    peak = dict(idle)
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            for pid, rss in _rss(procs).items():
                peak[pid] = max(peak.get(pid, 0), rss)
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    total = 0
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=120) as response:
        while chunk := response.read(1 << 20):
            total += len(chunk)
    took = time.perf_counter() - started
    stop.set()
    sampler.join()
    growth = max(peak[pid] - idle.get(pid, peak[pid]) for pid in peak)
    return total, took, growth


def _warm_up(url: str, headers: dict[str, str]) -> None:
    """Workers import and connect lazily: the first (slow) requests happen outside the measurement."""
    for _ in range(6):
        request = urllib.request.Request(url, headers=headers)
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()


def run(args: argparse.Namespace) -> str:
    seconds = 3 if args.quick else 8
    big_size = (256 if args.quick else 1024) * 1024 * 1024
    big_files = 16
    rows = []
    zip_rows = []
    for database in ("sqlite", "postgres"):
        with install(database) as inst:
            inst.manage("seed_demo", "--activities", "500", "-v0")
            token = inst.manage("create_api_token", "demo", "--name", "bench", capture=True).strip()
            code = SETUP.replace("BIG_SIZE", str(big_size)).replace("BIG_FILES", str(big_files))
            page_token, zip_token = inst.django_shell(code).split()[-2:]
            # wrk comes from one address; lift the per-IP limit for the run (it still counts, in the cache).
            inst.env["SHARING_RATE_LIMIT"] = "100000000/m"
            with gunicorn(inst, workers=2) as base:
                _warm_up(f"{base}/api/v1/activities?limit=50", {"Authorization": f"Bearer {token}"})
                _warm_up(f"{base}/sharing/d/{page_token}/", {})
                floor = wrk(
                    f"{base}/api/v1/activities?limit=50",
                    headers={"Authorization": f"Bearer {token}"},
                    seconds=seconds,
                )
                page = wrk(f"{base}/sharing/d/{page_token}/", seconds=seconds)
                port = int(base.rsplit(":", 1)[1])
                procs = _server_tree(port)
                _download(f"{base}/sharing/d/{page_token}/zip/", procs)  # warm up both code paths
                size, took, growth = _download(f"{base}/sharing/d/{zip_token}/zip/", procs)
        rows.append([inst.label, floor, page, page / floor])
        zip_rows.append(
            [inst.label, f"{size / 2**20:,.0f} MiB", f"{took:.1f} s", size / 2**20 / took, growth / 2**20]
        )
    page_table = md_table(
        [
            "Database",
            "floor: GET /api/v1/activities?limit=50 req/s",
            "public page (200 files) req/s",
            "ratio",
        ],
        rows,
    )
    zip_table = md_table(
        ["Database", "ZIP size", "time", "throughput MiB/s", "peak RSS above idle (MiB, worst process)"],
        zip_rows,
    )
    return (
        "Public page: a share link to a cloud with 200 files (search, sort, list view); every request is a\n"
        "recorded page view (tracking row, activity, open counter) and passes the per-IP rate limit, so it\n"
        f"writes. Load: wrk, 2 threads, 8 connections, {seconds} s per URL, on loopback.\n\n{page_table}\n\n"
        f'"Download everything": {big_files} sparse files of {big_size // big_files // 2**20} MiB each, one '
        "ZIP (stored, ZIP64) streamed by the stdlib zipfile into an unseekable sink in 1 MiB pieces;\n"
        "read by one client on loopback. Memory is the resident set of gunicorn's processes sampled\n"
        "every 20 ms, peak minus the value before the download (goal: flat, under 100 MB).\n\n"
        f"{zip_table}"
    )
