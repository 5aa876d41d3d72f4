"""Appointments: the calendar's week view with 10 users (all users vs one user), its growth from
10,000 to 100,000 appointments, the personal iCal feed, and booking the last seats under contention.

PostgreSQL (the contention part needs real concurrent transactions). The views are timed in one
process through Django's test client (session login, the whole middleware stack), next to the
foundation's floor request (/healthz) timed the same way, so the ratios do not depend on the
machine's load of the moment as much as absolute numbers would.
"""

from __future__ import annotations

import json
from typing import Any

from bench.common import install, md_table

TITLE = (
    "Appointments: week view of 10 users (10,000 → 100,000 appointments), iCal feed, seats under contention"
)

CODE = r"""
import datetime as dt, json, os, random, statistics, threading, time
from django.db import close_old_connections
from django.test import Client
from django.utils import timezone
from maklerwerk.accounts.models import Office
from maklerwerk.accounts.services import user_create
from maklerwerk.appointments.feed import feed_create
from maklerwerk.appointments.models import Appointment, ViewingSlot
from maklerwerk.appointments.services import booking_link_create, slot_book
from maklerwerk.contacts.models import Contact
from maklerwerk.core.exceptions import ConflictError
from maklerwerk.properties.models import Property

random.seed(7)
office = Office.objects.create(name="Bench Immobilien GmbH", city="Köln")
users = [user_create(office=office, username=f"makler{i}", password="x-Bench-123456", role="agent")
         for i in range(10)]
prop = Property.objects.create(office=office, external_id="B-1", title="Altbau", city="Köln",
                               responsible_agent=users[0])
monday = timezone.localdate() - dt.timedelta(days=timezone.localdate().weekday())
week_start = timezone.make_aware(dt.datetime.combine(monday, dt.time()))

def add(n, skip_week=False):
    # n appointments spread over half a year before and after this week, 8:00-18:00, 10 users;
    # skip_week: none in the measured week (the growth then compares the same answer on more data)
    rows = []
    for i in range(n):
        day = monday + dt.timedelta(days=random.randint(-182, 182))
        while skip_week and 0 <= (day - monday).days < 7:
            day = monday + dt.timedelta(days=random.randint(-182, 182))
        at = dt.time(random.randint(8, 17), random.choice([0, 30]))
        start = timezone.make_aware(dt.datetime.combine(day, at))
        rows.append(Appointment(office=office, kind="viewing", title=f"Besichtigung {i}", starts_at=start,
                                ends_at=start + dt.timedelta(minutes=45), responsible=users[i % 10],
                                property=prop, location="Ringstraße 1, 50667 Köln"))
    Appointment.objects.bulk_create(rows, batch_size=5000)

client = Client(HTTP_HOST="localhost")
client.force_login(users[0])
week = {"start": week_start.isoformat(), "end": (week_start + dt.timedelta(days=7)).isoformat()}
feed_path = "/" + feed_create(user=users[0], office=office).split("/", 3)[3]

from django.core.cache import cache

def median_ms(path, params=None, n=REPEAT, status=200, before=None, **headers):
    # (wall ms, CPU ms of this process) medians; `before` runs untimed before each request
    for _ in range(3):
        client.get(path, params or {}, **headers)
    walls, cpus = [], []
    for _ in range(n):
        if before:
            before()
        t0, c0 = time.perf_counter(), time.process_time()
        r = client.get(path, params or {}, **headers)
        walls.append((time.perf_counter() - t0) * 1000)
        cpus.append((time.process_time() - c0) * 1000)
        assert r.status_code == status, (path, r.status_code)
    return statistics.median(walls), statistics.median(cpus)

touch_pk = (Appointment.objects.filter(responsible=users[0], starts_at__gte=week_start)
            .order_by("starts_at").values_list("pk", flat=True).first())

def touch():
    # one of the user's appointments changed (a new ETag; every other event block stays cached)
    from django.utils import timezone as tz
    Appointment.objects.filter(pk=touch_pk).update(updated_at=tz.now())

def measure():
    all_events = len(client.get("/appointments/events/", week).json())
    mine_events = len(client.get("/appointments/events/", {**week, "mine": "1"}).json())
    first = client.get(feed_path)
    feed_events = first.content.count(b"BEGIN:VEVENT")
    return {"floor": median_ms("/healthz"),
            "all": median_ms("/appointments/events/", week), "all_n": all_events,
            "mine": median_ms("/appointments/events/", {**week, "mine": "1"}), "mine_n": mine_events,
            # built: nothing cached (the first poll ever, or after a restart of the cache)
            "feed": median_ms(feed_path, n=5, before=cache.clear), "feed_n": feed_events,
            "feed_changed": median_ms(feed_path, n=5, before=touch),
            "feed_cached": median_ms(feed_path), "feed_bytes": len(first.content),
            "feed_304": median_ms(feed_path, status=304, HTTP_IF_NONE_MATCH=first["ETag"])}

add(SMALL)
small = measure()
add(BIG - SMALL, skip_week=True)
big = measure()

# Contention: SEATS seats, THREADS prospects press "book" at the same moment (each its own link).
slot = ViewingSlot.objects.create(office=office, property=prop, agent=users[0], capacity=SEATS,
                                  starts_at=week_start + dt.timedelta(days=9, hours=10),
                                  ends_at=week_start + dt.timedelta(days=9, hours=11))
contacts = Contact.objects.bulk_create([Contact(office=office, first_name=f"P{i}", last_name="Bench")
                                        for i in range(THREADS)])
links = [booking_link_create(prop=prop, contact=c, acting_user=users[0])[0] for c in contacts]
barrier = threading.Barrier(THREADS)
outcome, lock = [], threading.Lock()

def press(link):
    close_old_connections()
    barrier.wait()
    t0 = time.perf_counter()
    try:
        slot_book(link=link, slot_id=slot.pk)
        result = "booked"
    except ConflictError:
        result = "full"
    with lock:
        outcome.append((result, (time.perf_counter() - t0) * 1000))
    close_old_connections()

threads = [threading.Thread(target=press, args=(l,)) for l in links]
for t in threads: t.start()
for t in threads: t.join()
slot.refresh_from_db()
booked = [ms for r, ms in outcome if r == "booked"]
full = [ms for r, ms in outcome if r == "full"]
print(json.dumps({"small": small, "big": big, "booked": len(booked), "full": len(full),
                  "seat_count": slot.booked, "booked_ms": statistics.median(booked),
                  "full_ms": statistics.median(full) if full else 0.0,
                  "load": os.getloadavg(), "cpus": os.cpu_count()}))
"""


