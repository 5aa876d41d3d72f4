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
import json

from bench.common import gunicorn, install, md_table, wrk

TITLE = "Matching: search profiles for a property and properties for a profile (indexed vs. naive loop)"

MEASURE = r"""
import json, random, statistics, time
from maklerwerk.accounts.models import User
from maklerwerk.matching import selectors as matching_selectors, spatial
from maklerwerk.matching.engine import PROFILE_FIELDS, PROPERTY_FIELDS, criteria_from_row, evaluate, facts_from_row
from maklerwerk.matching.models import SearchProfile
from maklerwerk.properties.models import Property
from django.db import connection

user = User.objects.get(username="demo")
office_id = user.office_id
tol = matching_selectors.tolerance_for(office_id)
rng = random.Random(1)
prop_ids = list(Property.objects.filter(office_id=office_id, status="active").values_list("pk", flat=True))
prof_ids = list(SearchProfile.objects.filter(office_id=office_id, active=True, valid_until__isnull=True).values_list("pk", flat=True))
props = [matching_selectors.property_facts(p) for p in Property.objects.filter(pk__in=rng.sample(prop_ids, 100))]
profs = [matching_selectors.profile_criteria(p) for p in SearchProfile.objects.filter(pk__in=rng.sample(prof_ids, 100))]

def timed(fn, items, repeat):
    samples, sizes = [], []
    for i in range(10):
        fn(items[i % len(items)])
    for i in range(repeat):
        t0 = time.perf_counter()
        out = fn(items[i % len(items)])
        samples.append((time.perf_counter() - t0) * 1000)
        sizes.append(len(out))
    samples.sort()
    return {"median_ms": statistics.median(samples), "p95_ms": samples[max(0, int(len(samples) * 0.95) - 1)],
            "results": statistics.mean(sizes)}

def naive_profiles(prop):
    return [r for r in (evaluate(criteria_from_row(row), prop, tol)
            for row in SearchProfile.objects.filter(office_id=office_id, active=True).values(*PROFILE_FIELDS)) if r]

def naive_properties(prof):
    return [r for r in (evaluate(prof, facts_from_row(row), tol)
            for row in Property.objects.filter(office_id=office_id, status="active").values(*PROPERTY_FIELDS)) if r]

out = {
    "backend": spatial.spatial_backend(),
    "properties": Property.objects.filter(office_id=office_id).count(),
    "profiles": SearchProfile.objects.filter(office_id=office_id).count(),
    "p2s": timed(lambda p: matching_selectors.profiles_for_property_facts(office_id=office_id, prop=p, tolerance=tol), props, REPEAT),
    "s2p": timed(lambda s: matching_selectors.properties_for_profile_criteria(office_id=office_id, profile=s, tolerance=tol, user=user), profs, REPEAT),
    "p2s_page": timed(lambda p: matching_selectors.matches_for_property(user=user, property_id=p.id), props, REPEAT),
    "s2p_page": timed(lambda s: matching_selectors.matches_for_profile(user=user, profile_id=s.id), profs, REPEAT),
}
if NAIVE:
    out["p2s_naive"] = timed(naive_profiles, props, NAIVE)
    out["s2p_naive"] = timed(naive_properties, profs, NAIVE)
busiest = max(props[:30], key=lambda p: len(matching_selectors.profiles_for_property_facts(office_id=office_id, prop=p, tolerance=tol)))
out["page_property_id"] = busiest.id
out["page_matches"] = len(matching_selectors.matches_for_property(user=user, property_id=busiest.id))
print(json.dumps(out))
"""

SESSION = r"""
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from maklerwerk.accounts.models import User
u = User.objects.get(username="demo")
s = SessionStore()
s[SESSION_KEY] = str(u.pk)
s[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
s[HASH_SESSION_KEY] = u.get_session_auth_hash()
s.create()
print(s.session_key)
"""


def _measure(inst, repeat: int, naive: int) -> dict:
    return json.loads(
        inst.django_shell(MEASURE.replace("REPEAT", str(repeat)).replace("NAIVE", str(naive))).splitlines()[
            -1
        ]
    )


def _seed(inst, n: int, region_size: int) -> None:
    inst.manage(
        "seed_demo",
        "--properties",
        str(n),
        "--search-profiles",
        str(n),
        "--region-size",
        str(region_size),
        "--activities",
        "500",
        "-v0",
    )


DIRECTIONS = (("p2s", "profiles for a property"), ("s2p", "properties for a profile"))


def _table_rows(label: str, n: int, kind: str, data: dict) -> list[list]:
    """One table row per direction; the naive columns stay empty when the naive loop did not run."""
    out = []
    for key, direction in DIRECTIONS:
        fast, page, slow = data[key], data[f"{key}_page"], data.get(f"{key}_naive")
        naive = [slow["median_ms"], slow["median_ms"] / fast["median_ms"]] if slow else ["", ""]
        out.append(
            [label, f"{n:,}", kind, direction, data["backend"], fast["median_ms"], fast["p95_ms"],
             page["p95_ms"], fast["results"], *naive]
        )  # fmt: skip
    return out


