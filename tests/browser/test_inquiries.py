"""Browser journey: a portal mail arrives over real IMAP, the prospect confirms in Chromium,
the contact appears and the exposé goes out over real SMTP; the agent sees it all."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import shot
from tests.inquiries import conftest as inquiry_fixtures
from tests.inquiries.conftest import deliver, fixture_mail, links_in, pdfs_of, text_of, to_addr

# The real Dovecot server, its account, the mailbox and the properties of the inquiry tests.
dovecot = inquiry_fixtures.dovecot
imap_account = inquiry_fixtures.imap_account
mailbox = inquiry_fixtures.mailbox
properties = inquiry_fixtures.properties


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_prospect_confirms_and_agent_sees_contact_and_expose(
    page: Page, live_server: Any, settings: Any, agent: Any, office: Any, mailbox: Any, properties: Any,
    imap_account: Any, smtp_sink: Any,
) -> None:  # fmt: skip
    from maklerwerk.inquiries.handler import fetch_all
    from maklerwerk.inquiries.models import Inquiry

    settings.BASE_URL = live_server.url
    deliver(
        imap_account,
        fixture_mail("immoscout24_kontaktanfrage.eml"),
        fixture_mail("kleinanzeigen_anfrage.eml"),
        fixture_mail("newsletter_unrecognized.eml"),
    )
    fetch_all()
    confirmation = next(m for m in smtp_sink.parsed() if to_addr(m) == "sabine.krueger@example.org")
    [link] = links_in(text_of(confirmation))

    page.set_viewport_size({"width": 900, "height": 900})
    page.goto(link)
    expect(page.get_by_role("heading", name="Anfrage bestätigen")).to_be_visible()
    expect(page.get_by_label("Nachname")).to_have_value("Krüger")
    page.get_by_label("Straße").fill("Venloer Straße")
    page.get_by_label("Hausnummer").fill("212a")
    page.get_by_label("Telefon").fill("0221 4711230")
    page.get_by_label("Ich bin einverstanden, dass meine Angaben").check()
    shot(page, "inquiry-confirm")
    page.get_by_role("button", name="Bestätigen und Exposé anfordern").click()
    expect(page.get_by_role("heading", name="Vielen Dank für Ihre Bestätigung!")).to_be_visible()
    expect(page.get_by_text("Das Exposé ist unterwegs an sabine.krueger@example.org.")).to_be_visible()
    shot(page, "inquiry-confirm-done")
    page.goto(link)
    expect(page.get_by_role("heading", name="Sie haben bereits bestätigt")).to_be_visible()

    exposes = [
        m
        for m in smtp_sink.parsed()
        if to_addr(m) == "sabine.krueger@example.org" and "Exposé" in m["Subject"]
    ]
    assert len(exposes) == 1
    assert [pdf[:4] for pdf in pdfs_of(exposes[0])] == [b"%PDF"]

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + "/login/")
    page.get_by_label("Benutzername").fill("makler")
    page.get_by_label("Passwort").fill("Geheim-Passwort-1")
    page.get_by_role("button", name="Anmelden").click()
    page.goto(live_server.url + "/inquiries/")
    expect(page.get_by_role("heading", name="Anfragen")).to_be_visible()
    expect(page.get_by_role("link", name="Sabine Krüger")).to_be_visible()
    expect(page.get_by_text("Warte auf Bestätigung").first).to_be_visible()
    expect(page.get_by_text("Nicht erkannt").first).to_be_visible()
    shot(page, "inquiry-list")
    page.get_by_role("link", name="Sabine Krüger").click()
    expect(page.get_by_text("Exposé MW-1001 (PDF) an sabine.krueger@example.org gesendet")).to_be_visible()
    shot(page, "inquiry-detail")
    inquiry = Inquiry.objects.get(email="sabine.krueger@example.org")
    page.get_by_role("link", name="Sabine Krüger").first.click()
    expect(page).to_have_url(f"{live_server.url}/contacts/{inquiry.contact_id}/")
    expect(page.get_by_role("heading", name="Sabine Krüger")).to_be_visible()

    page.goto(live_server.url + "/")
    widget = page.locator("#widget-inquiries")
    expect(widget.get_by_role("link", name="Lena Schmidt")).to_be_visible()
    widget.get_by_role("button", name="Vorschau").nth(1).click()
    expect(page.get_by_text("Bestätigung der E-Mail-Adresse angefordert.")).to_be_visible()
    shot(page, "inquiry-widget")
