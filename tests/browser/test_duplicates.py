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
    page.wait_for_url("**/duplicates/merges/*/")
    expect(page.get_by_role("heading", name="Kontakte zusammengeführt")).to_be_visible()
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


def shots_at_both_widths(page: Page, name: str) -> None:
    """Desktop (1440) and phone (390) width, back at desktop afterwards."""
    page.set_viewport_size({"width": 1440, "height": 900})
    shot(page, f"{name}-1440")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, f"{name}-390")
    page.set_viewport_size({"width": 1440, "height": 900})


def test_merge_a_typo_duplicate_into_the_good_record_and_undo_it(
    page: Page, live_server: Any, logged_in: Any, office: Any
) -> None:
    """GIVEN the good record and a later typo copy with a call logged on it, WHEN the agent merges
    from the typo's side, THEN the preview keeps the good values, the merge keeps them, and
    "Rückgängig machen" brings back both contacts with what belonged to each."""
    good = make_contact(
        office, emails=("k.wellmann@example.de",), phones=("069 1234567",),
        first_name="Katharina", last_name="Wellmann", street="Schillerstraße", house_number="4",
        postal_code="60313", city="Frankfurt am Main",
    )  # fmt: skip
    typo = make_contact(
        office, emails=("katarina.welmann@example.org",),
        first_name="Katarina", last_name="Welmann", street="Schillerstr.", house_number="4",
        postal_code="60313", city="Frankfurt", birth_date="1980-05-02",
    )  # fmt: skip
    Activity.objects.create(office=office, type="call", subject="Rückruf wegen Besichtigung", contact=typo)

    page.goto(f"{live_server.url}/duplicates/merge/{typo.pk}/{good.pk}/")
    expect(page.get_by_role("note")).to_contain_text("Katharina Wellmann (angelegt am")
    fields = page.get_by_role("table", name="Felder")
    for kept in ("Katharina", "Wellmann", "Schillerstraße", "Frankfurt am Main", "02.05.1980"):
        expect(fields.get_by_role("radio", name=f"{kept} wird übernommen", exact=True)).to_be_checked()
    for dropped in ("Katarina", "Welmann", "Schillerstr.", "Frankfurt"):
        expect(fields.get_by_role("radio", name=f"{dropped} wird verworfen", exact=True)).not_to_be_checked()
    shots_at_both_widths(page, "merge-preview")

    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="Zusammenführen").click()
    page.wait_for_url("**/duplicates/merges/*/")
    expect(page.get_by_role("heading", name="Kontakte zusammengeführt")).to_be_visible()
    expect(page.get_by_role("cell", name="Schillerstraße", exact=True)).to_be_visible()
    shots_at_both_widths(page, "merge-done")
    assert not Contact.objects.filter(pk=typo.pk).exists()

    page.get_by_role("link", name="Katharina Wellmann").click()
    page.get_by_role("tab", name="Historie").click()
    history = page.locator(".history-table")
    expect(history).to_contain_text("Zusammengeführter Kontakt")
    expect(history).to_contain_text("Nachname: Welmann")
    shots_at_both_widths(page, "merge-history")
    history.get_by_role("link", name="Details / rückgängig machen").click()

    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="Rückgängig machen").click()
    expect(page.get_by_role("heading", name="Zusammenführung rückgängig gemacht")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text(
        "Katharina Wellmann und Katarina Welmann sind wieder zwei"
    )
    shots_at_both_widths(page, "merge-undone")

    page.get_by_role("link", name="Katarina Welmann").click()
    expect(page.get_by_text("Schillerstr.", exact=False).first).to_be_visible()
    restored = Contact.objects.get(pk=typo.pk)
    assert (restored.first_name, restored.city) == ("Katarina", "Frankfurt")
    assert Activity.objects.get().contact_id == typo.pk
    good.refresh_from_db()
    assert (good.first_name, good.street, good.birth_date) == ("Katharina", "Schillerstraße", None)


def test_dubletten_page_finds_groups_in_the_background(
    page: Page, live_server: Any, logged_in: Any, office: Any
) -> None:
    make_contact(office, **MUELLER)
    make_contact(office, **{**MUELLER, "last_name": "Mueller", "street": "Hauptstr."})
    make_contact(office, first_name="Erika", last_name="Mustermann", postal_code="10115", city="Berlin")
    page.goto(f"{live_server.url}/duplicates/")
    page.get_by_role("button", name="Alle Kontakte durchsuchen").click()
    # No reload by hand: the page shows the groups when the search is done.
    group = page.get_by_test_id("duplicate-group")
    expect(group).to_have_count(1, timeout=15_000)
    expect(page.get_by_text("Keine wahrscheinlichen Dubletten gefunden.")).to_have_count(0)
    expect(group).to_contain_text("Name klingt gleich (Kölner Phonetik)")
    shot(page, "duplicates-page")
