# ruff: noqa: E501  (the report rows and the OpenImmo template are long)
"""The migration at scale on SQLite: contacts from CSV and properties from an OpenImmo ZIP with
pictures (dry run, commit, re-run), then the office export and its import into an empty instance.

Files: German people (Faker, `bench/german_duplicates.py`, 3 % of them an earlier person again with
typical errors, so the duplicate check reports something) as a FLOWFACT-style cp1252 CSV; properties
as one OpenImmo 1.2.7 XML with two small JPEGs each (Pillow, 64×48, each a different colour) in one
ZIP. Every step runs in its own process, through the same walk the import job runs; "peak" is the
growth of the process's resident set (`ru_maxrss`) during the step, so steps of the small and the
ten times bigger file show whether memory stays flat. The re-run is a new upload of the same file:
its report must say 0 created, 0 updated; "written" counts the rows of contacts, properties,
pictures and import records it added. Then `maklerwerk export_office` and `maklerwerk import_office`
into a fresh install; the counts of every export section are compared in both databases.

Sizes: `BENCH_IMPORTS_SCALE=contacts,properties` (default 100000,10000; `--quick` 10000,1000).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import time
import zipfile
from pathlib import Path
from typing import Any

from bench.bench_imports import _people
from bench.common import Install, install, md_table

TITLE = "Migration at scale: 100,000 contacts (CSV) and 10,000 properties with pictures (OpenImmo), export and re-import"

_HEAD = """
import json, resource, time
from maklerwerk.accounts.models import User
from maklerwerk.contacts.models import Contact
from maklerwerk.imports import csvfile, mapping, services
from maklerwerk.imports.models import ImportRecord, ImportRun
from maklerwerk.imports.tasks import walk_for
from maklerwerk.properties.models import Property, PropertyImage
agent = User.objects.get(username="demo")
office = agent.office
def rss():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
def written():
    return {{"contacts": Contact.objects.count(), "properties": Property.objects.count(),
            "pictures": PropertyImage.objects.count(), "records": ImportRecord.objects.count()}}
"""

_UPLOAD = (
    _HEAD
    + """
path, kind = {path!r}, {kind!r}
raw = open(path, "rb").read()
run = services.run_upload(office=office, acting_user=agent, raw=raw, filename=path.rsplit("/", 1)[-1],
                          source_system="flowfact", kind=kind)
if run.source_format == "csv":
    headers = csvfile.read_table(raw, max_rows=1).headers
    services.run_columns_set(run=run, acting_user=agent, columns=mapping.suggest(headers, "flowfact"))
print(json.dumps({{"run": run.pk}}))
"""
)

_WALK = (
    _HEAD
    + """
run = ImportRun.objects.get(pk={run})
walk = walk_for(run)
before = written()
base = rss()
t0 = time.perf_counter()
report = walk(run=run, acting_user=agent, dry_run={dry_run}).as_dict()
took = time.perf_counter() - t0
peak = rss()
services.run_report_save(run=run, report=report)
after = written()
print(json.dumps({{"seconds": took, "peak": peak - base, "rss": peak, "counts": report["counts"],
                  "written": {{k: after[k] - before[k] for k in after}}}}))
