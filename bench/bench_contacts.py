"""Contacts at scale: list search sorted by city, phone search, 1,000 vs 100,000 contacts; vCard import.

Seeds N contacts with the contacts seeder (bulk inserts), serves with gunicorn and loads the API
with wrk next to the foundation floor (`/api/v1/activities?limit=50`) of the same install.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
import urllib.parse

from bench.common import gunicorn, install, md_table, wrk

TITLE = "Contacts: list search and phone search at 1,000 vs 100,000 contacts; vCard import throughput"

SEED = """
import random
from django.db import transaction
from maklerwerk.accounts.models import User
from maklerwerk.contacts.seed import seed_contacts
from maklerwerk.contacts.models import ContactPhone
from maklerwerk.core.seeding import SeedContext
agent = User.objects.get(username="demo")
with transaction.atomic():
    seed_contacts(SeedContext(office=agent.office, agent=agent, options={{"contacts": {n}}},
                              rng=random.Random(7), log=lambda m: None))
print(ContactPhone.objects.filter(kind="business").order_by("pk").values_list("value", flat=True)[{n} // 2])
"""

VCARDS = """
import random, sys
rng = random.Random(11)
first = ["Anna", "Ben", "Clara", "David", "Eva", "Felix", "Greta", "Hans", "Ida", "Jonas", "Käthe", "Lukas"]
last = ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Hoffmann"]
out = []
for i in range(10000):
    f, l = rng.choice(first), rng.choice(last) + f"-{{i}}"
    out.append("BEGIN:VCARD\\r\\nVERSION:3.0\\r\\n"
               f"N:{{l}};{{f}};;;\\r\\nFN:{{f}} {{l}}\\r\\n"
               f"EMAIL;TYPE=INTERNET:{{f.lower()}}.{{i}}@import.example\\r\\n"
               f"TEL;TYPE=CELL:0171 {{1000000 + i}}\\r\\n"
               f"ADR;TYPE=HOME:;;Hauptstraße {{i % 200 + 1}};Köln;;50667;Deutschland\\r\\nEND:VCARD\\r\\n")
open(sys.argv[1], "w", encoding="utf-8").write("".join(out))
"""


def _warm(url: str, headers: dict[str, str]) -> None:
    """Wait until the workers answer (gunicorn binds before Django is loaded), then warm caches."""
    import urllib.request

    end = time.monotonic() + 120
    ok = 0
    while ok < 5:
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as r:
                ok += r.status == 200
        except OSError:
            if time.monotonic() > end:
                raise
            time.sleep(0.5)


def _national(e164: str) -> str:
    import phonenumbers

    return phonenumbers.format_number(phonenumbers.parse(e164), phonenumbers.PhoneNumberFormat.NATIONAL)


def run(args: argparse.Namespace) -> str:
    seconds = 3 if args.quick else 6
    sizes = (1000, 10000) if args.quick else (1000, 100000)
    surname_prefix = "Mül"
    rows, import_rows = [], []
    for database in ("sqlite", "postgres"):
        results = {}
        for n in sizes:
            with install(database) as inst:
                inst.manage("seed_demo", "--contacts", "0", "--activities", "500", "-v0")
                started = time.monotonic()
                phone = inst.django_shell(SEED.format(n=n)).splitlines()[-1]
                seed_s = time.monotonic() - started
                token = inst.manage("create_api_token", "demo", "--name", "bench", capture=True).strip()
                headers = {"Authorization": f"Bearer {token}"}
                search = urllib.parse.urlencode({"search": surname_prefix, "ordering": "city", "limit": 50})
                phone_q = urllib.parse.urlencode({"search": _national(phone), "limit": 50})
                with gunicorn(inst, workers=2) as base:
                    for path in (
                        "/api/v1/activities?limit=50",
                        f"/api/v1/contacts?{search}",
                        f"/api/v1/contacts?{phone_q}",
                    ):
                        _warm(base + path, headers)
                    floor = wrk(f"{base}/api/v1/activities?limit=50", headers=headers, seconds=seconds)
                    listing = wrk(f"{base}/api/v1/contacts?{search}", headers=headers, seconds=seconds)
                    by_phone = wrk(f"{base}/api/v1/contacts?{phone_q}", headers=headers, seconds=seconds)
                results[n] = (floor, listing, by_phone, seed_s)
                if n == sizes[0] and database == "sqlite":  # the default install; one run is enough
                    vcf = inst.data_dir / "import.vcf"
                    subprocess.run([sys.executable, "-c", VCARDS, str(vcf)], check=True)
                    started = time.monotonic()
                    inst.manage("import_vcard", str(vcf), "--user", "demo", "-v0")
                    took = time.monotonic() - started
                    import_rows.append([inst.label, 10000, took, 10000 / took])
        small, big = results[sizes[0]], results[sizes[1]]
        for n, (floor, listing, by_phone, seed_s) in results.items():
            rows.append(
                [inst.label, f"{n:,}", seed_s, floor, listing, floor / listing, by_phone, floor / by_phone]
            )
        rows.append(
            [inst.label, f"ratio {sizes[1] // 1000}k/{sizes[0] // 1000}k (time)", "", "", "",
             f"**{small[1] / big[1]:.2f}**", "", f"**{small[2] / big[2]:.2f}**"]
        )  # fmt: skip
    table = md_table(
        [
            "Database",
            "Contacts",
            "Seed s",
            "Floor req/s",
            f"List `search={surname_prefix}&ordering=city` req/s",
            "List time / floor",
            "Phone search req/s",
            "Phone time / floor",
        ],
        rows,
    )
    imports = md_table(["Database", "vCards", "Seconds", "vCards/s"], import_rows)
    return (
        "Data: the demo office with N seeded contacts (Faker de_DE pools, 1–2 phones, 1 e-mail, roles, "
        "tags) and 500 activities. Requests: "
        f"`GET /api/v1/contacts?search={surname_prefix}&ordering=city&limit=50` "
        "(surname prefix, sorted by city, first page, with count) and `?search=<a seeded phone number in "
        "national format>`; the floor is `GET /api/v1/activities?limit=50` in the same install.\n"
        f"Load: gunicorn 2 workers, wrk 2 threads, 8 connections, {seconds} s per URL.\n"
        '"time / floor" = floor req/s ÷ endpoint req/s; the bold ratio is the 1k rate ÷ the 100k rate '
        "(goal < 3: no full scans).\n\n"
        f"{table}\n\n"
        "vCard import: `maklerwerk import_vcard` of a generated 10,000-entry vCard 3.0 file (name, e-mail, "
        "mobile, address) into the 1,000-contact SQLite install; every entry passes the duplicate check and "
        "gets "
        "its own transaction and history row.\n\n"
        f"{imports}"
    )
