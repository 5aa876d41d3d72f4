# ruff: noqa: E501  (the measuring code runs in `maklerwerk shell -c` and is kept as one readable block)
"""Matching both directions at 10k and 100k properties x search profiles, indexed vs. a naive loop.

For each database: seed N properties and N search profiles (`seed_demo --properties N
--search-profiles N`), then, in one Django process, time per call
- "profiles for a property": the indexed selector (places B-tree + R*Tree/GiST pre-filter, exact
  scoring in Python) for a rotating sample of active properties, and the full match list the page
  uses (with contacts and offer states);
- "properties for a profile": the same for a rotating sample of active profiles;
- the naive way: load every profile (or property) of the office and evaluate each in Python.
Then N grows to the large size (new regions of the synthetic map, same density) and everything is
timed again. A second install puts the large size on one map ("dense": ~8x the matches per search);
there gunicorn serves the property page with its match list and wrk compares it with the
foundation floor request of the same run.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import time
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.common import install, md_table, previous_rows, previous_run_date

TITLE = "Matching: search profiles for a property and properties for a profile (indexed vs. naive loop)"

MEASURE = r"""
import datetime, json, os, random, statistics, time
from maklerwerk.accounts.models import User
from maklerwerk.matching.engine import bounding_box, rank
from maklerwerk.properties.geo import normalize_place
from maklerwerk.matching import selectors as matching_selectors, spatial
from maklerwerk.matching.engine import PROFILE_FIELDS, PROPERTY_FIELDS, criteria_from_row, criteria_from_values, evaluate, facts_from_row, facts_from_values
from maklerwerk.matching.models import SearchProfile
from maklerwerk.properties.models import Property
from django.db import connection

user = User.objects.get(username="demo")
office_id = user.office_id
tol = matching_selectors.tolerance_for(office_id)
rng = random.Random(1)
# The samples lie at least 30 km (the largest radius) inside the map, so that no search is cut by the
# map's border: a smaller map has more border for its area, and radius searches near it find less.
from django.db.models import Max, Min, Q
import math
box = Property.objects.filter(office_id=office_id).aggregate(Min("latitude"), Max("latitude"), Min("longitude"), Max("longitude"))
dlat, dlon = 30 / 110.574, 30 / (111.32 * math.cos(math.radians(float(box["latitude__max"]))))
inside = dict(latitude__gte=float(box["latitude__min"]) + dlat, latitude__lte=float(box["latitude__max"]) - dlat,
              longitude__gte=float(box["longitude__min"]) + dlon, longitude__lte=float(box["longitude__max"]) - dlon)
prop_ids = list(Property.objects.filter(office_id=office_id, status="active", **inside).values_list("pk", flat=True))
prof_ids = list(SearchProfile.objects.filter(Q(**inside) | ~Q(location_mode="radius"), office_id=office_id, active=True, valid_until__isnull=True).values_list("pk", flat=True))
props = [matching_selectors.property_facts(p) for p in Property.objects.filter(pk__in=rng.sample(prop_ids, 100))]
profs = [matching_selectors.profile_criteria(p) for p in SearchProfile.objects.filter(pk__in=rng.sample(prof_ids, 100))]

def timed(fn, items, repeat, warm=10):
    # In rounds of 100 calls (the load average read before and after each): a sub-millisecond p95 on a
    # shared machine is mostly the machine, so the rounds' spread goes beside it.
    samples, cpus, sizes, rounds, loads = [], [], [], [], []
    for i in range(warm):
        fn(items[i % len(items)])
    for start in range(0, repeat, 100):
        before, these = os.getloadavg()[0], []
        for i in range(start, min(repeat, start + 100)):
            t0, c0 = time.perf_counter(), time.process_time()
            out = fn(items[i % len(items)])
            these.append((time.perf_counter() - t0) * 1000)
            cpus.append((time.process_time() - c0) * 1000)
            sizes.append(len(out))
        samples += these
        these.sort()
        rounds.append(these[max(0, int(len(these) * 0.95) - 1)])
        loads.append((before, os.getloadavg()[0]))
    samples.sort()
    return {"median_ms": statistics.median(samples), "p95_ms": samples[max(0, int(len(samples) * 0.95) - 1)],
            "min_ms": samples[0], "cpu_ms": statistics.median(cpus), "cpu_mean_ms": statistics.mean(cpus),
            "results": statistics.mean(sizes), "round_p95": [min(rounds), max(rounds)], "loads": loads}

