# ruff: noqa: E501  (the measuring code runs in `maklerwerk shell -c` and is kept as one readable block)
"""Contacts at office scale: list pages at 10,000 vs 1,000,000 contacts, first and last page.

For each database: seed N contacts with the contacts seeder (plain INSERT ... executemany in batches
of 5,000), `ANALYZE`, then in one Django process time whole requests through Django's test client
(middleware, auth, the query, the JSON or the HTML): the foundation floor, the plain list, a
common prefix search in the default order and sorted by city, the last page of each by cursor, the
HTML list page with the search, and a phone search. The URLs take turns in rounds; the machine's
load average is read before and after each round. Per URL: wall min / median / p95 over all
rounds, the spread of the rounds' p95, the process's CPU per request, the database's time per
request (every query timed by an execute wrapper) and on PostgreSQL the `EXPLAIN ANALYZE` execution
time of the request's slowest query. Ratios (1M / 10k, last page / first) come from this one run.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

from bench.common import install, md_table, previous_rows, previous_run_date

PARTS = ("sqlite", "postgres")
LABEL = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
TITLE = "Contacts: list pages at 10,000 vs 1,000,000 contacts (plain, prefix search, last page by cursor)"

SEED = """
import random, time
from django.db import connection, transaction
from maklerwerk.accounts.models import User
from maklerwerk.contacts.seed import seed_contacts
from maklerwerk.core.seeding import SeedContext
agent = User.objects.get(username="demo")
t0, c0 = time.monotonic(), time.process_time()
with transaction.atomic():
    seed_contacts(SeedContext(office=agent.office, agent=agent, options={{"contacts": {n}}},
                              rng=random.Random(7), log=lambda m: None))
seeded, cpu = time.monotonic() - t0, time.process_time() - c0
t1 = time.monotonic()
with connection.cursor() as cur:
    cur.execute("ANALYZE")
print(f"{{seeded}} {{cpu}} {{time.monotonic() - t1}}")
"""

MEASURE = r"""
import json, os, statistics, time, urllib.parse
from django.db import connection
from django.test import Client
from maklerwerk.accounts.models import User
from maklerwerk.contacts import selectors
from maklerwerk.contacts.models import ContactPhone
from maklerwerk.core.keyset import Cursor, cursor_encode
import phonenumbers

user = User.objects.get(username="demo")
token = TOKEN
api = Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {token}")
web = Client(HTTP_HOST="localhost")
web.force_login(user)
PREFIX = "Mül"
WIDE = "Sch"

def last_cursor(search, ordering, limit=50):
    # The cursor a client holds after following next_cursor to the end, built directly.
    qs = selectors.contact_list(user=user, search=search, ordering=ordering)
    total = qs.count()
    if total <= limit:
        return total, None  # one page: the last page is the first
    before = qs.reverse()[limit : limit + 1].get()
    field = selectors.ORDERINGS[(ordering or "name").lstrip("-")]
    return total, cursor_encode(Cursor(getattr(before, field), before.pk, total - limit))