"""
)

_EXPORT = """
import json, resource, time
from django.core.management import call_command
from maklerwerk.accounts.models import Office
office = Office.objects.get()
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
t0 = time.perf_counter()
call_command("export_office", "--out", {out!r}, "--office", str(office.pk), verbosity=0)
took = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({{"seconds": took, "peak": peak - base, "office": office.pk}}))
"""

_IMPORT = """
import json, resource, time
from django.core.management import call_command
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
t0 = time.perf_counter()
call_command("import_office", {path!r}, verbosity=0)
took = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"seconds": took, "peak": peak - base}))
"""

_COUNTS = """
import json
from maklerwerk.core.export import EXPORT_SECTIONS
print(json.dumps({s.key: s.queryset(%d).count() for s in EXPORT_SECTIONS}))
"""


def _contacts_csv(path: Path, n: int) -> int:
    """`n` people as a cp1252 CSV with `;` (a FLOWFACT export); returns its size in bytes."""
    head = (
        "Kontakt-Nr.;Anrede;Vorname;Nachname;Straße;Hausnummer;PLZ;Ort;E-Mail;Telefon;Geburtsdatum;Bemerkung"
    )
    lines = [head]
    for i, p in enumerate(_people(n)):
        phone = (p["phones"] or [""])[0]
        if phone.startswith(("+4915", "+4916", "+4917")):
            phone += str(i % 10)  # the generator's mobile numbers are a digit short
        born = "" if not p["birth_date"] else ".".join(reversed(p["birth_date"].split("-")))
        cells = [f"K-{i + 1}", "Frau" if i % 2 else "Herr", p["first_name"], p["last_name"], p["street"],
                 p["house_number"], p["postal_code"], p["city"], (p["emails"] or [""])[0].strip(), phone,
                 born, "Rückruf erwünscht"]  # fmt: skip
        lines.append(";".join(str(x).replace(";", ",") for x in cells))
    raw = ("\r\n".join(lines) + "\r\n").encode("cp1252", errors="replace")
    path.write_bytes(raw)
    return len(raw)


_LISTING = (
    '<immobilie><objektkategorie><nutzungsart WOHNEN="true" GEWERBE="false"/>'
    '<vermarktungsart KAUF="{kauf}" MIETE_PACHT="{miete}"/><objektart><wohnung wohnungtyp="ETAGE"/>'
    "</objektart></objektkategorie><geo><plz>{plz}</plz><ort>{ort}</ort><strasse>{strasse}</strasse>"
    '<hausnummer>{nr}</hausnummer><land iso_land="DEU"/></geo><kontaktperson>'
    "<email_zentrale>info@altbuero.de</email_zentrale><name>Altbüro</name></kontaktperson>"
    "<preise>{preis}</preise><flaechen><wohnflaeche>{flaeche}</wohnflaeche><anzahl_zimmer>{zimmer}"
    "</anzahl_zimmer></flaechen><freitexte><objekttitel>{titel}</objekttitel><objektbeschreibung>"
    "Helle Wohnung mit Balkon, ruhige Lage, gute Anbindung.</objektbeschreibung></freitexte>"
    "<anhaenge>{anhaenge}</anhaenge><verwaltung_techn><objektnr_extern>ALT-{i}</objektnr_extern>"
    "<openimmo_obid>OBJ{i:010d}</openimmo_obid><stand_vom>2026-11-30</stand_vom></verwaltung_techn></immobilie>"
)
_PICTURE = (
    '<anhang location="EXTERN" gruppe="{gruppe}"><anhangtitel>{titel}</anhangtitel><format>image/jpeg</format>'
    "<daten><pfad>{pfad}</pfad></daten></anhang>"
)


def _openimmo_zip(path: Path, n: int) -> int:
    """`n` flats as one OpenImmo XML with two JPEGs each, in one ZIP; returns its size in bytes."""
    from PIL import Image

    rng = random.Random(11)
    cities = [("50667", "Köln"), ("53111", "Bonn"), ("40213", "Düsseldorf"), ("10115", "Berlin")]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        parts = ['<?xml version="1.0" encoding="UTF-8"?>\n<openimmo><uebertragung art="OFFLINE" umfang="VOLL" '
                 'version="1.2.7" sendersoftware="Altsystem" senderversion="1"/><anbieter>'
                 "<anbieternr>A1</anbieternr><firma>Altbüro</firma><openimmo_anid>ALT</openimmo_anid>"]  # fmt: skip
        for i in range(1, n + 1):
            pictures = []
            for k, group in enumerate(("TITELBILD", "INNENANSICHTEN"), start=1):
                name = f"ALT-{i}_{k:02d}.jpg"
                out = io.BytesIO()
                colour = (rng.randrange(256), rng.randrange(256), rng.randrange(256))
                Image.new("RGB", (64, 48), colour).save(out, "JPEG", quality=80)
                zf.writestr(name, out.getvalue())
                pictures.append(_PICTURE.format(gruppe=group, titel=f"Bild {k}", pfad=name))
            plz, ort = cities[i % len(cities)]
            buy = i % 3 != 0
            price = (
                f"<kaufpreis>{rng.randrange(150, 900) * 1000}</kaufpreis>"
                if buy
                else f"<kaltmiete>{rng.randrange(500, 2500)}</kaltmiete>"
            )
            parts.append(
                _LISTING.format(
                    i=i, kauf=str(buy).lower(), miete=str(not buy).lower(), plz=plz, ort=ort,
                    strasse="Hauptstraße", nr=i % 200 + 1, preis=price, flaeche=40 + i % 120,
                    zimmer=1 + i % 5, titel=f"Wohnung {i} in {ort}", anhaenge="".join(pictures),
                )
            )  # fmt: skip
        parts.append("</anbieter></openimmo>")
        zf.writestr("export.xml", "".join(parts).encode("utf-8"))
    return path.stat().st_size


def _json(inst: Install, code: str) -> dict[str, Any]:
    return dict(json.loads(inst.django_shell(code).splitlines()[-1]))


def _walk(inst: Install, run: int, dry_run: bool) -> dict[str, Any]:
    return _json(inst, _WALK.format(run=run, dry_run=dry_run))


def _upload(inst: Install, path: Path, kind: str) -> int:
    return int(_json(inst, _UPLOAD.format(path=str(path), kind=kind))["run"])


def _steps(inst: Install, label: str, small: Path, big: Path, kind: str, log: Any) -> dict[str, Any]:
    """Dry run of the small file; dry run, commit and a re-run (dry run and commit) of the big one."""
    out: dict[str, Any] = {}
    out["dry_small"] = _walk(inst, _upload(inst, small, kind), dry_run=True)
    log(label, "dry run small", out["dry_small"])
    run = _upload(inst, big, kind)
    out["dry"] = _walk(inst, run, dry_run=True)
    log(label, "dry run", out["dry"])
    out["commit"] = _walk(inst, run, dry_run=False)
    log(label, "commit", out["commit"])
    again = _upload(inst, big, kind)
    out["rerun_dry"] = _walk(inst, again, dry_run=True)
    log(label, "re-run dry", out["rerun_dry"])
    out["rerun"] = _walk(inst, again, dry_run=False)
    log(label, "re-run commit", out["rerun"])
    return out


def _mb(n: float) -> str:
    return f"{n / 1e6:,.0f} MB"


def _counts(c: dict[str, int]) -> str:
    return ", ".join(f"{k} {v:,}" for k, v in c.items() if v)


def _load(load: tuple[float, float, float]) -> str:
    return "/".join(f"{x:.1f}" for x in load)


def _log(label: str, step: str, result: dict[str, Any]) -> None:
    print(
        f"  {label} {step}: {result['seconds']:.1f} s, +{_mb(result['peak'])}, {result['counts']}", flush=True
    )


def run(args: argparse.Namespace) -> str:
    default = "10000,1000" if args.quick else "100000,10000"
    n_contacts, n_props = (int(x) for x in os.environ.get("BENCH_IMPORTS_SCALE", default).split(","))
    load_before = os.getloadavg()
    started = time.monotonic()
    with install("sqlite") as inst:
        inst.env["MAX_UPLOAD_BYTES"] = str(2 * 1024**3)  # the big files: the command line has no upload
        inst.manage("seed_demo", "--contacts", "0", "--properties", "0", "--activities", "0", "-v0")
        files = inst.data_dir / "files"
        files.mkdir()
        t0 = time.monotonic()
        sizes = {
            "contacts_small": _contacts_csv(files / "kontakte_klein.csv", n_contacts // 10),
            "contacts": _contacts_csv(files / "kontakte.csv", n_contacts),
            "props_small": _openimmo_zip(files / "objekte_klein.zip", n_props // 10),
            "props": _openimmo_zip(files / "objekte.zip", n_props),
        }
        print(f"  files written in {time.monotonic() - t0:.0f} s: {sizes}", flush=True)
        contacts = _steps(
            inst, "contacts", files / "kontakte_klein.csv", files / "kontakte.csv", "contacts", _log
        )
        props = _steps(
            inst, "properties", files / "objekte_klein.zip", files / "objekte.zip", "properties", _log
        )
        export_path = inst.data_dir / "office-export.zip"
        exported = _json(inst, _EXPORT.format(out=str(export_path)))
        print(f"  export: {exported}", flush=True)
        counts_before = _json(inst, _COUNTS % exported["office"])
        zip_size = export_path.stat().st_size
        with install("sqlite") as empty:
            loaded = _json(empty, _IMPORT.replace("{path!r}", repr(str(export_path))))
            print(f"  import_office: {loaded}", flush=True)
            counts_after = _json(empty, _COUNTS % exported["office"])
    load_after = os.getloadavg()
    differ = {k: (v, counts_after.get(k)) for k, v in counts_before.items() if counts_after.get(k) != v}
    rows = []
    for label, n, small, r in (
        ("contacts (CSV)", n_contacts, n_contacts // 10, contacts),
        ("properties (OpenImmo ZIP, 2 pictures each)", n_props, n_props // 10, props),
    ):
        first = r["commit"]["seconds"]
        rows += [
            [label, f"dry run {small:,}", f"{r['dry_small']['seconds']:.0f} s", _mb(r["dry_small"]["peak"]), "", _counts(r["dry_small"]["counts"])],
            [label, f"dry run {n:,}", f"{r['dry']['seconds']:.0f} s", _mb(r["dry"]["peak"]), "", _counts(r["dry"]["counts"])],
            [label, f"commit {n:,}", f"{first:.0f} s", _mb(r["commit"]["peak"]), "1.00", _counts(r["commit"]["counts"])],
            [label, "re-run: dry run", f"{r['rerun_dry']['seconds']:.0f} s", _mb(r["rerun_dry"]["peak"]), f"{r['rerun_dry']['seconds'] / first:.2f}", _counts(r["rerun_dry"]["counts"])],
            [label, "re-run: commit", f"{r['rerun']['seconds']:.0f} s", _mb(r["rerun"]["peak"]), f"{r['rerun']['seconds'] / first:.2f}", _counts(r["rerun"]["counts"]) + f"; written: {_counts(r['rerun']['written']) or 'nothing'}"],
        ]  # fmt: skip
    table = md_table(["import", "step", "time", "peak (RSS growth)", "÷ commit", "report"], rows)
    ratio = lambda r: r["dry"]["peak"] / max(r["dry_small"]["peak"], 1e6)  # noqa: E731  # below 1 MB: noise
    records = sum(counts_before.values())
    equal = "identical in every section" if not differ else f"DIFFERENT: {differ}"
    return f"""{__doc__.split(chr(10) + chr(10), 1)[1].split(chr(10) + chr(10) + "Sizes:")[0] if __doc__ else ""}

Files: {n_contacts:,} contacts, {sizes["contacts"]:,} bytes (cp1252, `;`); {n_props:,} properties with
{2 * n_props:,} pictures, a ZIP of {sizes["props"]:,} bytes. Office empty before (`seed_demo` with no data).

{table}

Memory, dry run of the ten times bigger file ÷ the small one: contacts {ratio(contacts):.1f}×, properties
{ratio(props):.1f}× (1.0 would be flat; growth below 1 MB counts as 1 MB). Peak RSS of the biggest
step: {_mb(max(r["rss"] for x in (contacts, props) for r in x.values()))}.

Export (`maklerwerk export_office`): {exported["seconds"]:.0f} s, peak +{_mb(exported["peak"])}, ZIP {zip_size / 1e6:,.0f} MB,
{records:,} records. `maklerwerk import_office` into an empty SQLite instance: {loaded["seconds"]:.0f} s, peak
+{_mb(loaded["peak"])}; counts per export section: {equal} ({len(counts_before)} sections; files are checked
against their SHA-256 by the import itself).

Load average (1/5/15 min) before {_load(load_before)}, after {_load(load_after)}; 2 cores shared with other
workers: absolute times are noisy, the ratios come from one run. Took {time.monotonic() - started:.0f} s.
"""
