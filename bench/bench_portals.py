"""Portal transfer: a full OpenImmo export of a large portfolio, a partial transfer after a few
changes, and listings sent to the ImmobilienScout24 stand-in under its rate limit.

Baselines, in the same run on the same files:
- export: the `zip` tool storing the very pictures the package holds plus the package's own XML
  (`zip -q -0`, as the package stores JPEGs uncompressed) — the floor for "read N files, write one
  ZIP"; what Maklerwerk adds on top is the database reads, the OpenImmo XML and the size checks.
  Peak memory (max RSS of the CLI process) at a tenth of the portfolio and at the whole: streamed,
  it should stay flat.
- partial transfer: the same change count at a tenth of the portfolio (does the time follow the
  changes or the portfolio?), against the full transfer of the whole portfolio.
- IS24: the stand-in's limit (calls per minute) against the busiest minute actually seen, with the
  periodic tick's resume emulated (wait until the portal's `retry_at`, start the next run).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import time
from pathlib import Path

from bench.common import Install, install, md_table

TITLE = (
    "Portal transfer: OpenImmo export of 10,000 properties × 10 photos, partial transfer, 1,000 IS24 listings"
)

_SETUP = """
import io, json, os, random
from decimal import Decimal
from pathlib import Path
from django.conf import settings
from PIL import Image
from maklerwerk.accounts.models import Office
from maklerwerk.accounts.services import user_create
from maklerwerk.properties.models import Property, PropertyImage
N, PHOTOS = {n}, {photos}
office = Office.objects.create(name="Bench Immobilien GmbH", city="Köln", email="info@bench.example",
                               phone="+49 221 123456")
agent = user_create(office=office, username="makler", password="Geheim-Passwort-1", role="agent",
                    first_name="Max", last_name="Makler", email="max@bench.example")
rng = random.Random(7)
img = Image.merge("RGB", [Image.linear_gradient("L").resize((800, 600)), Image.effect_noise((800, 600), 12),
                          Image.radial_gradient("L").resize((800, 600))])
out = io.BytesIO(); img.save(out, "JPEG", quality=70)  # a ~40 KB photo: 4 GB for 100,000
media = Path(settings.MEDIA_ROOT); (media / "bench").mkdir(parents=True, exist_ok=True)
master = media / "bench" / "master.jpg"; master.write_bytes(out.getvalue())
props = [Property(office=office, external_id=f"B-{{i:05d}}", title=f"Wohnung {{i}} mit Balkon",
    object_kind="wohnung", object_subtype="ETAGE", marketing_type="kauf", usage="wohnen",
    status="active", responsible_agent=agent, street="Andreasstraße", house_number=str(i % 200 + 1),
    postal_code="50667", city="Köln", purchase_price=Decimal(200000 + rng.randrange(300000)),
    living_area=Decimal("72.5"), rooms=Decimal("3"), energy_certificate_type="verbrauch",
    energy_value=Decimal("112.4"), energy_class="D", energy_carrier="gas", year_built=1972,
    description="Ruhige Lage, Süd-Balkon & Einbauküche. " * 8) for i in range(N)]
Property.objects.bulk_create(props, batch_size=1000)
images = []
for p in Property.objects.filter(office=office).only("pk"):
    folder = media / "bench" / str(p.pk); folder.mkdir()
    for k in range(PHOTOS):
        if len(images) % 50000 == 0:  # a file takes at most 65,000 hard links (ext4)
            master = media / "bench" / f"master-{{len(images)}}.jpg"; master.write_bytes(out.getvalue())
        os.link(master, folder / f"{{k}}.jpg")
        images.append(PropertyImage(property_id=p.pk, kind="bild", position=k, caption=f"Bild {{k}}",
                                    file=f"bench/{{p.pk}}/{{k}}.jpg", width=640, height=480))
PropertyImage.objects.bulk_create(images, batch_size=5000)
print(json.dumps({{"office": office.pk, "picture_bytes": master.stat().st_size}}))
"""

_PARTIAL = """
import json, threading, time
from decimal import Decimal
from pathlib import Path
from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.servers import ThreadedFTPServer
from django.conf import settings
from maklerwerk.portals.models import Portal, PortalAssignment, TransferRun
from maklerwerk.portals.transfer import transfer_execute
from maklerwerk.properties.models import Property
root = Path(settings.MEDIA_ROOT).parent / "ftp"; (root / "import").mkdir(parents=True, exist_ok=True)
auth = DummyAuthorizer(); auth.add_user("portal", "secret", str(root), perm="elradfmwMT")
server = ThreadedFTPServer(("127.0.0.1", 0), type("H", (FTPHandler,), {{"authorizer": auth}}))
threading.Thread(target=server.serve_forever, kwargs={{"timeout": 0.1}}, daemon=True).start()
office_id = {office}
portal = Portal(office_id=office_id, name="immowelt", key="immowelt", host="127.0.0.1",
                port=server.address[1], username="portal", folder="import", anbieternr="K1")
