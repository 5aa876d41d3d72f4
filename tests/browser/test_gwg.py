"""The GwG file in Chromium: the administrator reserves a property, the case opens itself, the buyer
is identified with an ID copy, and the dossier for the supervisory authority is downloaded. The
agent sees no badge and gets 403. Screenshots at 1440 and 390 px (var/screenshots/gwg-*)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from maklerwerk.gwg.models import GwgCase
from maklerwerk.properties.services import property_contact_set, property_create, property_update
from tests.browser.helpers import log_in_as, shot
from tests.gwg.conftest import jpeg_bytes, person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reserve_identify_and_download_the_dossier(
    page: Page, live_server: Any, office: Any, admin_user: Any, agent: Any, tmp_path: Any
) -> None:
    villa = property_create(
        office=office,
        acting_user=admin_user,
        data={
            "external_id": "K-100",
            "title": "Villa Lindenallee",
            "purchase_price": Decimal("980000"),
            "status": "active",
            "responsible_agent": agent,
        },
    )
    seller = person(office, admin_user, "Sven", "Verkäufer", "owner")
    property_contact_set(prop=villa, contact=seller, acting_user=admin_user, role="owner")
    buyer = person(office, admin_user, "Berta", "Käufer", "buyer")
    property_contact_set(
        prop=villa, contact=buyer, acting_user=admin_user, role="prospect", interest_status="offer"
    )
    property_update(prop=villa, acting_user=admin_user, data={"status": "reserved"})
    case = GwgCase.objects.get()
    log_in_as(page, live_server, admin_user)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{live_server.url}/properties/{villa.pk}/")
    badge = page.locator("[data-gwg-badge]")
    expect(badge).to_have_text("GwG: Käufer identifiziert ✗, Verkäufer identifiziert ✗")
    shot(page, "gwg-property-1440")
    badge.click()
    expect(page.get_by_role("heading", name=f"GwG #{case.pk}")).to_be_visible()
    page.locator(f"#party-{case.parties.get(role='buyer').pk}").get_by_role(
        "link", name="Identifizieren"
    ).click()
    page.set_viewport_size({"width": 1440, "height": 900})
    page.get_by_label("Geburtsdatum").fill("1980-03-14")
    page.get_by_label("Geburtsort").fill("Bonn")
    page.get_by_label("Anschrift").fill("Domstraße 5, 50667 Köln")
    page.get_by_label("Ausweisdokument").select_option("id_card")
    page.get_by_label("Ausweisnummer").fill("L01X00T4")  # one character short
    page.get_by_label("ausstellende Behörde").fill("Stadt Köln")
    page.get_by_label("gültig bis").fill((timezone.localdate() + dt.timedelta(days=700)).isoformat())
    page.get_by_label("Verfahren").select_option("in_person")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("Eine deutsche Personalausweis- oder Passnummer hat 9 Zeichen")).to_be_visible()
    expect(page.get_by_label("Geburtsort")).to_have_value("Bonn")
    page.get_by_label("Ausweisnummer").fill("L01X00T47")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("Identifizierung gespeichert.")).to_be_visible()
    path = tmp_path / "ausweis.jpg"
    path.write_bytes(jpeg_bytes())
    row = page.locator(f"#party-{case.parties.get(role='buyer').pk}")
    row.locator("input[type=file]").set_input_files(str(path))
    row.get_by_role("button", name="Kopie speichern").click()
    expect(page.get_by_text("Ausweiskopie gespeichert (verschlüsselt).")).to_be_visible()
    shot(page, "gwg-case-1440")
    with page.expect_download() as download:
        page.get_by_role("link", name="Akte (PDF)").click()
    assert download.value.suggested_filename == f"gwg-akte-{case.pk}.pdf"
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    shot(page, "gwg-case-390")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    for url, name in (("/gwg/", "gwg-list"), ("/gwg/risk-analysis/", "gwg-risk-analysis")):
        for width in (1440, 390):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(live_server.url + url)
            shot(page, f"{name}-{width}")
            assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.goto(f"{live_server.url}/contacts/{buyer.pk}/")
    expect(page.locator("[data-gwg-badge]")).to_have_text("GwG: Käufer ✓")
    shot(page, "gwg-contact-390")

    log_in_as(page, live_server, agent)
    page.goto(f"{live_server.url}/properties/{villa.pk}/")
    expect(page.locator("[data-gwg-badge]")).to_have_count(0)
    response = page.goto(f"{live_server.url}/gwg/cases/{case.pk}/")
    assert response is not None and response.status == 403
