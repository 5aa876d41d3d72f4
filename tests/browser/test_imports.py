"""Switching from the old system: a CSV export with a saved mapping, dry run, fix, import, re-run, undo.

Screenshots at 1440 and 390 px: var/screenshots/import-*.png."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from maklerwerk.contacts.models import Contact
from maklerwerk.imports.models import ImportMapping
from tests.browser.helpers import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXPORT = (
    "Kontakt-Nr.;Anrede;Vorname;Nachname;E-Mail;Telefon;PLZ;Ort;Notiz\r\n"
    "K-1;Herr;Jürgen;Groß;juergen@example.de;030 1234567;10115;Berlin;Rückruf erwünscht\r\n"
    "K-2;Frau;Anna;Weiß;anna@example.de;;80331;München;\r\n"
    "K-3;Frau;Eva;Öztürk;eva@example.de;;50667;Köln;Stammkundin\r\n"
).encode("cp1252")


def both_widths(page: Page, name: str) -> None:
    page.set_viewport_size({"width": 1440, "height": 900})
    shot(page, f"import-{name}-1440")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, f"import-{name}-390")
    page.set_viewport_size({"width": 1440, "height": 900})


def upload(page: Page, base: str, path: Path) -> None:
    page.goto(f"{base}/contacts/")
    page.get_by_role("link", name="Aus Altsystem übernehmen").click()
    page.get_by_label("CSV-Datei").set_input_files(str(path))
    page.get_by_label("Altsystem").select_option("FLOWFACT")
    page.get_by_label("Gespeicherte Zuordnung").select_option("FLOWFACT Kontakte")
    page.get_by_role("button", name="Hochladen", exact=True).click()


def test_take_over_contacts_with_a_saved_mapping_dry_run_fix_import_rerun_and_undo(
    page: Page, live_server: Any, logged_in: Any, office: Any, tmp_path: Path
) -> None:
    # Saved the last time, with a mistake: the note column went to the date of birth.
    ImportMapping.objects.create(
        office=office, name="FLOWFACT Kontakte", source_system="flowfact",
        columns={"Kontakt-Nr.": "source_id", "Vorname": "first_name", "Nachname": "last_name",
                 "E-Mail": "email", "Telefon": "phone", "PLZ": "postal_code", "Ort": "city",
                 "Notiz": "birth_date"},
    )  # fmt: skip
    path = tmp_path / "flowfact-kontakte.csv"
    path.write_bytes(EXPORT)
    base = live_server.url

    upload(page, base, path)
    expect(page.get_by_role("heading", name="Spalten von flowfact-kontakte.csv zuordnen")).to_be_visible()
    expect(page.get_by_text("Kodierung cp1252, Trennzeichen „;“")).to_be_visible()
    expect(page.get_by_label("Notiz")).to_have_value("birth_date")
    expect(page.get_by_label("Anrede")).to_have_value("salutation")  # the FLOWFACT preset fills the gap
    both_widths(page, "mapping")
    page.get_by_role("button", name="Probelauf").click()

    report = page.locator("#import-report")
    expect(report).to_contain_text("Probelauf: nichts wurde geschrieben")
    expect(report.locator("[data-count=failed]")).to_have_text("2 mit Fehlern")
    expect(report).to_contain_text("Notiz: „Rückruf erwünscht“ ist kein Datum (erwartet z. B. 31.12.2024).")
    assert Contact.objects.count() == 0
    both_widths(page, "dry-run-errors")

    page.get_by_role("link", name="Zuordnung ändern").click()
    page.get_by_label("Notiz").select_option("remarks")
    expect(page.get_by_label("Zuordnung speichern als")).to_have_value("FLOWFACT Kontakte")
    page.get_by_role("button", name="Probelauf").click()
    expect(report.locator("[data-count=created]")).to_have_text("3 neu")
    expect(report.locator("[data-count=failed]")).to_have_text("0 mit Fehlern")
    assert ImportMapping.objects.get(name="FLOWFACT Kontakte").columns["Notiz"] == "remarks"

    page.get_by_role("button", name="Jetzt importieren").click()
    expect(report).to_contain_text("Import abgeschlossen")
    expect(report.locator("[data-count=created]")).to_have_text("3 neu")
    expect(page.locator("[data-state]")).to_have_text("importiert")
    both_widths(page, "committed")
    first_run = page.url.split("?")[0]
    page.goto(f"{base}/contacts/")
    expect(page.locator("main")).to_contain_text("Groß")
    assert Contact.objects.get(last_name="Groß").remarks == "Rückruf erwünscht"

    # The same export again, with the fixed mapping: nothing changes.
    upload(page, base, path)
    expect(page.get_by_label("Notiz")).to_have_value("remarks")
    page.get_by_role("button", name="Probelauf").click()
    expect(report.locator("[data-count=created]")).to_have_text("0 neu")
    expect(report.locator("[data-count=unchanged]")).to_have_text("3 unverändert")
    page.get_by_role("button", name="Jetzt importieren").click()
    expect(report).to_contain_text("Import abgeschlossen")
    expect(report.locator("[data-count=unchanged]")).to_have_text("3 unverändert")
    assert Contact.objects.count() == 3

    # Undo the first import: its contacts are gone.
    page.goto(first_run)
    page.get_by_role("button", name="Diesen Import rückgängig machen").click()
    expect(page.get_by_text("Import rückgängig gemacht: 3 Datensätze entfernt, 0 behalten")).to_be_visible()
    expect(page.locator("[data-state]")).to_have_text("rückgängig gemacht")
    both_widths(page, "undone")
    assert Contact.objects.count() == 0
    page.goto(f"{base}/imports/")
    expect(page.locator("#import-runs tbody tr")).to_have_count(2)


def test_take_over_properties_from_an_openimmo_zip_with_pictures(
    page: Page, live_server: Any, logged_in: Any, office: Any, tmp_path: Path
) -> None:
    from maklerwerk.properties.models import Property
    from tests.integrations.test_openimmo_reader import FIXTURES, jpeg, zipped

    path = tmp_path / "portal-export.zip"
    path.write_bytes(zipped({"export/foo.xml": (FIXTURES / "ext-realty__foo.xml").read_bytes(),
                             "export/foo.jpg": jpeg(), "export/bar.jpg": jpeg("blue")}))  # fmt: skip
    page.goto(f"{live_server.url}/imports/")
    page.get_by_label("OpenImmo-Datei (.zip oder .xml)").set_input_files(str(path))
    page.get_by_role("button", name="Hochladen und Probelauf").click()
    report = page.locator("#import-report")
    expect(report).to_contain_text("Probelauf: nichts wurde geschrieben")
    expect(report.locator("[data-count=created]")).to_have_text("1 neu")
    expect(report).to_contain_text("Die Datei hat kein <uebertragung>-Element; trotzdem gelesen.")
    assert Property.objects.count() == 0
    both_widths(page, "openimmo-dry-run")

    page.get_by_role("button", name="Jetzt importieren").click()
    expect(report).to_contain_text("Import abgeschlossen")
    page.get_by_role("link", name="1234-ABC").click()
    expect(page).to_have_url(f"{live_server.url}/properties/{Property.objects.get().pk}/")
    assert Property.objects.get().images.count() == 2
    assert Property.objects.get().status == "preparation"