portal.set_password("secret"); portal.save()
props = list(Property.objects.filter(office_id=office_id).order_by("pk").values_list("pk", flat=True))
PortalAssignment.objects.bulk_create([PortalAssignment(office_id=office_id, portal=portal, property_id=p)
                                      for p in props], batch_size=5000)
from maklerwerk.portals import transfer
planning = []
plan = transfer._plan
def timed_plan(run):  # planning alone: which assignments to look at, decide, hash
    t, c = time.perf_counter(), time.process_time()
    out = plan(run)
    planning.append((time.perf_counter() - t, time.process_time() - c))
    return out
transfer._plan = timed_plan
def timed(full):
    run = TransferRun.objects.create(office_id=office_id, portal=portal, full=full)
    t, c = time.perf_counter(), time.process_time()
    run = transfer_execute(run_id=run.pk)
    took, cpu = time.perf_counter() - t, time.process_time() - c
    assert run.state == "succeeded", run.message
    return (took, run.entries.exclude(action="unchanged").count(), run.package.size if run.package else 0,
            cpu, *planning[-1])
import datetime as dt
an_hour_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
Property.objects.filter(office_id=office_id).update(updated_at=an_hour_ago)
full = timed(True)
for pk in props[:: max(1, len(props) // {changes})][: {changes}]:
    p = Property.objects.get(pk=pk); p.purchase_price += Decimal(1000); p.save()
partial = timed(False)
server.close_all()
print(json.dumps({{"full": full, "partial": partial}}))
"""

_IS24 = """
import bisect, json, time
from django.utils import timezone
from maklerwerk.integrations.is24.standin import Is24StandIn, serve
from maklerwerk.portals.models import Portal, PortalAssignment, TransferRun
from maklerwerk.portals.transfer import transfer_execute
from maklerwerk.properties.models import Property
app = Is24StandIn(); app.add_user("buero", "tok-buero", "sec-buero")
server, thread, url = serve(app)
office_id = {office}
portal = Portal(office_id=office_id, name="IS24", key="is24", kind="is24", api_url=url,
                consumer_key="maklerwerk-key", access_token="tok-buero")
portal.set_secrets(consumer_secret="maklerwerk-secret", access_secret="sec-buero"); portal.save()
props = Property.objects.filter(office_id=office_id).order_by("pk").values_list("pk", flat=True)[: {n}]
PortalAssignment.objects.bulk_create([PortalAssignment(office_id=office_id, portal=portal, property_id=p)
                                      for p in props])
runs, started = 0, time.perf_counter()
while True:
    run = TransferRun.objects.create(office_id=office_id, portal=portal)
    run = transfer_execute(run_id=run.pk); runs += 1
    portal.refresh_from_db()
    if run.state == "succeeded" or portal.retry_at is None:
        break
    time.sleep(max(0.0, (portal.retry_at - timezone.now()).total_seconds()))  # the tick waits
took = time.perf_counter() - started
stamps = sorted(r.at for r in app.requests)
busiest = max((bisect.bisect_left(stamps, t + 60) - i for i, t in enumerate(stamps)), default=0)
online = PortalAssignment.objects.filter(portal=portal, state="online").count()
print(json.dumps({{"seconds": took, "runs": runs, "requests": len(stamps), "throttled": app.throttled,
    "busiest_minute": busiest, "limit": app.rate_limit, "online": online,
    "listings": len(app.listings("buero")), "last": run.state, "message": run.message}}))
server.shutdown()
"""


def _timed(cmd: list[str], env: dict[str, str]) -> tuple[float, int, float]:
    """Wall seconds, max RSS (KB) and CPU seconds (user + sys) of one command, via /usr/bin/time."""
    started = time.perf_counter()
    result = subprocess.run(
        ["/usr/bin/time", "-f", "%M %U %S", *cmd], env=env, check=True, capture_output=True, text=True
    )
    took = time.perf_counter() - started
    rss, user, system = result.stderr.strip().splitlines()[-1].split()
    return took, int(rss), float(user) + float(system)


def _export(inst: Install, office: int, out: Path) -> tuple[float, int, float]:
    cmd = [
        ".venv/bin/python",
        "-m",
        "maklerwerk",
        "openimmo_export",
        "--out",
        str(out),
        "--office",
        str(office),
    ]
    return _timed([*cmd, "--full"], inst.env)


def _zip_baseline(inst: Install, package: Path, work: Path) -> tuple[float, float]:
    """The `zip` tool storing the same pictures (hard links, as the export reads them) + the XML."""
    xml = work / "export.xml"
    subprocess.run(["unzip", "-q", "-o", str(package), "*.xml", "-d", str(work)], check=True)
    next(work.glob("*.xml")).rename(xml)
    started, children = time.perf_counter(), os.times()
    subprocess.run(
        ["zip", "-q", "-0", "-r", str(work / "baseline.zip"), "bench", "-x", "bench/master*.jpg"],
        cwd=inst.data_dir / "media", check=True,
    )  # fmt: skip
    subprocess.run(["zip", "-q", str(work / "baseline.zip"), str(xml)], check=True)
    after = os.times()
    cpu = (after.children_user - children.children_user) + (after.children_system - children.children_system)
    return time.perf_counter() - started, cpu


def _portfolio(n: int, photos: int) -> tuple[dict[str, float], dict[str, list[float]]]:
    """Export and partial transfer at one portfolio size (a fresh SQLite install)."""
    with install("sqlite") as inst:
        setup = json.loads(inst.django_shell(_SETUP.format(n=n, photos=photos)).splitlines()[-1])
        work = inst.data_dir / "work"
        work.mkdir()
        package = work / "export.zip"
        seconds, rss, cpu = _export(inst, setup["office"], package)
        zip_seconds, zip_cpu = _zip_baseline(inst, package, work)
        partial = json.loads(
            inst.django_shell(_PARTIAL.format(office=setup["office"], changes=50)).splitlines()[-1]
        )
        export = {
            "seconds": seconds,
            "rss_mb": rss / 1024,
            "zip_seconds": zip_seconds,
            "cpu": cpu,
            "zip_cpu": zip_cpu,
            "package_mb": package.stat().st_size / 1e6,
        }
        return export, partial


def _is24(n: int) -> dict[str, object]:
    with install("sqlite") as inst:
        setup = json.loads(inst.django_shell(_SETUP.format(n=n, photos=1)).splitlines()[-1])
        return dict(json.loads(inst.django_shell(_IS24.format(office=setup["office"], n=n)).splitlines()[-1]))


def run(args: argparse.Namespace) -> str:
    """Sizes: the issue's (10,000 × 10 photos, 1,000 IS24 listings); smaller with --quick or with
    BENCH_PORTALS_PROPERTIES / BENCH_PORTALS_LISTINGS (on a busy machine)."""
    big, photos, listings = (1_000, 3, 100) if args.quick else (10_000, 10, 1_000)
    big = int(os.environ.get("BENCH_PORTALS_PROPERTIES", big))
    listings = int(os.environ.get("BENCH_PORTALS_LISTINGS", listings))
    small = big // 10
    load = Path("/proc/loadavg").read_text().split()[:3]
    results = {n: _portfolio(n, photos) for n in (small, big)}
    rows = []
    for n, (export, _partial) in results.items():
        rows.append([
            f"{n:,} × {photos} photos", f"{export['package_mb']:.0f} MB",
            f"{export['seconds']:.1f} s (CPU {export['cpu']:.1f} s)",
            f"{export['zip_seconds']:.1f} s (CPU {export['zip_cpu']:.1f} s)",
            f"{export['seconds'] / export['zip_seconds']:.1f}x "
            f"(CPU {export['cpu'] / max(export['zip_cpu'], 0.01):.1f}x)",
            f"{export['rss_mb']:.0f} MB",
        ])  # fmt: skip
    base_rss = results[small][0]["rss_mb"]
    text = md_table(
        ["Portfolio", "Package", "Maklerwerk export (CLI)", "`zip -0` same files", "Ratio", "Peak RSS"], rows
    )
    text += f"\n\nPeak RSS, whole portfolio vs. a tenth: {results[big][0]['rss_mb'] / base_rss:.2f}x.\n\n"
    prow = []
    for n, (_export_row, partial) in results.items():
        full, part = partial["full"], partial["partial"]
        prow.append([
            f"{n:,}",
            f"{full[0]:.1f} s, CPU {full[3]:.1f} s ({full[1]:,} sent); "
            f"planning {full[4]:.2f} s, CPU {full[5]:.2f} s",
            f"{part[0]:.2f} s, CPU {part[3]:.2f} s ({part[1]} sent); "
            f"planning {part[4]:.3f} s, CPU {part[5]:.3f} s",
        ])  # fmt: skip
    text += md_table(["Portfolio", "Full transfer to FTP (VOLL)", "Partial after 50 changes (TEIL)"], prow)
    small_part, big_part = results[small][1]["partial"], results[big][1]["partial"]
    text += "\n\n" + (
        f"Partial transfer, whole portfolio vs. a tenth (same 50 changes): wall "
        f"{big_part[0] / small_part[0]:.2f}x, CPU {big_part[3] / max(small_part[3], 0.001):.2f}x; "
        f"planning CPU {big_part[5] / max(small_part[5], 0.001):.2f}x. Planning looks only at assignments "
        "not at rest and at properties changed since the last successful run (indexes), so it follows the "
        "changes. The portfolio counts as last edited an hour before the full transfer."
    )
    r = _is24(listings)
    text += "\n\n" + md_table(
        ["IS24 listings (1 photo)", "Total", "Runs", "Requests", "429 answers", "Busiest minute", "Limit"],
        [[f"{r['online']:,} online of {listings:,} ({r['listings']:,} at IS24)", f"{r['seconds']:.0f} s",
          r["runs"], f"{r['requests']:,}", r["throttled"], f"{r['busiest_minute']:,} calls",
          f"{r['limit']:,}/min"]],
    )  # fmt: skip
    text += f"\n\nMachine load (1/5/15 min) at the start: {' '.join(load)} (2 cores shared by 8 engineers)."
    return text