def run(args: Any) -> str:
    quick = getattr(args, "quick", False)
    small, big = 10_000, (20_000 if quick else 100_000)
    values = {"SMALL": small, "BIG": big, "REPEAT": 20 if quick else 60, "SEATS": 3, "THREADS": 12}
    code = CODE
    for key, value in values.items():
        code = code.replace(key, str(value))
    with install("postgres") as inst:
        # The feed is a public URL with a per-IP rate limit; the bench polls it ~270 times a minute.
        inst.env["SHARING_RATE_LIMIT"] = "100000/m"
        out = inst.django_shell(code)
    r = json.loads(out.strip().splitlines()[-1])
    s, b = r["small"], r["big"]

    def row(label: str, key: str, n: str) -> list[Any]:
        (sw, sc), (bw, bc) = s[key], b[key]
        return [label, n, sw, sc, sw / s["floor"][0], bw, bc, bw / b["floor"][0], bw / sw]

    feed_n = f"{s['feed_n']} / {b['feed_n']}"
    rows = [
        row("/healthz (floor)", "floor", "–"),
        row("Week view, all 10 users", "all", f"{s['all_n']} / {b['all_n']}"),
        row("Week view, one user (“Nur meine”)", "mine", f"{s['mine_n']} / {b['mine_n']}"),
        row("iCal feed, built with nothing cached (first poll)", "feed", feed_n),
        row("iCal feed, first poll after one appointment changed", "feed_changed", feed_n),
        row("iCal feed, unchanged: body from the cache", "feed_cached", feed_n),
        row("iCal feed, unchanged: 304 to If-None-Match", "feed_304", feed_n),
    ]
    per_event = (b["feed"][1] - s["feed"][1]) / max(b["feed_n"] - s["feed_n"], 1) * 1000
    load = ", ".join(f"{x:.1f}" for x in r["load"])
    return (
        f"One office, 10 agents, {small:,} and then {big:,} appointments spread over a year "
        "(8:00–18:00, 45 minutes each; the added ones outside the measured week, so the week view "
        "answers the same events on ten times the data, while the feed really grows), PostgreSQL. "
        "Each request through Django's test client "
        "with a logged-in session; milliseconds are medians. The week view is the calendar's "
        "JSON (`/appointments/events/`), the feed the user's `/calendar/<secret>.ics`.\n\n"
        + md_table(
            [
                "Request",
                f"Events at {small // 1000}k / {big // 1000}k",
                f"ms at {small // 1000}k",
                "CPU ms",
                "x floor",
                f"ms at {big // 1000}k",
                "CPU ms",
                "x floor",
                f"growth {small // 1000}k→{big // 1000}k (goal < 2x)",
            ],
            rows,
        )
        + f"\n\nThe feed holds the user's own appointments from 60 days back to a year ahead (documented in "
        "`appointments/feed.py`); with this synthetic load that is ten times more events at 100k, so "
        "a feed built from nothing grows with its events, linearly: "
        f"{per_event:.0f} µs CPU per added event ({b['feed_bytes'] / 1e6:.1f} MB at {big // 1000}k). "
        "The event blocks are cached (one entry per feed, each block under its appointment's "
        "state), so after a change only the changed "
        "event is built and the others are read from the cache. "
        "Calendar apps poll an unchanged feed: its ETag comes from one aggregate query (count and "
        "latest change), so the 304 and the cached body do not grow with the events. CPU is the "
        "web process's own (`time.process_time`), PostgreSQL's work is not in it."
        + f"\n\nSeats under contention: {values['THREADS']} prospects book a slot with "
        f"{values['SEATS']} seats at the same moment (threads released by a barrier, each its own "
        f"connection and link): {r['booked']} booked, {r['full']} got “Termin nicht mehr frei”, "
        f"the slot counts {r['seat_count']} of {values['SEATS']} seats (never more). Median time of a "
        f"booking {r['booked_ms']:.1f} ms, of a refusal {r['full_ms']:.1f} ms (a conditional UPDATE of "
        "the slot row; the losers wait for the row lock, then find it full).\n\n"
        f"Machine load at the end of the run (1/5/15 min): {load} on {r['cpus']} CPUs, shared with other "
        "engineers' test runs: absolute numbers are noisy, the ratios less so."
    )