def run(args: argparse.Namespace) -> str:
    sizes = (2_000, 10_000) if args.quick else (10_000, 100_000)
    repeat, naive = (200, 3) if args.quick else (500, 5)
    seconds = 3 if args.quick else 8
    n_small, n_large = sizes
    rows, growth, pages = [], [], []
    for database in ("sqlite", "postgres"):
        # Growing office: a new region of the map per n_small properties and profiles.
        with install(database) as inst:
            results = {}
            for n in sizes:
                _seed(inst, n, n_small)
                data = results[n] = _measure(inst, repeat, naive)
                rows += _table_rows(inst.label, n, "grows", data)
            small, large = results[n_small], results[n_large]
            for key, label in DIRECTIONS:
                growth.append(
                    [
                        inst.label,
                        label,
                        small[key]["p95_ms"],
                        large[key]["p95_ms"],
                        large[key]["p95_ms"] / small[key]["p95_ms"],
                        f"{small[key]['results']:.2f} → {large[key]['results']:.2f}",
                    ]
                )
        # Dense: all of it on one map of Germany, so every search finds ~8x as much.
        with install(database) as inst:
            _seed(inst, n_large, 0)
            data = _measure(inst, repeat, 0)
            rows += _table_rows(inst.label, n_large, "dense", data)
            session = inst.django_shell(SESSION).splitlines()[-1].strip()
            token = inst.manage("create_api_token", "demo", "--name", "bench", capture=True).strip()
            with gunicorn(inst, workers=2) as base:
                floor = wrk(
                    f"{base}/api/v1/activities?limit=50",
                    headers={"Authorization": f"Bearer {token}"},
                    seconds=seconds,
                )
                page = wrk(
                    f"{base}/properties/{data['page_property_id']}/",
                    headers={"Cookie": f"sessionid={session}"},
                    seconds=seconds,
                )
                api = wrk(
                    f"{base}/api/v1/properties/{data['page_property_id']}/matches",
                    headers={"Authorization": f"Bearer {token}"},
                    seconds=seconds,
                )
            pages.append([inst.label, data["page_matches"], floor, page, floor / page, api, floor / api])
    return "\n\n".join(
        [
            f"Data: `seed_demo --properties N --search-profiles N` (synthetic places, each with five postal "
            "codes; profiles: 40 % postal codes, 30 % places, 30 % radius 3–30 km). Two ways to grow: "
            f"**grows** (`--region-size {n_small}`): N = {n_small:,} and then {n_large:,}, every {n_small:,} "
            "properties and profiles fill a new region of the map (2,000 places like Germany, shifted east), "
            "the way a growing office covers more area at the same density, so a search finds about as much "
            f"at {n_large:,} as at {n_small:,}; **dense**: {n_large:,} on one map of Germany, every search "
            "finds ~8x as much. "
            f"Per call, {repeat} calls over a rotating sample of 100 active properties/profiles, in one process. "
            '"Indexed" is the selector (SQL pre-filter + scoring in Python; the German explanation of each '
            'criterion is built when it is read); "page list" adds what the page shows (records, contacts, '
            'offer states, explanations); "naive" loads every row of the office and evaluates it in Python '
            f"({naive} calls). Speed-up = naive median / indexed median.",
            md_table(
                [
                    "Database",
                    "N x N",
                    "Data",
                    "Direction",
                    "Spatial index",
                    "Indexed median ms",
                    "Indexed p95 ms",
                    "Page list p95 ms",
                    "Matches per call",
                    "Naive median ms",
                    "Speed-up",
                ],
                rows,
            ),
            f"Growth of the indexed p95 from {n_small:,} to {n_large:,} as the office grows (goal: under 2x):",
            md_table(
                [
                    "Database",
                    "Direction",
                    f"p95 ms at {n_small:,}",
                    f"p95 ms at {n_large:,}",
                    "Growth",
                    "Matches per call",
                ],
                growth,
            ),
            f"Property page with its match list (the busiest of 30 sample properties) at {n_large:,} x {n_large:,} "
            f"dense, gunicorn 2 workers, wrk 2 threads / 8 connections / {seconds} s, against the foundation floor "
            "`GET /api/v1/activities?limit=50` of the same run (time ratio = floor req/s / page req/s):",
            md_table(
                [
                    "Database",
                    "Matches on page",
                    "Floor req/s",
                    "Property page req/s",
                    "Page / floor (time)",
                    "GET /properties/{id}/matches req/s",
                    "API / floor (time)",
                ],
                pages,
            ),
        ]
    )
