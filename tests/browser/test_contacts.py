"""Chromium journeys through the contact area (the issue's "Done when"). Screenshots: var/screenshots/."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import shot
from tests.contacts.conftest import FIXTURES, make_contact

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_create_a_contact_with_company_and_bank_data(page: Page, live_server: Any, logged_in: Any) -> None:
    page.goto(f"{live_server.url}/contacts/")
    page.get_by_role("link", name="Hinzufügen").click()
    page.get_by_label("Anrede", exact=True).select_option("frau")
    page.get_by_label("Titel", exact=True).fill("Dr.")
    page.get_by_label("Vorname", exact=True).fill("Clara")
    page.get_by_label("Nachname", exact=True).fill("Wagner")
    page.locator("#id_emails-0-value").fill("clara.wagner@example.de")
    page.locator("#id_phones-0-value").fill("0611 123456")
    page.get_by_role("checkbox", name="Eigentümer").check()
    page.get_by_role("tab", name="Firma").click()
    page.get_by_label("Firma", exact=True).fill("Wagner Immobilien")
    page.get_by_label("Rechtsform", exact=True).select_option("gmbh")
    page.get_by_label("USt-IdNr.", exact=True).fill("DE136695976")
    page.get_by_role("tab", name="Sonstiges").click()
    page.get_by_label("IBAN", exact=True).fill("DE89 3704 0044 0532 0130 01")  # wrong check digit first
    shot(page, "contacts-form")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("Bitte korrigieren Sie die markierten Felder.")).to_be_visible()
    page.get_by_role("tab", name="Sonstiges").click()
    expect(page.get_by_text("falsche Prüfziffer")).to_be_visible()
    shot(page, "contacts-form-errors")
    page.get_by_label("IBAN", exact=True).fill("DE89 3704 0044 0532 0130 00")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("heading", name=re.compile("Dr. Clara Wagner"))).to_be_visible()
    expect(page.get_by_text("AGB / Provision – nicht bestätigt")).to_be_visible()
    expect(page.locator("#letter-salutation")).to_have_text("Sehr geehrte Frau Dr. Wagner")
    page.get_by_role("tab", name="Sonstiges").click()
    expect(page.locator("#iban")).to_have_text("DE89 3704 0044 0532 0130 00")
    shot(page, "contacts-detail")


def test_sort_and_search_the_list(page: Page, live_server: Any, logged_in: Any, office: Any) -> None:
    make_contact(office, logged_in, last_name="Albrecht", first_name="Anna", city="Zwickau")
    make_contact(office, logged_in, last_name="Zeller", first_name="Zoe", city="Aachen",
                 phones=[{"value": "0221 555666", "kind": "mobile"}], roles=["prospect"])  # fmt: skip
    make_contact(
        office, logged_in, last_name="Müller", first_name="Max", city="Köln", company_name="Müller Bau"
    )
    page.goto(f"{live_server.url}/contacts/")
    rows = page.locator("#contact-table tbody tr")
    expect(rows.first).to_contain_text("Albrecht")
    page.get_by_role("link", name="Ort").click()
    expect(rows.first).to_contain_text("Zeller")
    page.get_by_role("link", name="Ort").click()  # descending
    expect(rows.first).to_contain_text("Albrecht")
    page.keyboard.press("/")
    expect(page.locator("[data-search]")).to_be_focused()
    page.keyboard.type("+49 221 5556")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Zeller")
    page.locator("[data-search]").fill("mul")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Müller Bau")
    shot(page, "contacts-list")


def test_upload_a_file_by_drag_and_drop(page: Page, live_server: Any, logged_in: Any, office: Any) -> None:
    contact = make_contact(office, logged_in, last_name="Drop", first_name="Dora")
    page.goto(f"{live_server.url}/contacts/{contact.pk}/#files")
    zone = page.locator("[data-drop-target]")
    expect(zone).to_be_visible()
    data = page.evaluate_handle(
        """() => { const dt = new DataTransfer();
        dt.items.add(new File(["%PDF-1.4 Grundbuch"], "Grundbuchauszug.pdf", {type: "application/pdf"}));
        dt.items.add(new File(["Notizen"], "notizen.txt", {type: "text/plain"}));
        return dt; }"""
    )
    zone.dispatch_event("dragenter", {"dataTransfer": data})
    zone.dispatch_event("drop", {"dataTransfer": data})
    expect(page.get_by_text("2 Datei(en) hochgeladen.")).to_be_visible()
    page.get_by_role("tab", name=re.compile("Dateien")).click()
    expect(page.locator("#file-table")).to_contain_text("Grundbuchauszug.pdf")
    expect(page.locator("#file-table")).to_contain_text("notizen.txt")
    shot(page, "contacts-files")
    with page.expect_download() as download:
        page.get_by_role("link", name="Grundbuchauszug.pdf").click()
    assert download.value.suggested_filename == "Grundbuchauszug.pdf"


def test_relate_two_people_and_see_the_inverse_label(
    page: Page, live_server: Any, logged_in: Any, office: Any
) -> None:
    parent = make_contact(office, logged_in, last_name="Hoffmann", first_name="Helga")
    child = make_contact(office, logged_in, last_name="Hoffmann", first_name="Hanna", city="Mainz")
    page.goto(f"{live_server.url}/contacts/{parent.pk}/#related")
    page.locator("#relationship-form .ts-control input").fill("Hoffmann")
    page.locator(".ts-dropdown .option", has_text="Hoffmann, Hanna").click()
    page.get_by_label(re.compile("ist … von Helga")).select_option("child")
    page.get_by_role("button", name="Verbinden").click()
    expect(page.get_by_text("zu den verbundenen Personen hinzugefügt")).to_be_visible()
    page.get_by_role("tab", name=re.compile("Verbundene Personen")).click()
    expect(page.locator("#related-people [data-relationship-label]")).to_have_text("Kind")
    shot(page, "contacts-related")
    page.get_by_role("link", name=re.compile(r"Öffnen Hanna Hoffmann")).click()  # the avatar opens the person
    expect(page).to_have_url(re.compile(rf"/contacts/{child.pk}/"))
    page.get_by_role("tab", name=re.compile("Verbundene Personen")).click()
    expect(page.locator("#related-people [data-relationship-label]")).to_have_text("Elternteil")


def test_import_a_multi_contact_vcard_and_see_the_summary(
    page: Page, live_server: Any, logged_in: Any
) -> None:
    page.goto(f"{live_server.url}/contacts/")
    page.get_by_role("link", name="Aus vCard anlegen").click()
    page.get_by_label("vCard-Datei (.vcf)").set_input_files(str(FIXTURES / "ez-vcard__John_Doe_ANDROID.vcf"))
    page.get_by_role("button", name="Hochladen und Vorschau").click()
    preview = page.locator("#import-preview")
    expect(preview).to_contain_text("6 Einträge")
    expect(preview).to_contain_text("john.doe@company.com")
    shot(page, "contacts-import-preview")
    page.get_by_role("button", name="6 Kontakte importieren").click()
    summary = page.locator("#import-summary")
    expect(summary.locator("[data-count=created]")).to_have_text("6 angelegt")
    expect(summary.locator("[data-count=failed]")).to_have_text("0 fehlgeschlagen")
    shot(page, "contacts-import-summary")
