"""OpenImmo ZIP import of properties with pictures: dry run, commit, re-run unchanged, undo."""

from __future__ import annotations

from typing import Any

import pytest

from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.imports import services
from maklerwerk.imports.models import ImportRun
from maklerwerk.imports.openimmo import run_listings
from maklerwerk.properties.models import Property
from tests.integrations.test_openimmo_reader import FIXTURES, SIMPLE, doc, jpeg, zipped

pytestmark = pytest.mark.django_db


def foo_zip() -> bytes:
    return zipped(
        {
            "foo.xml": (FIXTURES / "ext-realty__foo.xml").read_bytes(),
            "foo.jpg": jpeg(),
            "bar.jpg": jpeg("blue"),
        }
    )


def _walk(office: Any, agent: Any, raw: bytes, dry_run: bool = False, run: ImportRun | None = None) -> Any:
    run = run or services.run_upload(
        office=office,
        acting_user=agent,
        raw=raw,
        filename="export.zip",
        source_system="other",
        kind="properties",
    )
    report = run_listings(run=run, acting_user=agent, dry_run=dry_run).as_dict()
    services.run_report_save(run=run, report=report)
    return run, report


def test_dry_run_then_commit_creates_the_property_with_its_pictures_in_preparation(
    office: Any, agent: Any
) -> None:
    run, report = _walk(office, agent, foo_zip(), dry_run=True)
    assert report["counts"]["created"] == 1 and Property.objects.count() == 0
    run, report = _walk(office, agent, foo_zip(), run=run)
    prop = Property.objects.get(office=office, external_id="1234-ABC")
    assert prop.status == "preparation"  # never published automatically
    assert prop.postal_code == "53111"
    assert prop.images.count() == 2


def test_the_same_package_again_changes_nothing_and_undo_removes_the_property(
    office: Any, agent: Any
) -> None:
    first, _report = _walk(office, agent, foo_zip())
    stamp = Property.objects.get().updated_at
    _run, again = _walk(office, agent, foo_zip())
    assert again["counts"]["unchanged"] == 1 and again["counts"]["created"] == 0
    assert Property.objects.get().updated_at == stamp and Property.objects.get().images.count() == 2
    assert services.run_undo(run=first, acting_user=agent) == {"removed": 1, "kept": 0, "reverted": 0}
    assert Property.objects.count() == 0


def test_a_deleted_listing_is_reported_not_imported_and_a_known_kennung_is_not_touched(
    office: Any, agent: Any
) -> None:
    from maklerwerk.properties.services import property_create

    own = property_create(office=office, acting_user=agent, data={"external_id": "W-1", "title": "Unsere"})
    _run, report = _walk(office, agent, doc(SIMPLE.format(aktion="")))
    assert report["counts"]["duplicate"] == 1
    assert Property.objects.get(pk=own.pk).title == "Unsere"
    _run, report = _walk(office, agent, doc(SIMPLE.format(aktion='<aktion aktionart="delete"/>')))
    assert report["counts"]["skipped"] == 1
    assert report["rows"][-1]["reason"] == "Im Altsystem als gelöscht markiert; nicht importiert."


def test_an_unreadable_package_is_refused_at_upload_and_nothing_is_kept(office: Any, agent: Any) -> None:
    bad = zipped({"x.xml": doc(SIMPLE.format(aktion="")), "../evil.jpg": b"x"})
    with pytest.raises(ApplicationError, match="Pfad außerhalb des Archivs"):
        services.run_upload(
            office=office,
            acting_user=agent,
            raw=bad,
            filename="x.zip",
            source_system="other",
            kind="properties",
        )
    assert ImportRun.objects.count() == 0


DOCS = (
    "<immobilie><verwaltung_techn><objektnr_extern>D-1</objektnr_extern></verwaltung_techn>"
    "<freitexte><objekttitel>Mit Unterlagen</objekttitel></freitexte>"
    '<objektkategorie><objektart><haus/></objektart><vermarktungsart KAUF="1"/></objektkategorie>'
    "<anhaenge>"
    '<anhang gruppe="TITELBILD"><anhangtitel>Außen</anhangtitel>'
    "<daten><pfad>bilder/aussen.jpg</pfad></daten></anhang>"
    '<anhang gruppe="GRUNDRISS"><anhangtitel>Grundriss EG</anhangtitel>'
    "<daten><pfad>docs/eg.pdf</pfad></daten></anhang>"
    '<anhang gruppe="DOKUMENTE"><anhangtitel>Teilungserklärung</anhangtitel><daten><pfad>docs/te.pdf</pfad>'
    "</daten></anhang>"
    '<anhang gruppe="DOKUMENTE"><daten><pfad>docs/makro.exe</pfad></daten></anhang>'
    "</anhaenge></immobilie>"
)


def test_documents_of_the_package_come_along_and_other_files_are_a_warning(office: Any, agent: Any) -> None:
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    raw = zipped({"export.xml": doc(DOCS), "bilder/aussen.jpg": jpeg(), "docs/eg.pdf": pdf,
                  "docs/te.pdf": pdf, "docs/makro.exe": b"MZ"})  # fmt: skip
    _run, report = _walk(office, agent, raw)
    prop = Property.objects.get(external_id="D-1")
    assert prop.images.count() == 1
    documents = {(d.title, d.kind) for d in prop.documents.all()}
    assert documents == {("Grundriss EG", "floor_plan"), ("Teilungserklärung", "other")}
    row = report["rows"][0]
    assert row["warnings"] == ["docs/makro.exe ist weder ein Bild noch ein Dokument; nicht importiert."]
