"""Done-when journey of issue 20 (address book): connect a CardDAV account, preview the first
sync, run it, edit a phone on the server, sync, see the change on the contact.

Screenshots at 1440 and 390 px: var/screenshots/davsync-*.png."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from maklerwerk.contacts.models import Contact
from maklerwerk.contacts.services import contact_create, contact_validate
from tests.browser.helpers import shot
from tests.davsync.conftest import Book, card, dav_server

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
__all__ = ["dav_server"]  # the Radicale fixture, shared with tests/davsync


def both_widths(page: Page, name: str) -> None:
    page.set_viewport_size({"width": 1440, "height": 900})
    shot(page, f"davsync-{name}-1440")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, f"davsync-{name}-390")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.set_viewport_size({"width": 1440, "height": 900})


def test_connect_preview_sync_and_a_phone_edited_on_the_server_reaches_the_contact(
    page: Page, live_server: Any, logged_in: Any, dav_server: dict[str, str]
) -> None:
    book = Book(dav_server)
    book.put("sabine.vcf", card("s-1", "Sabine", "Krüger", email="sabine@example.de", tel="+49 170 1111111"))
    book.put("tom.vcf", card("t-1", "Tom", "Neu", email="tom@example.de"))
    known = contact_create(
        office=logged_in.office,
        acting_user=logged_in,
        data=contact_validate(
            office=logged_in.office,
            data={
                "first_name": "Sabine",
                "last_name": "Krüger",
                "emails": [{"value": "sabine@example.de", "kind": "private"}],
            },
        ),
    )

    page.goto(live_server.url + "/settings/")
    page.get_by_role("tab", name="Vorlagen und E-Mail").click()
    page.get_by_role("link", name="Adressbuch & Kalender").click()
    page.get_by_label("Adresse der Sammlung").fill(book.url)
    page.get_by_label("Benutzername").fill(dav_server["user"])
    page.get_by_label("Passwort").fill(dav_server["password"])
    both_widths(page, "connect")
    page.get_by_role("button", name="Verbinden").click()
    expect(
        page.get_by_text("Verbunden. Bitte vor der ersten Synchronisierung die Vorschau prüfen.")
    ).to_be_visible()

    page.get_by_role("button", name="Verbindung testen").click()
    expect(page.get_by_text("Die Verbindung funktioniert.")).to_be_visible()
    page.get_by_role("button", name="Vorschau").click()
    preview = page.locator("#dav-preview")
    expect(preview).to_contain_text("Dieselbe Person wie Sabine Krüger")
    expect(preview).to_contain_text("Tom Neu")
    expect(page.locator("#dav-result")).to_contain_text(
        "Vorschau: 1 neu in Maklerwerk, 1 vorhandenen Kontakten zugeordnet"
    )
    both_widths(page, "preview")
    assert Contact.objects.count() == 1  # the preview changed nothing

    page.get_by_role("button", name="Jetzt synchronisieren").click()
    expect(page.locator("#dav-result")).to_contain_text("Synchronisierung beendet")
    assert Contact.objects.count() == 2  # Sabine was matched, not copied
    expect(page.locator("#dav-log")).to_contain_text("gehört zum vorhandenen Kontakt Sabine Krüger")

    book.put(
        "sabine.vcf",
        card("s-1", "Sabine", "Krüger", email="sabine@example.de", tel="+49 170 9999999"),
        etag=book.listing()["sabine.vcf"],
    )
    page.get_by_role("button", name="Jetzt synchronisieren").click()
    expect(page.locator("#dav-result")).to_contain_text("1 in Maklerwerk aktualisiert")
    both_widths(page, "synced")

    page.goto(f"{live_server.url}/contacts/{known.pk}/")
    expect(page.get_by_text("0170 9999999").first).to_be_visible()
    assert [p.value for p in known.phones.all()] == ["+491709999999"]  # replaced, not added
    both_widths(page, "contact")
