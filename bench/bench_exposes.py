"""Exposé PDF with 12 photos of 4000x3000, and an offer to 500 recipients over a local SMTP server.

Each measurement runs in its own process against a throwaway SQLite install (bench/common.py),
so peak memory (ru_maxrss) belongs to that step alone. The SMTP server is aiosmtpd's Sink handler
in a separate process on loopback: it accepts and discards, so the numbers show our own cost.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from typing import Any

from bench.common import free_port, install, md_table

TITLE = "Exposés and offers (PDF with 12 large photos, offer to 500 recipients over SMTP)"

SETUP = r"""
import io, random
from decimal import Decimal
from django.core.files.base import ContentFile
from PIL import Image
from maklerwerk.accounts.models import Office
from maklerwerk.accounts.services import user_create
from maklerwerk.contacts.models import Contact, ContactEmail
from maklerwerk.properties.models import Property, PropertyImage

office = Office.objects.create(name="Bench Immobilien GmbH", city="Köln",
                               imprint="Bench Immobilien GmbH, Köln")
agent = user_create(office=office, username="bench", password="x-Bench-123456", role="agent",
                    first_name="Bea", last_name="Bench", email="bea@bench.example")

def photo(seed):
    # Noise over a gradient: compresses like a real photo (a few MB at quality 90), not like a flat colour.
    rnd = random.Random(seed)
    base = Image.linear_gradient("L").resize((4000, 3000)).convert("RGB")
    noise = Image.effect_noise((4000, 3000), 60).convert("RGB")
    tint = Image.new("RGB", (4000, 3000), (rnd.randrange(256), rnd.randrange(256), rnd.randrange(256)))
    img = Image.blend(Image.blend(base, noise, 0.5), tint, 0.35)
    out = io.BytesIO(); img.save(out, "JPEG", quality=90)
    return out.getvalue()

def listing(ext, n):
    prop = Property.objects.create(
        office=office, external_id=ext, title="Stadtvilla mit Garten", marketing_type="kauf", status="active",
        postal_code="50667", city="Köln", purchase_price=Decimal("1250000"), living_area=Decimal("210"),
        rooms=Decimal("7"), responsible_agent=agent, description="Großzügige Villa. " * 60,
        features_text="Parkett, Kamin, Sauna. " * 20, location_text="Ruhige Lage. " * 30,
        energy_certificate_type="bedarf", energy_value=Decimal("118"), energy_class="D")
    total = 0
    for i in range(n):
        data = photo(i); total += len(data)
        img = PropertyImage(property=prop, position=i, caption=f"Ansicht {i + 1}",
                            kind="grundriss" if i == n - 1 else "bild")
        img.file.save(f"p{i}.jpg", ContentFile(data), save=False)
        img.width, img.height = 4000, 3000
        img.save()
    return prop, total

big, big_bytes = listing("BIG-12", PHOTOS)
small, _ = listing("OFFER-3", 3)
contacts = Contact.objects.bulk_create(
    [Contact(office=office, first_name=f"Vorname{i}", last_name=f"Müller{i}", salutation="frau",
             marketing_consent=True) for i in range(RECIPIENTS)])
ContactEmail.objects.bulk_create(
    [ContactEmail(contact=c, office=office, value=f"k{c.pk}@example.org",
                  value_normalized=f"k{c.pk}@example.org") for c in contacts])
print(json.dumps({"big": big.pk, "small": small.pk, "photo_bytes": big_bytes, "agent": agent.pk}))
"""

EXPOSE = r"""
import resource, statistics, time, subprocess, tempfile
from maklerwerk.properties.models import Property
from maklerwerk.exposes.render import expose_pdf
import weasyprint  # imported before measuring: the import alone is ~0.4 s
prop = Property.objects.select_related("office", "responsible_agent").get(pk=PK)
if RETITLE:  # a new version of the property: its PDF is not cached, its scaled photos are
    prop.title = RETITLE
    prop.save(update_fields=["title", "updated_at"])
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0 = time.perf_counter(); pdf = expose_pdf(prop); first = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
again = []
for _ in range(20):
    t0 = time.perf_counter(); expose_pdf(prop); again.append(time.perf_counter() - t0)
with tempfile.NamedTemporaryFile(suffix=".pdf") as fh:
    fh.write(pdf); fh.flush()
    info = subprocess.run(["pdfinfo", fh.name], capture_output=True, text=True).stdout
pages = int([l for l in info.splitlines() if l.startswith("Pages")][0].split()[-1])
print(json.dumps({"first": first, "again": statistics.median(again), "size": len(pdf), "pages": pages,
                  "base_kb": base, "peak_kb": peak}))
"""

FETCHER = r"""
import statistics, time
from weasyprint.urls import URLFetcher
from maklerwerk.exposes.render import _ExposeFetcher
def median_ms(fn):
    fn(); samples = []
    for _ in range(20):
        t0 = time.perf_counter(); fn(); samples.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples)
print(json.dumps({"weasyprint": median_ms(lambda: URLFetcher(allowed_protocols={"data"}, timeout=1)),
                  "ours": median_ms(lambda: _ExposeFetcher({}))}))