def naive_profiles(prop):
    return [r for r in (evaluate(criteria_from_row(row), prop, tol)
            for row in SearchProfile.objects.filter(office_id=office_id, active=True).values(*PROFILE_FIELDS)) if r]

def naive_properties(prof):
    return [r for r in (evaluate(prof, facts_from_row(row), tol)
            for row in Property.objects.filter(office_id=office_id, status="active").values(*PROPERTY_FIELDS)) if r]

# The honest baseline: the same filter (office, active/status, marketing type, validity, price, and the
# location: postal codes, places, radius box) as ONE plain SQL query on the table's own columns, without
# the area table, the R*Tree/GiST or the location B-trees (columns wrapped so no index serves them), and
# the same scoring in Python.
pg = connection.vendor == "postgresql"
def _has(column, value):
    if pg:
        return f"p.{column} @> %s::jsonb", [json.dumps([value])]
    return f"EXISTS (SELECT 1 FROM json_each(p.{column}) WHERE value = %s)", [value]
def sqlfilter_profiles(prop):
    where = ["p.office_id = %s", "p.active = %s", "p.marketing_type = %s", "(p.valid_until IS NULL OR p.valid_until >= %s)"]
    params = [office_id, True, prop.marketing_type, connection.ops.adapt_datefield_value(datetime.date.today())]
    if prop.price is not None:
        where.append("(p.price_must = %s OR p.price_max IS NULL OR p.price_max >= %s)")
        params += [False, matching_selectors._widened(prop.price, tol.price, True)]
    places = ["p.location_mode = 'any'"]
    if prop.latitude is not None:
        places.append("(p.location_mode = 'radius' AND p.min_lat <= %s AND p.max_lat >= %s AND p.min_lon <= %s AND p.max_lon >= %s)")
        params += [prop.latitude, prop.latitude, prop.longitude, prop.longitude]
    for column, value in (("postal_codes", prop.postal_code), ("cities", prop.city), ("cities", prop.district)):
        if value:
            cond, vals = _has(column, value)
            places.append(f"(p.location_mode = 'areas' AND {cond})")
            params += vals
    sql = f"SELECT {matching_selectors.PROFILE_COLUMNS} FROM properties_searchprofile p WHERE " + " AND ".join(where) + " AND (" + " OR ".join(places) + ")"
    return rank(evaluate(criteria_from_values(r), prop, tol) for r in matching_selectors._rows(sql, params, PROFILE_FIELDS))
def sqlfilter_properties(prof):
    where = ["p.office_id = %s", "p.status = %s", "p.marketing_type = %s"]
    params = [office_id, "active", prof.marketing_type]
    if "price" in prof.must and prof.price_max is not None:
        where.append("(p.match_price + 0 IS NULL OR p.match_price + 0 <= %s)")
        params.append(prof.price_max * (1 + tol.price) + 0.01)  # a float: "x + 0" has no column affinity on SQLite
    places = []
    if prof.radius_km is not None and prof.latitude is not None:
        box = bounding_box(prof.latitude, prof.longitude, prof.radius_km)
        places.append("(p.latitude + 0 >= %s AND p.latitude + 0 <= %s AND p.longitude + 0 >= %s AND p.longitude + 0 <= %s)")
        params += [float(v) for v in box]
    else:
        if prof.postal_codes:
            places.append(f"p.postal_code || '' IN ({', '.join(['%s'] * len(prof.postal_codes))})")
            params += list(prof.postal_codes)
        keys = [normalize_place(c) for c in prof.cities]
        for column in ("city_key", "district_key"):
            if keys:
                places.append(f"p.{column} || '' IN ({', '.join(['%s'] * len(keys))})")
                params += keys
    if places:
        where.append("(" + " OR ".join(places) + ")")
    sql = f"SELECT {matching_selectors.PROPERTY_COLUMNS} FROM properties_property p WHERE " + " AND ".join(where)
    return rank(evaluate(prof, facts_from_values(r), tol) for r in matching_selectors._rows(sql, params, PROPERTY_FIELDS))

