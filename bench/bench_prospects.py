"""Linking prospects to one popular listing (`property_contact_set`): cost and history per link.

Each inquiry or offer links its contact to the property as a prospect. The link used to snapshot
all of the property's contact roles twice and write the whole list into the history, so the
1,000th prospect cost twenty times the first. One SQLite install, one process, links in order.
"""

from __future__ import annotations

import json
from typing import Any

from bench.common import install, md_table

TITLE = "Linking prospects to one property (property_contact_set, SQLite)"

CODE = r"""
import json, statistics, time
from django.db import connection
from maklerwerk.accounts.models import Office
from maklerwerk.accounts.services import user_create
from maklerwerk.contacts.models import Contact
from maklerwerk.core.history import history_for
from maklerwerk.properties.models import Property
from maklerwerk.properties.services import property_contact_set, property_update

office = Office.objects.create(name="Bench Immobilien GmbH", city="Köln")
agent = user_create(office=office, username="bench", password="x-Bench-123456", role="agent")
prop = Property.objects.create(office=office, external_id="POP-1", title="Gefragte Wohnung", city="Köln")
contacts = Contact.objects.bulk_create(
    [Contact(office=office, first_name=f"Vorname{i}", last_name=f"Interessent{i}") for i in range(TOTAL)])
times, sizes = [], []
for c in contacts:
    t0 = time.perf_counter()
    property_contact_set(prop=prop, contact=c, acting_user=agent, role="prospect")
    times.append((time.perf_counter() - t0) * 1000)
    entry = history_for(prop).order_by("-pk").first()
    sizes.append(len(json.dumps(entry.changes, ensure_ascii=False).encode()))

def around(n, k=20):
    # median of the k links ending at the n-th (robust against a noisy neighbour)
    return statistics.median(times[max(0, n - k):n] if n > 1 else times[:k])

def update_ms():
    samples = []
    for i in range(5):
        t0 = time.perf_counter()
        property_update(prop=prop, acting_user=agent, data={"title": f"Gefragte Wohnung {len(samples)}-{i}"})
        samples.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples)

print(json.dumps({"first": around(1), "n1000": around(1000), "last": around(TOTAL), "total": TOTAL,
                  "bytes_first": sizes[0], "bytes_1000": sizes[999], "bytes_last": sizes[-1],
                  "history_rows": history_for(prop).count(),
                  "update_ms": update_ms()}))
"""


def run(args: Any) -> str:
    total = 1000 if getattr(args, "quick", False) else 5000
    with install("sqlite") as inst:
        out = inst.django_shell("import json\n" + CODE.replace("TOTAL", str(total)))
    r = json.loads(out.strip().splitlines()[-1])
    rows = [
        ["1st", r["first"], 1.0, r["bytes_first"]],
        ["1,000th", r["n1000"], r["n1000"] / r["first"], r["bytes_1000"]],
        [f"{total:,}th", r["last"], r["last"] / r["first"], r["bytes_last"]],
    ]
    return (
        f"{total:,} contacts linked one after another as prospects of one property (each: the link, "
        "its validation, one history line). Milliseconds: median of the 20 links ending there.\n\n"
        + md_table(
            ["Link", "ms per link", "Ratio to the 1st (goal < 1.5x)", "History bytes for this link"], rows
        )
        + f"\n\nHistory rows on the property: {r['history_rows']:,} (one per link). "
        f"Editing the property's title with {total:,} prospects: "
        f"{r['update_ms']:.1f} ms (the property snapshot no longer copies the contact roles).\n\n"
        "Before (issue 15): 25 ms at 0 prospects, 531 ms at 1,000, 1.9 s at 5,000; "
        "436 KB of history per link."
    )
