"""Switching from the old system, the whole way a user goes (issue #18 "Done when"): a CSV export of
contacts with a mapping saved on the way, dry run, fix the mapping, import, re-run (nothing changes),
undo; then an OpenImmo ZIP with pictures, and the property shows them.

Screenshots at 1440 and 390 px: var/screenshots/import-*.png."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import shot
from tests.integrations.test_openimmo_reader import FIXTURES, jpeg, zipped

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXPORT = (
    "Kontakt-Nr.;Anrede;Vorname;Nachname;E-Mail;Telefon;PLZ;Ort;Notiz\r\n"
    "K-1;Herr;Jürgen;Groß;juergen@example.de;030 1234567;10115;Berlin;Rückruf erwünscht\r\n"
    "K-2;Frau;Anna;Weiß;anna@example.de;;80331;München;\r\n"
    "K-3;Frau;Eva;Öztürk;eva@example.de;;50667;Köln;Stammkundin\r\n"
).encode("cp1252")
NAMES = ("Groß", "Weiß", "Öztürk")


def both_widths(page: Page, name: str) -> None:
    page.set_viewport_size({"width": 1440, "height": 900})
    shot(page, f"import-{name}-1440")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, f"import-{name}-390")
    page.set_viewport_size({"width": 1440, "height": 900})


def upload(page: Page, base: str, path: Path, saved: str = "") -> None:
    page.goto(f"{base}/contacts/")
    page.get_by_role("link", name="Aus Altsystem übernehmen").click()
    page.get_by_label("CSV-Datei").set_input_files(str(path))
    page.get_by_label("Inhalt").select_option("contacts")
    page.get_by_label("Altsystem").select_option("FLOWFACT")
    if saved:
        page.get_by_label("Gespeicherte Zuordnung").select_option(saved)
    page.get_by_role("button", name="Hochladen", exact=True).click()


def contact_rows(page: Page, base: str) -> Any:
    page.goto(f"{base}/contacts/")
    return page.locator("#results tbody tr")


def test_switching_over_a_csv_of_contacts_with_a_saved_mapping_and_an_openimmo_zip_with_pictures(
    page: Page, live_server: Any, logged_in: Any, office: Any, tmp_path: Path
) -> None:
    base = live_server.url
    path = tmp_path / "flowfact-kontakte.csv"
    path.write_bytes(EXPORT)
    report = page.locator("#import-report")

    # First upload: no saved mapping yet. The FLOWFACT preset and the header synonyms suggest every
    # column; the user changes the note column by mistake to the date of birth and saves the mapping.
    upload(page, base, path)
    expect(page.get_by_role("heading", name="Spalten von flowfact-kontakte.csv zuordnen")).to_be_visible()
    expect(page.get_by_text("Kodierung cp1252, Trennzeichen „;“")).to_be_visible()
    expect(page.get_by_label("Anrede")).to_have_value("salutation")
    expect(page.get_by_label("Nachname")).to_have_value("last_name")
    expect(page.get_by_label("Notiz")).to_have_value("remarks")
    page.get_by_label("Notiz").select_option("birth_date")
    page.get_by_label("Zuordnung speichern als").fill("FLOWFACT Kontakte")
    both_widths(page, "mapping")
    page.get_by_role("button", name="Probelauf").click()

    # The dry run shows the mistake, row by row; nothing is written.
    expect(report).to_contain_text("Probelauf: nichts wurde geschrieben")
    expect(report.locator("[data-count=created]")).to_have_text("1 neu")
    expect(report.locator("[data-count=failed]")).to_have_text("2 mit Fehlern")
    expect(report).to_contain_text("Notiz: „Rückruf erwünscht“ ist kein Datum (erwartet z. B. 31.12.2024).")
    expect(report).to_contain_text("Notiz: „Stammkundin“ ist kein Datum")
    expect(page.locator("#import-state")).to_contain_text("Zuordnung: FLOWFACT Kontakte")
    both_widths(page, "dry-run-errors")
    expect(contact_rows(page, base)).to_have_text(["Noch keine Kontakte."])
    page.go_back()

    # Back to the mapping: the note becomes the remarks; the dry run is clean.
    page.get_by_role("link", name="Zuordnung ändern").click()
    expect(page.get_by_label("Notiz")).to_have_value("birth_date")
    expect(page.get_by_label("Zuordnung speichern als")).to_have_value("FLOWFACT Kontakte")
    page.get_by_label("Notiz").select_option("remarks")
    page.get_by_role("button", name="Probelauf").click()
    expect(report.locator("[data-count=created]")).to_have_text("3 neu")
    expect(report.locator("[data-count=failed]")).to_have_text("0 mit Fehlern")
    expect(report.locator("tbody tr[data-status=created]")).to_have_count(3)
    both_widths(page, "dry-run-clean")

    page.get_by_role("button", name="Jetzt importieren").click()
    expect(report).to_contain_text("Import abgeschlossen")
    expect(report.locator("[data-count=created]")).to_have_text("3 neu")
    expect(page.locator("[data-state]")).to_have_text("importiert")
    both_widths(page, "committed")
    first_run = page.url.split("?")[0]
    report.get_by_role("link", name="Jürgen Groß").click()
    expect(page.locator("main")).to_contain_text("Rückruf erwünscht")
    rows = contact_rows(page, base)
    expect(rows).to_have_count(3)
    for name in NAMES:
        expect(rows.filter(has_text=name)).to_have_count(1)

    # The same export again, with the saved (fixed) mapping chosen on upload: nothing changes.
    upload(page, base, path, saved="FLOWFACT Kontakte")
    expect(page.get_by_label("Notiz")).to_have_value("remarks")
    page.get_by_role("button", name="Probelauf").click()
    expect(report.locator("[data-count=created]")).to_have_text("0 neu")
    expect(report.locator("[data-count=updated]")).to_have_text("0 aktualisiert")
    expect(report.locator("[data-count=unchanged]")).to_have_text("3 unverändert")
    expect(report.locator("[data-count=failed]")).to_have_text("0 mit Fehlern")
    both_widths(page, "rerun")
    page.get_by_role("button", name="Jetzt importieren").click()
    expect(report).to_contain_text("Import abgeschlossen")
    expect(report.locator("[data-count=unchanged]")).to_have_text("3 unverändert")
    expect(contact_rows(page, base)).to_have_count(3)

    # Undo the first import: its contacts are gone from the list.
    page.goto(first_run)
    page.get_by_role("button", name="Diesen Import rückgängig machen").click()
    expect(page.get_by_text("Import rückgängig gemacht: 3 Datensätze entfernt")).to_be_visible()
    expect(page.locator("[data-state]")).to_have_text("rückgängig gemacht")
    both_widths(page, "undone")
    expect(contact_rows(page, base)).to_have_text(["Noch keine Kontakte."])
    page.goto(f"{base}/imports/")
    runs = page.locator("#import-runs tbody tr")
    expect(runs).to_have_count(2)
    expect(runs.filter(has_text="rückgängig gemacht")).to_have_count(1)
    both_widths(page, "index")

    # An OpenImmo ZIP with two pictures in a folder: dry run, import, the property shows them.
    package = tmp_path / "portal-export.zip"
    package.write_bytes(zipped({"export/foo.xml": (FIXTURES / "ext-realty__foo.xml").read_bytes(),
                                "export/foo.jpg": jpeg(), "export/bar.jpg": jpeg("blue")}))  # fmt: skip
    page.get_by_label("OpenImmo-Datei (.zip oder .xml)").set_input_files(str(package))
    page.locator("#openimmo-upload").get_by_role("button", name="Hochladen und Probelauf").click()
    expect(report).to_contain_text("Probelauf: nichts wurde geschrieben")
    expect(report.locator("[data-count=created]")).to_have_text("1 neu")
    expect(report).to_contain_text("Die Datei hat kein <uebertragung>-Element; trotzdem gelesen.")
    both_widths(page, "openimmo-dry-run")
    page.get_by_role("button", name="Jetzt importieren").click()
    expect(report).to_contain_text("Import abgeschlossen")
    expect(report.locator("[data-count=created]")).to_have_text("1 neu")

    report.get_by_role("link", name="1234-ABC").click()
    expect(page).to_have_url(re.compile(r"/properties/\d+/$"))
    expect(page.locator("main")).to_contain_text("In Vorbereitung")  # never published automatically
    images_tab = page.get_by_role("tab", name="Bilder")
    expect(images_tab).to_contain_text("2")
    images_tab.click()
    pictures = page.get_by_role("list", name="Bilder").locator("img")
    expect(pictures).to_have_count(2)
    for i in range(2):
        picture = pictures.nth(i)
        picture.scroll_into_view_if_needed()
        expect(picture).to_have_js_property("complete", True)
        assert picture.evaluate("img => img.naturalWidth") > 0, "the picture did not load"
    both_widths(page, "openimmo-property")