out = {
    "backend": spatial.spatial_backend(),
    "properties": Property.objects.filter(office_id=office_id).count(),
    "profiles": SearchProfile.objects.filter(office_id=office_id).count(),
    "p2s": timed(lambda p: matching_selectors.profiles_for_property_facts(office_id=office_id, prop=p, tolerance=tol), props, REPEAT),
    "s2p": timed(lambda s: matching_selectors.properties_for_profile_criteria(office_id=office_id, profile=s, tolerance=tol, user=user), profs, REPEAT),
    "p2s_page": timed(lambda p: matching_selectors.matches_for_property(user=user, property_id=p.id), props, REPEAT),
    "s2p_page": timed(lambda s: matching_selectors.matches_for_profile(user=user, profile_id=s.id), profs, REPEAT),
}
out["load_before"] = os.getloadavg()[0]
out["p2s_sql"] = timed(sqlfilter_profiles, props, SQLREPEAT, warm=2)
out["s2p_sql"] = timed(sqlfilter_properties, profs, SQLREPEAT, warm=2)
# Same answers as the indexed selectors (ids), else the baseline would not be a baseline.
out["sql_same_p2s"] = [
    sorted(r.search_profile_id for r in sqlfilter_profiles(p)) == sorted(r.search_profile_id for r in matching_selectors.profiles_for_property_facts(office_id=office_id, prop=p, tolerance=tol))
    for p in props[:20]
].count(True)
out["sql_same_s2p"] = [
    sorted(r.property_id for r in sqlfilter_properties(s)) == sorted(r.property_id for r in matching_selectors.properties_for_profile_criteria(office_id=office_id, profile=s, tolerance=tol))
    for s in profs[:20]
].count(True)
out["load_after"] = os.getloadavg()[0]
if NAIVE:
    out["p2s_naive"] = timed(naive_profiles, props, NAIVE, warm=1)
    out["s2p_naive"] = timed(naive_properties, profs, NAIVE, warm=1)
# The page bench wants a property with PAGE_MATCHES matches (the closest of the sample).
busiest = min(props, key=lambda p: abs(len(matching_selectors.profiles_for_property_facts(office_id=office_id, prop=p, tolerance=tol)) - PAGE_MATCHES))
out["page_property_id"] = busiest.id
out["page_matches"] = len(matching_selectors.matches_for_property(user=user, property_id=busiest.id))
print(json.dumps(out))
"""

PAGE = r"""
import json, os, statistics, time
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext
from maklerwerk.accounts.models import User
from maklerwerk.contacts.models import Contact
from maklerwerk.core.history import history_for
from maklerwerk.core.history_display import history_context
from maklerwerk.matching import selectors as matching_selectors
from maklerwerk.properties.models import Property, PropertyContact
from maklerwerk.properties.services import property_contact_set

user = User.objects.get(username="demo")
api = Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
web = Client(HTTP_HOST="localhost")
web.force_login(user)

def p95(xs):
    xs = sorted(xs)
    return xs[max(0, int(len(xs) * 0.95) - 1)]

