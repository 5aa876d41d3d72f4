"""Foundation floor: requests per second of /healthz and an authenticated 50-item API list."""

from __future__ import annotations

import argparse

from bench.common import gunicorn, install, md_table, wrk

TITLE = "Foundation floor: /healthz and GET /api/v1/activities?limit=50 (gunicorn, 2 workers, wrk)"


def run(args: argparse.Namespace) -> str:
    seconds = 3 if args.quick else 8
    rows = []
    for database in ("sqlite", "postgres"):
        with install(database) as inst:
            inst.manage("seed_demo", "--activities", "500", "-v0")
            token = inst.manage("create_api_token", "demo", "--name", "bench", capture=True).strip()
            with gunicorn(inst, workers=2) as base:
                health = wrk(f"{base}/healthz", seconds=seconds)
                listing = wrk(
                    f"{base}/api/v1/activities?limit=50",
                    headers={"Authorization": f"Bearer {token}"},
                    seconds=seconds,
                )
        rows.append([inst.label, health, listing, listing / health])
    table = md_table(
        ["Database", "GET /healthz req/s", "GET /api/v1/activities?limit=50 req/s", "list / healthz"], rows
    )
    return (
        f"Data: 500 activities in the demo office; the list returns 50 of them with user names.\n"
        f"Load: wrk, 2 threads, 8 connections, {seconds} s per URL, on loopback.\n\n{table}\n\n"
        "Later issues report their endpoints as a ratio to the `/api/v1/activities` floor of the same run."
    )