phone = ContactPhone.objects.filter(office=user.office, kind="business").order_by("pk")[ContactPhone.objects.filter(office=user.office, kind="business").count() // 2]
national = phonenumbers.format_number(phonenumbers.parse(phone.value), phonenumbers.PhoneNumberFormat.NATIONAL)
total_all, deep_all = last_cursor(None, "name")
total_city, deep_city = last_cursor(PREFIX, "city")
total_sch, deep_sch = last_cursor(WIDE, "city")
q = urllib.parse.urlencode
URLS = {
    "floor": (api, "/api/v1/activities?limit=50"),
    "list": (api, "/api/v1/contacts?limit=50"),
    "list_last": (api, "/api/v1/contacts?" + q({"limit": 50, **({"cursor": deep_all} if deep_all else {})})),
    "search": (api, "/api/v1/contacts?" + q({"search": PREFIX, "limit": 50})),
    "search_city": (api, "/api/v1/contacts?" + q({"search": PREFIX, "ordering": "city", "limit": 50})),
    "search_city_last": (api, "/api/v1/contacts?" + q({"search": PREFIX, "ordering": "city", "limit": 50, **({"cursor": deep_city} if deep_city else {})})),
    "wide_city": (api, "/api/v1/contacts?" + q({"search": WIDE, "ordering": "city", "limit": 50})),
    "wide_city_last": (api, "/api/v1/contacts?" + q({"search": WIDE, "ordering": "city", "limit": 50, **({"cursor": deep_sch} if deep_sch else {})})),
    "html_search_city": (web, "/contacts/?" + q({"q": PREFIX, "sort": "city"})),
    "phone": (api, "/api/v1/contacts?" + q({"search": national, "limit": 50})),
}
checks = {}
for name, (client, url) in URLS.items():
    r = client.get(url)
    assert r.status_code == 200, (name, r.status_code, r.content[:300])
    if client is api:
        body = r.json()
        checks[name] = {"items": len(body["items"]), "count": body["count"], "exact": body["count_exact"],
                        "next": body.get("next_cursor") is not None}

db = {"ms": 0.0, "slowest": (0.0, None, None)}
def wrapper(execute, sql, params, many, context):
    t0 = time.perf_counter()
    try:
        return execute(sql, params, many, context)
    finally:
        took = (time.perf_counter() - t0) * 1000
        db["ms"] += took
        if took > db["slowest"][0] and sql.lstrip().upper().startswith("SELECT"):
            db["slowest"] = (took, sql, params)

samples = {name: {"wall": [], "cpu": [], "db": [], "round_p95": []} for name in URLS}
slowest = {}
loads = []
with connection.execute_wrapper(wrapper):
    for name, (client, url) in URLS.items():
        for _ in range(5):
            client.get(url)
    for rnd in range(ROUNDS):
        before = os.getloadavg()[0]
        for name, (client, url) in URLS.items():
            walls = []
            for _ in range(REPEAT):
                db["ms"], db["slowest"] = 0.0, (0.0, None, None)
                t0, c0 = time.perf_counter(), time.process_time()
                client.get(url)
                wall = (time.perf_counter() - t0) * 1000
                samples[name]["wall"].append(wall)
                samples[name]["cpu"].append((time.process_time() - c0) * 1000)
                samples[name]["db"].append(db["ms"])
                walls.append(wall)
                slowest[name] = db["slowest"]
            walls.sort()
            samples[name]["round_p95"].append(walls[max(0, int(len(walls) * 0.95) - 1)])
        loads.append((before, os.getloadavg()[0]))

explain = {}
if connection.vendor == "postgresql":
    for name, (took, sql, params) in slowest.items():
        if sql is None:
            continue
        times = []
        with connection.cursor() as cur:
            for _ in range(5):
                cur.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
                plan = cur.fetchone()[0]
                plan = json.loads(plan) if isinstance(plan, str) else plan
                times.append(plan[0]["Execution Time"])
        explain[name] = statistics.median(times)

def p95(xs):
    xs = sorted(xs)
    return xs[max(0, int(len(xs) * 0.95) - 1)]

out = {"loads": loads, "checks": checks, "total_all": total_all, "total_city": total_city, "total_sch": total_sch, "urls": {}}
for name, s in samples.items():
    out["urls"][name] = {
        "url": URLS[name][1].split("&cursor=")[0].split("?cursor=")[0],
        "min": min(s["wall"]), "median": statistics.median(s["wall"]), "p95": p95(s["wall"]),
        "round_p95_min": min(s["round_p95"]), "round_p95_max": max(s["round_p95"]),
        "cpu": statistics.median(s["cpu"]), "db": statistics.median(s["db"]),
        "explain": explain.get(name),
    }
print(json.dumps(out))
"""

LABELS = {
    "floor": "floor `GET /api/v1/activities?limit=50`",
    "list": "plain list, first page",
    "list_last": "plain list, last page (cursor)",
    "search": "`search=Mül`, first page",
    "search_city": "`search=Mül&ordering=city`, first page",
    "search_city_last": "`search=Mül&ordering=city`, last page (cursor)",
    "wide_city": "`search=Sch&ordering=city`, first page",
    "wide_city_last": "`search=Sch&ordering=city`, last page (cursor)",
    "html_search_city": "HTML `/contacts/?q=Mül&sort=city`",
    "phone": "phone search (national format)",
}


def _measure(inst, rounds: int, repeat: int) -> dict:
    token = inst.manage("create_api_token", "demo", "--name", "bench", capture=True).strip()
    code = MEASURE.replace("TOKEN", repr(token)).replace("ROUNDS", str(rounds)).replace("REPEAT", str(repeat))
    return json.loads(inst.django_shell(code).splitlines()[-1])


def _replayed() -> dict[tuple[str, int], tuple[float, float, float, dict]] | None:
    path = os.environ.get("BENCH_CONTACTS_REPLAY")
    if not path:
        return None
    found = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        head, sep, body = line.partition(" {")
        parts = head.split()
        if sep and len(parts) == 5 and parts[0] in ("SQLite", "PostgreSQL"):
            found[(parts[0], int(parts[1]))] = (
                float(parts[2]),
                float(parts[3]),
                float(parts[4]),
                json.loads("{" + body),
            )
    return found


def run(args: argparse.Namespace) -> str:
    sizes = (5_000, 20_000) if args.quick else (10_000, 1_000_000)
    rounds, repeat = (3, 10) if args.quick else (5, 20)
    databases = [p for p in PARTS if p in (args.section or PARTS)]
    detail, growth, deep, seeds = [], [], [], []
    replay = _replayed()
    missing: list[str] = []
    for database in databases:
        results = {}
        for n in sizes:
            if replay is not None:
                # Results printed by an earlier run of this command (BENCH_CONTACTS_REPLAY=log file):
                # a run that was stopped before its last database still reports what it measured.
                label = "SQLite" if database == "sqlite" else "PostgreSQL"
                if (label, n) not in replay:
                    missing.append(f"{label} at {n:,}")
                    continue
                seeded, cpu, analyze, data = replay[(label, n)]
                results[n] = data
            else:
                with install(database) as inst:
                    inst.manage("seed_demo", "--contacts", "0", "--activities", "500", "-v0")
                    label = inst.label
                    started = time.monotonic()
                    seeded, cpu, analyze = (
                        float(x) for x in inst.django_shell(SEED.format(n=n)).split()[-3:]
                    )
                    data = results[n] = _measure(inst, rounds, repeat)
                    data["seed_wall"] = time.monotonic() - started
                    print(label, n, seeded, cpu, analyze, json.dumps(data), flush=True)  # kept in the log
            seeds.append([label, f"{n:,}", seeded, cpu, analyze, n / seeded])
            loads = ", ".join(f"{a:.1f}→{b:.1f}" for a, b in data["loads"])
            for name, m in data["urls"].items():
                detail.append(
                    [label, f"{n:,}", LABELS[name], m["min"], m["median"], m["p95"],
                     f"{m['round_p95_min']:.2f}–{m['round_p95_max']:.2f}", m["cpu"], m["db"],
                     "" if m["explain"] is None else f"{m['explain']:.2f}"]
                )  # fmt: skip
            detail.append(
                [
                    label,
                    f"{n:,}",
                    f"load average per round (1 min, before→after): {loads}",
                    *[""] * 7,
                ]
            )
            u = data["urls"]
            deep.append(
                [label, f"{n:,}", u["list_last"]["p95"] / u["list"]["p95"],
                 u["search_city_last"]["p95"] / u["search_city"]["p95"],
                 u["wide_city_last"]["p95"] / u["wide_city"]["p95"],
                 u["list_last"]["cpu"] / u["list"]["cpu"], u["search_city_last"]["cpu"] / u["search_city"]["cpu"],
                 u["wide_city_last"]["cpu"] / u["wide_city"]["cpu"],
                 f"{data['total_all']:,} / {data['total_city']:,} / {data['total_sch']:,}"]
            )  # fmt: skip
        if len(results) < len(sizes):
            continue  # one size only (a stopped run): no growth to report
        small, large = results[sizes[0]]["urls"], results[sizes[1]]["urls"]
        for name in LABELS:
            growth.append(
                [label, LABELS[name], small[name]["p95"], large[name]["p95"],
                 f"**{large[name]['p95'] / small[name]['p95']:.2f}**",
                 large[name]["cpu"] / small[name]["cpu"], large[name]["db"] / max(small[name]["db"], 1e-3),
                 "" if small[name]["explain"] is None else f"{large[name]['explain'] / small[name]['explain']:.2f}"]
            )  # fmt: skip
    n_small, n_large = (f"{n:,}" for n in sizes)
    seed_headers = [
        "Database",
        "Contacts",
        "Seed s (wall)",
        "Seed s (CPU, Python)",
        "ANALYZE s",
        "Contacts/s",
    ]
    growth_headers = ["Database", "Request", f"p95 ms at {n_small}", f"p95 ms at {n_large}", "p95 growth",
                      "CPU growth (median)", "DB growth (median)", "EXPLAIN growth"]  # fmt: skip
    deep_headers = ["Database", "Contacts", "Plain list last/first", "`search=Mül&ordering=city` last/first",
                    "`search=Sch&ordering=city` last/first", "CPU: plain", "CPU: Mül", "CPU: Sch",
                    "Rows in list / Mül / Sch"]  # fmt: skip
    detail_headers = ["Database", "Contacts", "Request", "min ms", "median ms", "p95 ms", "rounds' p95 ms",
                      "CPU ms (median)", "DB ms (median)", "EXPLAIN ms (PostgreSQL)"]  # fmt: skip
    kept = ""
    others = [LABEL[p] for p in PARTS if p not in databases]
    if replay is None and others and not args.quick:
        # A run of one database keeps the other's rows of the last run, said so above the tables.
        date = previous_run_date("contacts")
        for table, headers in ((seeds, seed_headers), (growth, growth_headers), (deep, deep_headers),
                               (detail, detail_headers)):  # fmt: skip
            table += previous_rows("contacts", headers, lambda cells: cells[0] in others)
        kept = (
            f"**{', '.join(others)}: the rows of the previous run ({date}), not measured again by this one** "
            f"(it ran `--section {' --section '.join(databases)}`): they show the code as it was at that run."
        )
    stopped = ""
    if replay is not None:
        stopped = 'Rendered from the results the run of this command logged (`BENCH_CONTACTS_REPLAY`); its "took" is the rendering.'
        if missing:
            stopped += f" **Not measured** (the run was stopped at the session's end): {', '.join(missing)}."
    return "\n\n".join(
        [
            *([stopped] if stopped else []),
            *([kept] if kept else []),
            f"Data: the demo office with N seeded contacts (Faker de_DE pools, 1–2 phones, 1 e-mail, roles, "
            "tags) and 500 activities, `ANALYZE` after seeding on both databases. `Mül` is the issue's surname "
            "prefix (under 1 % of this office), `Sch` a very common one (about 10 %: Schmidt, Schneider, Schulz… "
            "and towns); their match counts are in the last-page table. Up to `SORT_AT_MOST` = 5,000 matches "
            "the page sorts them; above it the page merges parts in the list's order (`contacts/selectors.py`, "
            "`core/keyset.py`): the word's range on the order's own key (an index range: `Mül` in the default "
            "order), the other fields' matches when they are few (looked up by id and sorted), else one walk of the "
            "order's index keeping what they match (`Mül` by city). The count reads the prefix indexes and stops "
            "past the cap; under the cap it is exact (8,448 matches are counted at a million). Every request goes through Django's test client "
            "in one process (middleware, token or session auth, queries, JSON/HTML), `limit=50`. "
            f"{rounds} rounds × {repeat} requests per URL, the URLs taking turns. The last page is opened "
            "with the cursor a client holds after following `next_cursor` to the end. The machine has 2 "
            "cores shared with other work (load average in the table): compare within a row group, and "
            "trust the CPU and database columns more than wall time.",
            "Seeding (`contacts.seed.seed_contacts`: plain `INSERT … executemany` in batches of 5,000, one "
            "transaction) and `ANALYZE`:",
            md_table(seed_headers, seeds),
            f"Growth {n_small} → {n_large} (goal: p95 under 2x), from this run. CPU = the Python process per "
            "request (on SQLite the database runs inside it), DB = the requests' queries timed in the "
            "process, EXPLAIN = PostgreSQL's execution time of the request's slowest query:",
            md_table(growth_headers, growth),
            "Last page by cursor ÷ first page, p95 (goal: under 2x):",
            md_table(deep_headers, deep),
            "Every measurement:",
            md_table(detail_headers, detail),
        ]
    )