def timed(fn, rounds=ROUNDS, repeat=REPEAT):
    for _ in range(5):
        fn()
    walls, cpus, round_p95, loads = [], [], [], []
    for _ in range(rounds):
        before, these = os.getloadavg()[0], []
        for _ in range(repeat):
            t0, c0 = time.perf_counter(), time.process_time()
            fn()
            these.append((time.perf_counter() - t0) * 1000)
            cpus.append((time.process_time() - c0) * 1000)
        walls += these
        round_p95.append(p95(these))
        loads.append((before, os.getloadavg()[0]))
    return {"min": min(walls), "median": statistics.median(walls), "p95": p95(walls), "cpu": statistics.median(cpus),
            "round_p95": [min(round_p95), max(round_p95)], "loads": loads}

out = {}
if PAGE_ID:
    url = f"/properties/{PAGE_ID}/"
    assert web.get(url).status_code == 200
    with CaptureQueriesContext(connection) as q:
        web.get(url)
    out["page_queries"] = len(q.captured_queries)
    out["page_matches"] = len(matching_selectors.matches_for_property(user=user, property_id=PAGE_ID))
    out["floor"] = timed(lambda: api.get("/api/v1/activities?limit=50"))
    out["page"] = timed(lambda: web.get(url))
    out["api"] = timed(lambda: api.get(f"/api/v1/properties/{PAGE_ID}/matches"))
if HISTORY:
    # Two properties: one with 5 prospects, one with 5,000, linked through the service (one history
    # row per link). The tab is what the property page shows (its first page of history, with the
    # button for older entries), rendered with its template.
    props = list(Property.objects.filter(office=user.office, status="active").order_by("pk")[:2])
    people = list(Contact.objects.filter(office=user.office).order_by("pk").values_list("pk", flat=True)[:5000])
    assert len(people) == 5000, len(people)
    for prop, n in zip(props, (5, 5000)):
        for pk in people[:n]:
            property_contact_set(prop=prop, contact=Contact(pk=pk, office_id=prop.office_id), acting_user=user, role="prospect", interest_status="new")
    def tab(prop):
        return lambda: render_to_string("core/_history.html", history_context(prop, "properties:history"))
    out["history_rows"] = [history_for(p).count() for p in props]
    out["history_small"] = timed(tab(props[0]))
    out["history_large"] = timed(tab(props[1]))
print(json.dumps(out))
"""


class _Missing(Exception):
    """A replayed run has no more results for this database (it was stopped before)."""


class _Replay:
    """BENCH_MATCHING_REPLAY=log file: the results an earlier run of this command printed, in the
    order it measured them, so a run stopped at the session's end still reports what it measured."""

    def __init__(self, path: str) -> None:
        self.queues: dict[str, list[dict]] = {"SQLite": [], "PostgreSQL": []}
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            label, sep, body = line.partition(" {")
            if sep and label in self.queues:
                self.queues[label].append(json.loads("{" + body))

    @contextlib.contextmanager
    def install(self, database: str) -> Iterator[Any]:
        yield types.SimpleNamespace(label="SQLite" if database == "sqlite" else "PostgreSQL")

    def next(self, inst: Any) -> dict:
        if not self.queues[inst.label]:
            raise _Missing(inst.label)
        return self.queues[inst.label].pop(0)


REPLAY = _Replay(os.environ["BENCH_MATCHING_REPLAY"]) if os.environ.get("BENCH_MATCHING_REPLAY") else None


def _install(database: str) -> Any:
    return REPLAY.install(database) if REPLAY else install(database)


def _measure(inst, repeat: int, naive: int, sql_repeat: int, page_matches: int = 20) -> dict:
    if REPLAY:
        return REPLAY.next(inst)
    code = (
        f"REPEAT = {repeat}\nNAIVE = {naive}\nSQLREPEAT = {sql_repeat}\nPAGE_MATCHES = {page_matches}\n"
        + MEASURE
    )
    data = json.loads(inst.django_shell(code).splitlines()[-1])
    print(inst.label, json.dumps(data), flush=True)  # kept in the log
    return data