"""

OFFER = r"""
import resource, time
from maklerwerk.accounts.models import User
from maklerwerk.contacts.models import Contact
from maklerwerk.core.jobs import job_run
from maklerwerk.exposes import services
from maklerwerk.mailing.selectors import template_by_key
from maklerwerk.properties.models import Property
agent = User.objects.get(pk=AGENT)
prop = Property.objects.get(pk=PK)
contacts = list(Contact.objects.filter(office=agent.office).order_by("pk"))
offer = services.offer_create(office=agent.office, acting_user=agent, contacts=contacts, properties=[prop],
                              mail_template=template_by_key(user=agent, key="expose"), attach_expose=ATTACH)
job = services.offer_send_start(offer=offer, acting_user=agent)
t0 = time.perf_counter(); job_run(str(job.pk), {"offer_id": offer.pk, "acting_user_id": agent.pk})
total = time.perf_counter() - t0
job.refresh_from_db()
print(json.dumps({"total": total, "result": job.result, "state": job.state,
                  "peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def _shell(inst: Any, code: str, **values: Any) -> dict[str, Any]:
    for key, value in values.items():
        code = code.replace(key, repr(value))
    out = inst.django_shell("import json\n" + code)
    return json.loads(out.strip().splitlines()[-1])


def run(args: Any) -> str:
    quick = getattr(args, "quick", False)
    photos, recipients = (4, 50) if quick else (12, 500)
    port = free_port()
    smtpd = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Sink"]
    )
    try:
        time.sleep(1.0)
        with install("sqlite") as inst:
            inst.env["EMAIL_URL"] = f"smtp://127.0.0.1:{port}"
            ids = _shell(inst, SETUP, PHOTOS=photos, RECIPIENTS=recipients)
            # each in a fresh process: cold (nothing cached), warm (a new version of the property:
            # the scaled photos come from the disk cache, the PDF is rendered), cached (same version)
            cold = _shell(inst, EXPOSE, PK=ids["big"], RETITLE="")
            warm = _shell(inst, EXPOSE, PK=ids["big"], RETITLE="Stadtvilla mit Garten und Pool")
            cached = _shell(inst, EXPOSE, PK=ids["big"], RETITLE="")
            fetcher = _shell(inst, FETCHER)
            offers = {
                attach: _shell(inst, OFFER, PK=ids["small"], AGENT=ids["agent"], ATTACH=attach)
                for attach in (False, True)
            }
    finally:
        smtpd.terminate()
        smtpd.wait(10)
    steps = [
        ("cold: nothing cached (decode and scale every photo, render)", cold["first"]),
        ("warm: a new version of the property (scaled photos from the disk cache, render)", warm["first"]),
        ("cached: same version, first request of a fresh process", cached["first"]),
        ("cached: same version, further requests (median of 20)", cached["again"]),
    ]
    rows_expose = [[label, f"{sec:.3f}", f"{sec / cold['first']:.4f}"] for label, sec in steps]
    rows_offer = []
    for attach, o in offers.items():
        r = o["result"]
        outside = 1 - r["smtp_seconds"] / o["total"] if o["total"] else 0.0
        rows_offer.append(
            [
                "with exposé PDF (3 photos)" if attach else "text + HTML only",
                f"{r['sent']} / {recipients}",
                o["total"],
                r["sent"] / o["total"] if o["total"] else 0.0,
                r["smtp_seconds"],
                f"{outside * 100:.0f} %",
                f"{o['peak_kb'] / 1024:.0f} MB",
            ]
        )
    return (
        f"Exposé PDF of one property with {photos} photos of 4000x3000 JPEG "
        f"({ids['photo_bytes'] / 1e6:.1f} MB in total; WeasyPrint; photos scaled to at most 1800/1100 px "
        f"JPEG q78 and kept in a disk cache under the data dir; the PDF of a property version is kept there "
        f"too). {cold['pages']} pages, {cold['size'] / 1e6:.2f} MB; peak RSS of the cold render "
        f"{cold['peak_kb'] / 1024:.0f} MB (+{(cold['peak_kb'] - cold['base_kb']) / 1024:.0f} MB). "
        "Each step in a fresh process:\n\n"
        + md_table(["Step", "Seconds", "Ratio to cold"], rows_expose)
        + f"\n\nURL fetcher per render: WeasyPrint's `URLFetcher` (urllib handlers and an SSL context) "
        f"{fetcher['weasyprint']:.1f} ms, ours (data: URIs and the render's own images only) "
        f"{fetcher['ours'] * 1000:.1f} µs.\n\nBefore (2026-11-24): 8.03 s cold, 1.26 s warm (scaled photos "
        "cached per process only), every request rendered again; 7 pages."
        + "\n\nOffer job (individual mail per recipient, one SMTP connection; per recipient: claim, "
        "Message-ID, stored mail, activity, interest status; aiosmtpd Sink on loopback; SQLite):\n\n"
        + md_table(
            ["Mails", "Sent", "Total (s)", "Mails/s", "In SMTP (s)", "Time outside SMTP", "Peak RSS"],
            rows_offer,
        )
        + "\n\nThe exposé is rendered once per property version and read from disk for every offer and "
        "inquiry. Outside SMTP is mostly the per-recipient bookkeeping (four to six small writes), "
        "rendering the placeholders and building the MIME message (base64 of the attachment)."
    )
