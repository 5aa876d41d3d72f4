"""Chromium: entering a contact that differs only by Müller/Mueller and Str./Straße shows the
duplicate dialog with reasons; merging keeps every activity and file. Screenshots: var/screenshots/."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import Page, expect

from maklerwerk.contacts.models import Contact, ContactFile
from maklerwerk.core.models import Activity
from tests.browser.helpers import shot
from tests.duplicates.conftest import MUELLER, make_contact

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _with_history(office: Any, contact: Any, agent: Any, n_activities: int, file_name: str) -> None:
    for i in range(n_activities):
        Activity.objects.create(
            office=office, type="note", subject=f"Notiz {i} ({contact.last_name})", contact=contact
        )
    from maklerwerk.contacts.services import contact_file_add

    contact_file_add(
        contact=contact,
        acting_user=agent,
        upload=SimpleUploadedFile(file_name, b"%PDF-1.4 test", content_type="application/pdf"),
    )


def test_entering_mueller_with_str_shows_the_dialog_with_reasons(
    page: Page, live_server: Any, logged_in: Any, office: Any
) -> None:
    existing = make_contact(office, **MUELLER)
    page.goto(f"{live_server.url}/contacts/new/")
    page.get_by_label("Vorname").fill("Thomas")
    page.get_by_label("Nachname").fill("Mueller")
    page.get_by_label("Straße").fill("Hauptstr.")
    page.get_by_label("Hausnummer").fill("12a")
    page.get_by_label("PLZ").fill("50667")
    page.get_by_label("Ort").fill("Köln")
    page.get_by_role("button", name="Speichern").first.click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Name klingt gleich (Kölner Phonetik)")
    expect(dialog).to_contain_text("gleiche Anschrift")
    expect(dialog.get_by_role("link", name="Thomas Müller")).to_have_attribute(
        "href", f"/contacts/{existing.pk}/"
    )
    shot(page, "duplicates-dialog")
    assert Contact.objects.count() == 1  # nothing saved until the user decides


def test_merging_keeps_every_activity_and_file(
    page: Page, live_server: Any, logged_in: Any, office: Any
) -> None:
    survivor = make_contact(office, emails=("thomas.mueller@example.de",), **MUELLER)
    other = make_contact(
        office,
        emails=("t.mueller@firma.example",),
        phones=("0170 1234567",),
        **{**MUELLER, "last_name": "Mueller", "street": "Hauptstr.", "birth_date": "1970-03-21"},
    )
    _with_history(office, survivor, logged_in, 2, "vertrag.pdf")
    _with_history(office, other, logged_in, 3, "ausweis.pdf")

    page.goto(f"{live_server.url}/duplicates/merge/{survivor.pk}/{other.pk}/")
    expect(page.get_by_role("heading", name="Kontakte zusammenführen")).to_be_visible()
    expect(page.locator("tr.table-warning")).not_to_have_count(0)  # differing fields are highlighted
    page.get_by_role("radio", name="Mueller").check()
    shot(page, "duplicates-merge")
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="Zusammenführen").click()
    page.wait_for_url(f"**/contacts/{survivor.pk}/")
    expect(page.get_by_text("Kontakte zusammengeführt")).to_be_visible()
    shot(page, "duplicates-merged")

    survivor.refresh_from_db()
    assert survivor.last_name == "Mueller" and str(survivor.birth_date) == "1970-03-21"
    assert not Contact.objects.filter(pk=other.pk).exists()
    assert Activity.objects.filter(contact=survivor).count() == 5
    assert sorted(ContactFile.objects.filter(contact=survivor).values_list("name", flat=True)) == [
        "ausweis.pdf",
        "vertrag.pdf",
    ]
    assert sorted(survivor.emails.values_list("value", flat=True)) == [
        "t.mueller@firma.example",
        "thomas.mueller@example.de",
    ]


def test_dubletten_page_finds_groups_in_the_background(
    page: Page, live_server: Any, logged_in: Any, office: Any
) -> None:
    make_contact(office, **MUELLER)
    make_contact(office, **{**MUELLER, "last_name": "Mueller", "street": "Hauptstr."})
    make_contact(office, first_name="Erika", last_name="Mustermann", postal_code="10115", city="Berlin")
    page.goto(f"{live_server.url}/duplicates/")
    page.get_by_role("button", name="Alle Kontakte durchsuchen").click()
    expect(page.get_by_role("status")).to_contain_text("fertig", timeout=15_000)
    page.reload()
    group = page.get_by_test_id("duplicate-group")
    expect(group).to_have_count(1)
    expect(group).to_contain_text("Name klingt gleich (Kölner Phonetik)")
    shot(page, "duplicates-page")
