# ruff: noqa: E501  (table rows on one line; the inner script is a format string)
"""Address book sync: first sync of a 5,000-card CardDAV address book against 5,000 contacts of
which half match, re-syncs with nothing changed, then an incremental sync after 50 cards changed on
the phone and 50 contacts changed in Maklerwerk (Radicale 3.9, SQLite).

The cards of the matching half carry the contact's name and e-mail (as a phone has them); the
other half are new people. The first sync matches (links, not copies) the one half through the
duplicate engine, creates the other and writes the matched contacts' full cards back. The re-sync
is measured against its floor, one bare `sync-collection` round trip on the same collection:
its requests and time as a ratio to that, and its writes (goal: 0)."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.common import free_port, install, md_table

TITLE = "Address book sync: first sync of 5,000 cards against 5,000 contacts, re-sync (Radicale, SQLite)"

INNER = r"""
import json, time, sys
import requests
from maklerwerk.accounts.models import User
from maklerwerk.contacts.services import contact_update
from maklerwerk.contacts.models import Contact
from maklerwerk.davsync import services
from maklerwerk.integrations.dav.client import DavClient
user = User.objects.get(username="demo")
size, url, cards_dir = {size}, "{url}", "{cards_dir}"
contacts = list(Contact.objects.filter(office=user.office).prefetch_related("emails").order_by("pk")[:size])
for i in range(size):
    if i % 2 == 0 and contacts[i].emails.all():
        c = contacts[i]
        first, last, email = c.first_name, c.last_name, c.emails.all()[0].value
    else:
        first, last, email = f"Neu{{i}}", f"Karte{{i}}", f"neu{{i}}@bench.example"
    card = f"BEGIN:VCARD\r\nVERSION:3.0\r\nUID:bench-{{i}}\r\nN:{{last}};{{first}};;;\r\nFN:{{first}} {{last}}\r\nEMAIL;TYPE=INTERNET:{{email}}\r\nEND:VCARD\r\n"
    open(f"{{cards_dir}}/bench-{{i}}.vcf", "w").write(card)
account = services.dav_account_create(user=user, data={{"url": url, "username": "agent", "password": "secret"}})
out = {{}}
def timed(name):
    account.refresh_from_db()
    t, c = time.perf_counter(), time.process_time()
    r = services.dav_account_sync(account=account)
    out[name] = [time.perf_counter() - t, r.requests, r.writes, r.counts, time.process_time() - c]
timed("first")
floor = DavClient(url, "agent", "secret"); account.refresh_from_db()
t = time.perf_counter(); floor.sync_collection(account.sync_token); out["floor"] = [time.perf_counter() - t, floor.requests_made]
timed("second"); timed("third")
phone = requests.Session(); phone.auth = ("agent", "secret")
for i in range(1, min(size, 100), 2):  # 50 of the new people get a phone number on the phone
    card = open(f"{{cards_dir}}/bench-{{i}}.vcf").read().replace("END:VCARD", "TEL;TYPE=CELL:+49 170 555{{:04d}}\r\nEND:VCARD".format(i))
    assert phone.put(f"{{url}}bench-{{i}}.vcf", data=card.encode(), headers={{"Content-Type": "text/vcard"}}).status_code in (201, 204)
for c in contacts[0:min(size, 100):2]:  # 50 matched contacts change their first name in Maklerwerk
    contact_update(contact=c, acting_user=user, data={{"first_name": c.first_name + "-Maria"}})
timed("incremental"); timed("after")
out["contacts"] = Contact.objects.filter(office=user.office).count()
print("RESULT" + json.dumps(out))
"""


def _radicale(folder: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    (folder / "users").write_text("agent:secret\n")
    proc = subprocess.Popen(
        [sys.executable, "-m", "radicale", "--config", "", "--server-hosts", f"127.0.0.1:{port}",
         "--storage-filesystem-folder", str(folder / "col"), "--auth-type", "htpasswd",
         "--auth-htpasswd-filename", str(folder / "users"), "--auth-htpasswd-encryption", "plain",
         "--auth-delay", "0", "--logging-level", "warning"]
    )  # fmt: skip
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
            break
        except Exception as exc:  # 401 or not up yet: both mean "try again" or "up"
            if "401" in str(exc):
                break
            time.sleep(0.1)
    return proc, port


def run(args: argparse.Namespace) -> str:
    size = int(os.environ.get("DAVSYNC_BENCH_SIZE", "5000"))
    folder = Path(tempfile.mkdtemp(prefix="mw-bench-dav-"))
    proc, port = _radicale(folder)
    try:
        book = folder / "col" / "collection-root" / "agent" / "bench"
        book.mkdir(parents=True)
        (book / ".Radicale.props").write_text(json.dumps({"tag": "VADDRESSBOOK"}))
        url = f"http://127.0.0.1:{port}/agent/bench/"
        with install("sqlite") as inst:
            inst.manage("seed_demo", f"--contacts={size}", "--properties=1", "-v0")
            load = os.getloadavg()[0]
            output = inst.django_shell(INNER.format(size=size, url=url, cards_dir=book))
            load_after = os.getloadavg()[0]
    finally:
        proc.kill()
        proc.wait()
        shutil.rmtree(folder, ignore_errors=True)
    result = json.loads(output.split("RESULT", 1)[1])
    floor_time, floor_requests = result["floor"]
    rows = [
        [
            "first sync",
            f"{result['first'][0]:.1f} s",
            f"{result['first'][4]:.1f} s",
            result["first"][1],
            result["first"][2],
            json.dumps(result["first"][3]),
        ],
        ["floor: one sync-collection", f"{floor_time * 1000:.0f} ms", "", floor_requests, 0, ""],
    ]
    labels = {
        "second": "re-sync (second)",
        "third": "re-sync (third)",
        "incremental": "incremental: 50 cards changed on the phone, 50 contacts here",
        "after": "re-sync after the incremental one",
    }
    for n, label in labels.items():
        t, req, writes, counts, cpu = result[n]
        rows.append(
            [
                label,
                f"{t * 1000:.0f} ms = {t / floor_time:.1f}× floor",
                f"{cpu * 1000:.0f} ms",
                f"{req} = {req / floor_requests:.0f}× floor",
                writes,
                json.dumps(counts),
            ]
        )
    return (
        f"{size:,} cards on Radicale 3.9 (filesystem storage, local), {size:,} contacts (`seed_demo`), "
        f"half of the cards match a contact by name and e-mail. Contacts after the first sync: "
        f"{result['contacts']:,} (expected {size + size // 2:,}). One run, "
        f"{time.strftime('%Y-%m-%d')}; load average {load:.1f} at start and {load_after:.1f} at the end on "
        f"{os.cpu_count()} cores shared by 8 engineers (wall times are pessimistic; CPU is user + sys "
        "of the Maklerwerk process, Radicale's own CPU not included; the ratios are what counts).\n\n"
        + md_table(["run", "wall", "CPU", "requests", "writes", "counts"], rows)
        + "\n\nCommand: `python -m bench davsync` (size: `DAVSYNC_BENCH_SIZE`, default 5000)."
    )