def _page(inst, page_id: int | None, history: bool, rounds: int, repeat: int) -> dict:
    if REPLAY:
        return REPLAY.next(inst)
    token = inst.manage("create_api_token", "demo", "--name", "bench", capture=True).strip()
    code = (
        f"TOKEN = {token!r}\nPAGE_ID = {page_id}\nHISTORY = {history}\nROUNDS = {rounds}\nREPEAT = {repeat}\n"
        + PAGE
    )
    data = json.loads(inst.django_shell(code).splitlines()[-1])
    print(inst.label, json.dumps(data), flush=True)  # kept in the log
    return data


def _seed(
    inst, properties: int, profiles: int, region_size: int, contacts: int = 0, map_places: int = 0
) -> float:
    if REPLAY:
        return float("nan")  # not logged
    started = time.monotonic()
    inst.manage(
        "seed_demo",
        "--properties", str(properties),
        "--search-profiles", str(profiles),
        "--region-size", str(region_size),
        "--contacts", str(contacts),
        "--map-places", str(map_places),
        "--activities", "500",
        "-v0",
    )  # fmt: skip
    return time.monotonic() - started


DIRECTIONS = (("p2s", "profiles for a property"), ("s2p", "properties for a profile"))
PARTS = ("sqlite", "postgres", "grows", "dense", "page", "pgpage", "history")


def _table_rows(label: str, n: int, kind: str, data: dict) -> list[list]:
    """One table row per direction; the naive columns stay empty when the naive loop did not run."""
    out = []
    for key, direction in DIRECTIONS:
        fast, page, sql, slow = data[key], data[f"{key}_page"], data[f"{key}_sql"], data.get(f"{key}_naive")
        naive = [slow["median_ms"], slow["median_ms"] / fast["median_ms"]] if slow else ["", ""]
        out.append(
            [label, f"{n:,}", kind, direction, data["backend"], fast["median_ms"], fast["p95_ms"], fast["cpu_ms"],
             page["p95_ms"], fast["results"], sql["median_ms"], sql["p95_ms"],
             f"{sql['median_ms'] / fast['median_ms']:.1f}", f"{data[f'sql_same_{key}']}/20", *naive,
             f"{data['load_before']:.1f}→{data['load_after']:.1f}"]
        )  # fmt: skip
    return out


def _per_match(label: str, data: str, direction: str, small: dict, large: dict) -> list:
    """CPU per call and per match at both sizes, and what each further match costs (the slope)."""

    def each(m: dict) -> str:
        return f"{m['cpu_mean_ms'] / m['results']:.3f}" if m["results"] else "–"

    extra = large["results"] - small["results"]
    slope = f"{(large['cpu_mean_ms'] - small['cpu_mean_ms']) / extra:.3f}" if abs(extra) >= 1 else "–"
    return [label, data, direction, f"{small['results']:.2f} → {large['results']:.2f}",
            f"{small['cpu_mean_ms']:.3f} → {large['cpu_mean_ms']:.3f}", f"{each(small)} → {each(large)}", slope,
            f"{small['round_p95'][0]:.2f}–{small['round_p95'][1]:.2f} / {large['round_p95'][0]:.2f}–{large['round_p95'][1]:.2f}",
            f"{_loads(small)} / {_loads(large)}"]  # fmt: skip


def _unmeasured(measured: set[tuple[str, str]], part: str, data_at: int | None, cells: list[str]) -> bool:
    """A row of an earlier run that this run did not measure again (`data_at`: the column naming the data)."""
    return (cells[0], part) not in measured and (data_at is None or cells[data_at].startswith("dense"))


def _part_of(part: str, cells: list[str]) -> str:
    """The part a kept row belongs to: the request timings hold the page's and the history tab's."""
    return "history" if part == "page" and cells[1].startswith("history tab") else part


def _unmeasured_row(measured: set[tuple[str, str]], part: str, data_at: int | None, cells: list[str]) -> bool:
    return _unmeasured(measured, _part_of(part, cells), data_at, cells)


def _loads(m: dict) -> str:
    loads = [x for pair in m["loads"] for x in pair]
    return f"{min(loads):.1f}–{max(loads):.1f}"


