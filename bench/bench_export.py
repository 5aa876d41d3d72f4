"""The office export (ZIP with every record and file): time and peak memory at two office sizes.

The export streams rows (`iterator`) and files (chunked copies), so Python's peak memory should stay
flat while the office grows tenfold; the ratio column says whether it does.
"""

from __future__ import annotations

import argparse
import json

from bench.common import install, md_table

TITLE = "Office export: time and peak memory for a small and a ten times bigger office (streamed: flat)"

_MEASURE = """
import json, os, time, tracemalloc
from maklerwerk.accounts.models import Office
from maklerwerk.core.export import office_data_export
class P:
    job_id = "bench"
    def update(self, *a, **k): pass
office = Office.objects.get(name__startswith="Muster")
tracemalloc.start()
t = time.perf_counter()
r = office_data_export(P(), office_id=office.pk)
took = time.perf_counter() - t
peak = tracemalloc.get_traced_memory()[1]
size = os.path.getsize(os.path.join(os.environ["MAKLERWERK_DATA_DIR"], "exports", r["file"]))
print(json.dumps({"records": sum(r["counts"].values()), "files": r["files"], "seconds": took,
                  "peak": peak, "zip": size}))
"""


def _one(contacts: int, properties: int) -> dict[str, float]:
    with install("sqlite") as inst:
        inst.manage(
            "seed_demo", f"--contacts={contacts}", f"--properties={properties}",
            f"--search-profiles={properties}", f"--activities={contacts // 2}", "-v0",
        )  # fmt: skip
        return json.loads(inst.django_shell(_MEASURE).splitlines()[-1])


def run(args: argparse.Namespace) -> str:
    small = (300, 30) if args.quick else (1_000, 100)
    results = [(small, _one(*small)), ((small[0] * 10, small[1] * 10), _one(small[0] * 10, small[1] * 10))]
    base = results[0][1]
    rows = [
        [
            f"{c:,} contacts, {p:,} properties",
            f"{r['records']:,}",
            f"{r['files']:,}",
            f"{r['seconds']:.1f} s",
            f"{r['seconds'] * 1000 / r['records']:.2f} ms",
            f"{r['peak'] / 1e6:.1f} MB",
            f"{r['peak'] / base['peak']:.2f}x",
            f"{r['zip'] / 1e6:.1f} MB",
        ]
        for (c, p), r in results
    ]
    return (
        "Demo office from `seed_demo` (the first 20 properties with photos and documents), SQLite; the "
        "export job called directly; peak = Python allocations (tracemalloc) during the export.\n\n"
        + md_table(
            ["office", "records", "files", "time", "per record", "peak memory", "peak vs small", "ZIP"],
            rows,
        )
    )
