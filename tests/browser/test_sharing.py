"""Browser journey: an agent shares documents with a prospect, who opens them in another browser."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from maklerwerk.sharing.models import AccessEvent, ConsentAcceptance, ShareLink
from maklerwerk.sharing.services import share_link_create, share_link_public_url
from tests.browser.helpers import log_in, shot
from tests.sharing.conftest import add_document

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def scene(office: Any, agent: Any) -> dict[str, Any]:
    from maklerwerk.contacts.models import Contact, ContactEmail
    from maklerwerk.properties.models import Property

    office.cancellation_notice_text = (
        "Widerrufsrecht: Sie haben das Recht, binnen vierzehn Tagen ohne Angabe von Gründen diesen Vertrag "
        "zu widerrufen."
    )
    office.terms_text = "Es gelten die Allgemeinen Geschäftsbedingungen der Testbüro Immobilien GmbH."
    office.street, office.postal_code, office.phone = "Domstraße 1", "50667", "0221 123456"
    office.save()
    contact = Contact.objects.create(office=office, first_name="Erika", last_name="Mustermann")
    ContactEmail.objects.create(contact=contact, office=office, value="erika@example.org")
    prop = Property.objects.create(
        office=office, external_id="W-001", title="Altbauwohnung Nordend", postal_code="50667", city="Köln"
    )
    add_document(prop, "Grundbuchauszug", b"%PDF-1.4 grundbuch " * 400)
    add_document(prop, "Energieausweis", b"%PDF-1.4 energie " * 9000)
    add_document(prop, "Teilungserklärung", b"%PDF-1.4 teilung " * 3000)
    add_document(prop, "Protokoll Eigentümerversammlung 2025", b"%PDF-1.4 protokoll " * 1500)
    add_document(prop, "Interne Kalkulation", b"geheim", protected=False)
    return {"contact": contact, "property": prop}


def open_contact_tab(page: Page, base: str, contact: Any) -> None:
    page.goto(f"{base}/contacts/{contact.pk}/")  # a full load, not a jump to the #tab of the same page
    page.get_by_role("tab", name="Geschützte Dokumente").click()
    expect(page.locator("#sharing-contact-tab")).to_be_visible()


def test_share_documents_with_a_prospect(
    page: Page, browser: Browser, live_server: Any, scene: dict[str, Any], agent: Any, office: Any
) -> None:
    base = live_server.url
    contact, prop = scene["contact"], scene["property"]
    log_in(page, base)

    # The agent creates a link on the contact's "Geschützte Dokumente" tab.
    open_contact_tab(page, base, contact)
    tab = page.locator("#sharing-contact-tab")
    expect(tab).to_be_visible()
    form = tab.locator("#link-create-form")
    form.get_by_label("Immobilie", exact=True).select_option(label="W-001 · Altbauwohnung Nordend")
    form.get_by_role("button", name="Link erstellen").click()
    expect(page.get_by_role("alert")).to_contain_text("Link für Erika Mustermann erstellt")
    link = ShareLink.objects.get()
    url = share_link_public_url(link).replace("http://127.0.0.1:8000", base)
    open_contact_tab(page, base, contact)
    expect(page.locator("[data-share-url]")).to_have_value(share_link_public_url(link))
    shot(page, "sharing-contact-tab-new-link")

    # The prospect opens it in their own browser and passes the consent gate.
    prospect_context = browser.new_context(accept_downloads=True, locale="de-DE")
    prospect = prospect_context.new_page()
    prospect.goto(url)
    expect(prospect.get_by_role("heading", name="Bevor es weitergeht")).to_be_visible()
    expect(prospect.locator("#office-name")).to_have_text("Testbüro Immobilien GmbH")
    expect(prospect.get_by_text("Grundbuchauszug")).to_have_count(0)
    shot(prospect, "sharing-public-consent")
    prospect.get_by_label("Ich habe die Widerrufsbelehrung gelesen und akzeptiere sie.").check()
    prospect.get_by_label("Ich akzeptiere die AGB.").check()
    prospect.get_by_role("button", name="Akzeptieren und Unterlagen anzeigen").click()
    expect(prospect.get_by_role("heading", name="Altbauwohnung Nordend")).to_be_visible()
    rows = prospect.locator("[data-entry]")
    expect(rows).to_have_count(4)
    expect(prospect.get_by_text("Interne Kalkulation")).to_have_count(0)
    shot(prospect, "sharing-public-list")
    # On the prospect's phone the list fits the screen (it scrolled sideways before).
    desktop = prospect.viewport_size
    prospect.set_viewport_size({"width": 390, "height": 844})
    assert prospect.evaluate("document.scrollingElement.scrollWidth - window.innerWidth") <= 0
    shot(prospect, "sharing-public-list-390")
    assert desktop is not None
    prospect.set_viewport_size(desktop)

    # Search filters as they type; the ZIP then contains what is shown.
    prospect.get_by_placeholder("Dateien und Ordner durchsuchen").fill("grund")
    expect(prospect.locator("[data-entry]:visible")).to_have_count(1)
    expect(prospect.locator("[data-entry]:visible")).to_contain_text("Grundbuchauszug")
    prospect.get_by_placeholder("Dateien und Ordner durchsuchen").fill("")
    expect(prospect.locator("[data-entry]:visible")).to_have_count(4)

    # Tile view, sorted by size.
    prospect.get_by_label("Sortieren").select_option(label="Größe (größte zuerst)")
    prospect.get_by_role("link", name="Kacheln").click()
    expect(prospect.locator("[data-view-mode=tiles]")).to_be_visible()
    expect(prospect.locator("[data-entry]").first).to_contain_text("Energieausweis")
    shot(prospect, "sharing-public-tiles")
    prospect.get_by_role("link", name="Liste").click()
    expect(prospect.locator("[data-view-mode=list]")).to_be_visible()

    # Download one file, then everything matching "protokoll" as a ZIP.
    with prospect.expect_download() as single:
        prospect.locator("[data-entry]", has_text="Teilungserklärung").get_by_role(
            "link", name="Herunterladen"
        ).click()
    assert single.value.suggested_filename == "Teilungserklärung.pdf"
    assert Path(single.value.path()).read_bytes().startswith(b"%PDF-1.4 teilung")
    prospect.get_by_placeholder("Dateien und Ordner durchsuchen").fill("protokoll")
    with prospect.expect_download() as archive:
        prospect.get_by_role("link", name="Alle angezeigten herunterladen").click()
    assert archive.value.suggested_filename == "Unterlagen W-001.zip"
    names = zipfile.ZipFile(io.BytesIO(Path(archive.value.path()).read_bytes())).namelist()
    assert names == ["Protokoll Eigentümerversammlung 2025.pdf"]

    # The agent sees the views and downloads on the contact and on the property.
    open_contact_tab(page, base, contact)
    tracking = page.locator("#sharing-contact-tab #document-tracking")
    # Four page views (after the consent, after sorting, tile view, list view) of one browser on one
    # day: one row that counts them.
    expect(tracking.locator("[data-event=view]")).to_have_count(1)
    expect(tracking.locator("[data-event=view]")).to_contain_text("4-mal")
    expect(tracking.locator("[data-event=download]")).to_contain_text("Teilungserklärung.pdf")
    expect(tracking.locator("[data-event=zip]")).to_contain_text("Protokoll Eigentümerversammlung 2025.pdf")
    expect(page.locator("#consents [data-consent]")).to_contain_text("Widerrufsbelehrung + AGB")
    expect(page.locator("[data-open-count]")).to_have_text("4")
    expect(page.locator("[data-download-count]")).to_have_text("2")
    shot(page, "sharing-contact-tab-tracking")
    page.goto(f"{base}/sharing/property/{prop.pk}/tab/")
    expect(page.locator("#document-tracking [data-event=download]")).to_contain_text("Erika Mustermann")
    expect(page.locator("#access-overview")).to_contain_text("Erika Mustermann")
    shot(page, "sharing-property-tab")

    # Preview: the same page, downloads disabled, nothing recorded.
    events_before = AccessEvent.objects.count()
    page.goto(f"{base}/sharing/links/{link.pk}/preview/")
    expect(page.locator("#preview-banner")).to_contain_text("Vorschau")
    expect(page.locator("[data-entry]")).to_have_count(4)
    expect(page.locator("a[data-download]")).to_have_count(0)
    expect(page.locator("#zip-button")).to_be_disabled()
    shot(page, "sharing-preview")
    assert AccessEvent.objects.count() == events_before

    # The agent deletes the link: the first click asks, the second deletes.
    open_contact_tab(page, base, contact)
    delete = page.locator("#sharing-contact-tab [data-confirm-twice]").first
    delete.click()
    expect(delete).to_contain_text("Wirklich löschen?")
    shot(page, "sharing-delete-confirm")
    assert ShareLink.objects.get().deleted_at is None
    delete.click()
    expect(page.get_by_role("alert")).to_contain_text("Der Link wurde gelöscht")

    # The prospect's next request fails, with the neutral page.
    prospect.reload()
    expect(prospect.get_by_role("heading", name="Link nicht mehr gültig")).to_be_visible()
    expect(prospect.get_by_text("Grundbuchauszug")).to_have_count(0)
    shot(prospect, "sharing-public-invalid")
    assert ConsentAcceptance.objects.count() == 1

    # An expired link fails the same way.
    expired = share_link_create(office=office, contact=contact, property=prop, acting_user=agent)
    ShareLink.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    prospect.goto(share_link_public_url(expired).replace("http://127.0.0.1:8000", base))
    expect(prospect.get_by_role("heading", name="Link nicht mehr gültig")).to_be_visible()
    prospect_context.close()