def _timing(label: str, what: str, m: dict) -> list:
    loads = ", ".join(f"{a:.1f}→{b:.1f}" for a, b in m["loads"])
    return [
        label,
        what,
        m["min"],
        m["median"],
        m["p95"],
        f"{m['round_p95'][0]:.2f}–{m['round_p95'][1]:.2f}",
        m["cpu"],
        loads,
    ]


def run(args: argparse.Namespace) -> str:
    sizes = (2_000, 10_000) if args.quick else (10_000, 100_000)
    page_profiles = 100_000 if args.quick else 1_000_000
    repeat, naive, sql_repeat = (200, 3, 20) if args.quick else (500, 5, 50)
    rounds, req_repeat = (3, 10) if args.quick else (5, 20)
    n_small, n_large = sizes
    chosen = args.section or PARTS
    databases = [d for d in ("sqlite", "postgres") if d in chosen or not set(chosen) & {"sqlite", "postgres"}]
    parts = [
        p
        for p in ("grows", "dense", "page")
        if p in chosen or not set(chosen) & {"grows", "dense", "page", "history"}
    ]
    rows, growth, timings, pages, history, per_match = [], [], [], [], [], []
    missing: list[str] = []
    for database in databases:
        try:
            for kind in ("grows", "dense"):
                if kind not in parts:
                    continue
                # grows: a new region of the map per n_small properties and profiles (matches per call flat
                # by construction); dense: one map of Germany, so every search finds more as N grows.
                with _install(database) as inst:
                    results = {}
                    for n in sizes:
                        _seed(inst, n, n, n_small if kind == "grows" else 0)
                        data = results[n] = _measure(inst, repeat, naive, sql_repeat)
                        rows += _table_rows(inst.label, n, kind, data)
                    label = inst.label
                small, large = results[n_small], results[n_large]
                pairs: list[tuple[str, dict, dict]] = [(kind, small, large)]
                if kind == "dense":
                    # The same density at the small size: a tenth of the data on a tenth of the map
                    # (`--map-places`), so a search finds as much as on the whole map at the large size.
                    with _install(database) as inst:
                        _seed(inst, n_small, n_small, 0, map_places=2000 * n_small // n_large)
                        same = _measure(inst, repeat, naive, sql_repeat)
                        rows += _table_rows(inst.label, n_small, "dense, small map", same)
                    pairs = [("dense, same map", small, large), ("dense, same density", same, large)]
                for name, before, after in pairs:
                    for key, direction in DIRECTIONS:
                        growth.append(
                            [label, name, direction, before[key]["p95_ms"], after[key]["p95_ms"],
                             f"**{after[key]['p95_ms'] / before[key]['p95_ms']:.2f}**",
                             after[key]["cpu_ms"] / before[key]["cpu_ms"],
                             f"{before[key]['results']:.2f} → {after[key]['results']:.2f}",
                             after[f"{key}_sql"]["p95_ms"] / before[f"{key}_sql"]["p95_ms"]]
                        )  # fmt: skip
                        per_match.append(_per_match(label, name, direction, before[key], after[key]))
            if "page" in parts and (database == "sqlite" or "pgpage" in chosen):
                # The property page at 1M search profiles: 100k properties and 1M profiles, every 100k
                # profiles a new region, so a property of the first region meets 100k dense profiles and
                # 900k elsewhere in the table; the property whose match count is nearest 20 is shown.
                with _install(database) as inst:
                    seed_s = _seed(inst, n_large, page_profiles, n_large, contacts=5_000)
                    data = _measure(inst, 20, 0, 3)
                    page = _page(inst, data["page_property_id"], False, rounds, req_repeat)
                    timings += [
                        _timing(inst.label, "floor `GET /api/v1/activities?limit=50`", page["floor"]),
                        _timing(
                            inst.label,
                            f"property page `/properties/{{id}}/` ({page['page_matches']} matches)",
                            page["page"],
                        ),
                        _timing(inst.label, "`GET /api/v1/properties/{id}/matches`", page["api"]),
                    ]
                    pages.append(
                        [inst.label, f"{page_profiles:,}", f"{seed_s:.0f}", page["page_matches"], page["page_queries"],
                         f"**{page['page']['p95'] / page['floor']['p95']:.2f}**", page["page"]["cpu"] / page["floor"]["cpu"],
                         page["api"]["p95"] / page["floor"]["p95"]]
                    )  # fmt: skip
            if "history" in chosen:
                # The history tab needs no search profiles: 5,000 contacts, two properties linked to 5
                # and to 5,000 of them through the service.
                with _install(database) as inst:
                    _seed(inst, 50, 10, 0, contacts=5_000)
                    page = _page(inst, None, True, rounds, req_repeat)
                    timings += [
                        _timing(inst.label, f"history tab, {page['history_rows'][0]:,} rows (5 prospects)",
                                page["history_small"]),
                        _timing(inst.label, f"history tab, {page['history_rows'][1]:,} rows (5,000 prospects)",
                                page["history_large"]),
                    ]  # fmt: skip
                    history.append(
                        [inst.label, f"{page['history_rows'][0]:,} / {page['history_rows'][1]:,}",
                         page["history_small"]["p95"], page["history_large"]["p95"],
                         f"**{page['history_large']['p95'] / page['history_small']['p95']:.2f}**",
                         page["history_large"]["cpu"] / page["history_small"]["cpu"]]
                    )  # fmt: skip
        except _Missing:
            missing.append(database)
    out = [
        *(
            [
                f"**Not complete** (the run was stopped at the session's end): {', '.join(missing)} in part or wholly."
            ]
            if missing
            else []
        ),
        "Data: `seed_demo --properties N --search-profiles N` (synthetic places, each with five postal "
        "codes; profiles: 40 % postal codes, 30 % places, 30 % radius 3–30 km). Two ways to grow: "
        f"**grows** (`--region-size {n_small}`): every {n_small:,} properties and profiles fill a new region "
        "of the map, so a search finds about as much at "
        f"{n_large:,} as at {n_small:,} (flat by construction); **dense** (`--region-size 0`): everything "
        "on one map of Germany, so every search finds ~8x as much at the large size (the single-city "
        "office). Per call, in one process, over a rotating sample of 100 active properties/profiles at least "
        "30 km (the largest radius) inside the map (a smaller map has more border for its area, and a radius "
        "search near it finds less): "
        '"indexed" is the selector (SQL pre-filter through the area table and R*Tree/GiST + scoring in '
        f'Python, {repeat} calls); "page list" adds what the page shows; **"SQL filter"** is the honest '
        "baseline: the same filter (office, status, marketing type, validity, price, and the location: "
        "postal code and place membership in the profile's JSON lists, the radius box on plain columns) "
        "as one plain SQL query with no location index (columns wrapped so none serves them), then the "
        f'same scoring ({sql_repeat} calls; "same" = the same ids as the indexed selector for 20 samples); '
        f'"naive" loads every row of the office into Python ({naive} calls). CPU = the '
        "process's CPU per call (on SQLite the database runs inside it). Load = 1-minute load average "
        "before → after the baselines (2 shared cores).",
    ]
    rows_headers = ["Database", "N x N", "Data", "Direction", "Spatial index", "Indexed median ms", "Indexed p95 ms",
                    "Indexed CPU ms", "Page list p95 ms", "Matches per call", "SQL filter median ms", "SQL filter p95 ms",
                    "SQL filter / indexed", "Same", "Naive median ms", "Naive / indexed", "Load"]  # fmt: skip
    growth_headers = ["Database", "Data", "Direction", f"p95 ms at {n_small:,}", f"p95 ms at {n_large:,}", "Growth",
                      "CPU growth", "Matches per call", "SQL filter growth"]  # fmt: skip
    page_headers = ["Database", "Profiles", "Seed s", "Matches on page", "Queries", "Page / floor (p95)",
                    "Page / floor (CPU)", "API matches / floor (p95)"]  # fmt: skip
    history_headers = ["Database", "History rows", "p95 ms (5)", "p95 ms (5,000)", "Growth", "CPU growth"]
    timing_headers = ["Database", "Request", "min ms", "median ms", "p95 ms", "rounds' p95 ms", "CPU ms (median)",
                      "Load per round"]  # fmt: skip
    per_match_headers = ["Database", "Data", "Direction", "Matches per call", "CPU ms per call", "CPU ms per match",
                         "CPU ms per further match", "Rounds' p95 ms (small / large)", "Load (small / large)"]  # fmt: skip
    if not REPLAY and not args.quick:
        # What this run did not measure stays as the section had it (earlier runs), said so here.
        label_of = {"sqlite": "SQLite", "postgres": "PostgreSQL"}
        measured = {(label_of[d], "dense") for d in databases if "dense" in parts}
        measured |= {
            (label_of[d], "page")
            for d in databases
            if "page" in parts and (d == "sqlite" or "pgpage" in chosen)
        }
        measured |= {(label_of[d], "history") for d in databases if "history" in chosen}
        kept: set[str] = set()
        names = {"dense": "dense data", "page": "property page", "history": "history tab"}
        for table, headers, part, data_at in (
            (rows, rows_headers, "dense", 2), (growth, growth_headers, "dense", 1),
            (per_match, per_match_headers, "dense", 1), (pages, page_headers, "page", None),
            (history, history_headers, "history", None), (timings, timing_headers, "page", None),
        ):  # fmt: skip
            found = previous_rows(
                "matching", headers, functools.partial(_unmeasured_row, measured, part, data_at)
            )
            table += found
            kept |= {f"{c[0]} {names[_part_of(part, c)]}" for c in found}
        if kept:
            out.append(
                f"**Kept as they stood in this section (earlier runs, {previous_run_date('matching')}), not measured by "
                f"this run** (`--section {' --section '.join(chosen)}`): {', '.join(sorted(kept))}. Rows kept from "
                "before the per-match change (PostgreSQL's dense rows) measured the code as it was then."
            )
    if rows:
        out += [
            md_table(rows_headers, rows),
            f"Growth of the indexed p95 from {n_small:,} to {n_large:,} (goal: under 2x, on dense data too), "
            "from this run. **dense, same map**: the same map at both sizes, so the large size finds ~10x as "
            "much per call (index growth and ten times the results together); **dense, same density**: the "
            f"small size on a tenth of the map (`--map-places {2000 * n_small // n_large}`), as many matches "
            "per call as the large size (the index's growth alone):",
            md_table(growth_headers, growth),
        ]
    if per_match:
        out += [
            "Per match: CPU per call (mean) and per match, at both sizes; the slope is what "
            "each further match costs (CPU difference ÷ match difference, same-map rows); rounds' p95 = the "
            "spread of the p95 over rounds of 100 calls, and the load average over those rounds:",
            md_table(per_match_headers, per_match),
        ]  # fmt: skip
    if pages or history:
        out += [
            f"Property page with its match list at {page_profiles:,} search profiles ({n_large:,} properties; "
            f"profiles in regions of {n_large:,}, the property's region dense), through Django's test client "
            f"in one process, {rounds} rounds × {req_repeat} requests per URL taking turns with the foundation "
            "floor `GET /api/v1/activities?limit=50` (goal: page ≤ 5x the floor). Queries = the page's "
            "queries (a test checks they do not grow with the matches):",
            md_table(page_headers, pages),
            "History tab (what the property page shows: the newest page of its history, "
            "`core.history_display.HISTORY_PAGE` entries, and the button for older ones, rendered with its "
            "template; part `history`, its own install: 5,000 contacts, 50 properties) of a property with 5 "
            "prospects and one with 5,000, each linked through the service (one history row per link) "
            "(goal: under 2x):",
            md_table(history_headers, history),
            "Every request timing:",
            md_table(timing_headers, timings),
        ]  # fmt: skip
    return "\n\n".join(out)
