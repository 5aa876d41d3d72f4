"""Browser journeys: exposé preview and download, template editing, an offer to three contacts."""

from __future__ import annotations

import subprocess
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from maklerwerk.core.models import Activity
from maklerwerk.properties.models import PropertyContact
from tests.browser.helpers import SHOTS, log_in, shot
from tests.exposes.conftest import add_image
from tests.mailing.conftest import make_contact, make_prop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def listing(office: Any, agent: Any) -> Any:
    prop = make_prop(office, agent)
    prop.features = ["balkon", "keller", "fahrstuhl"]
    prop.location_text = "Zentrale Lage in der Altstadt, wenige Minuten zum Dom."
    prop.save()
    office.imprint = "Testbüro Immobilien GmbH · Domstraße 1 · 50667 Köln · HRB 12345"
    office.save()
    add_image(prop, caption="Wohnzimmer", position=1, size=(1600, 1000))
    add_image(prop, caption="Küche", colour=(160, 90, 60), position=2)
    add_image(prop, caption="Bad", colour=(60, 140, 90), position=3)
    add_image(prop, kind="grundriss", caption="Grundriss", colour=(250, 250, 250), position=4)
    return prop


def test_preview_and_download_an_exposé(page: Page, live_server: Any, listing: Any, tmp_path: Any) -> None:
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/exposes/property/{listing.pk}/")
    frame = page.frame_locator("iframe[title='Exposé-Vorschau']")
    expect(frame.get_by_role("heading", name="Helle Wohnung am Rheinufer")).to_be_visible()
    expect(frame.get_by_text("450.000 €").first).to_be_visible()
    shot(page, "expose-property-page")
    with page.expect_download() as info:
        page.get_by_role("link", name="PDF herunterladen").click()
    download = info.value
    assert download.suggested_filename == "Exposé w-2024-017.pdf"
    pdf = tmp_path / "expose.pdf"
    download.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) == 3  # three photos, a floor plan and every text: no half-empty pages
    SHOTS.mkdir(parents=True, exist_ok=True)
    for i, path in enumerate(pages, start=1):
        with Image.open(path) as img:
            grey = img.convert("L")
            lo, _hi = grey.getextrema()
            assert isinstance(lo, int | float) and lo < 200, (
                f"page {i} is blank"
            )  # something darker than paper is printed
            assert sum(grey.histogram()[:240]) > 500, f"page {i} is almost empty"  # pixels darker than 240
            img.save(SHOTS / f"expose-pdf-page-{i}.png")


def test_the_preview_is_one_sheet_no_wider_than_the_window(
    page: Page, live_server: Any, listing: Any, logged_in: Any
) -> None:
    for width in (1440, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/exposes/property/{listing.pk}/preview/")
        expect(page.get_by_role("heading", name="Helle Wohnung am Rheinufer")).to_be_visible()
        sideways = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        sheet = page.evaluate("document.body.getBoundingClientRect()")
        cover = page.evaluate("document.querySelector('.cover').getBoundingClientRect()")
        shot(page, f"expose-preview-{width}")
        assert sideways == 0, f"{width} px: the preview scrolls sideways"
        assert (cover["left"], cover["right"]) == (sheet["left"], sheet["right"]), (
            width
        )  # cover inside the sheet
        assert sheet["width"] <= min(width, 794)  # at most A4 wide (210 mm at 96 dpi)
        page.goto(f"{live_server.url}/exposes/property/{listing.pk}/")
        shot(page, f"expose-property-page-{width}")


def test_edit_a_template_using_the_field_catalogue(page: Page, live_server: Any, agent: Any) -> None:
    log_in(page, live_server.url)
    page.goto(live_server.url + "/mailing/templates/new/")
    page.get_by_label("Name").fill("Nachfassen nach Besichtigung")
    page.get_by_label("Betreff").fill("Ihre Besichtigung")
    body = page.get_by_label("Text")
    body.click()
    page.get_by_role("button", name="kontakt.briefanrede").click()
    body.press("End")
    body.type(",\n\nwie hat Ihnen die Wohnung gefallen?\n{{ objekt.farbe }}")
    problems = page.locator("[data-template-problems]")
    expect(problems).to_contain_text("Zeile 4: Unbekanntes Feld „objekt.farbe“.")
    shot(page, "mailing-template-error")
    body.fill(body.input_value().replace("{{ objekt.farbe }}", ""))
    body.press("End")
    page.get_by_role("button", name="objekt.titel").click()
    expect(page.locator("[data-preview-body]")).to_contain_text("Sehr geehrte Frau Dr. Müller,")
    expect(page.locator("[data-preview-body]")).to_contain_text("Helle 3-Zimmer-Wohnung mit Balkon")
    shot(page, "mailing-template-editor")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("Vorlage „Nachfassen nach Besichtigung“ gespeichert.")).to_be_visible()
    from maklerwerk.mailing.models import MailTemplate

    saved = MailTemplate.objects.get(name="Nachfassen nach Besichtigung")
    assert saved.body.startswith("{{ kontakt.briefanrede }},") and "{{ objekt.titel }}" in saved.body


def test_an_offer_to_three_contacts_and_a_retry_after_a_failure(
    page: Page, live_server: Any, listing: Any, office: Any, smtp_sink: Any
) -> None:
    people = [
        make_contact(
            office, email="anna@example.org", salutation="frau", first_name="Anna", last_name="Schäfer"
        ),
        make_contact(
            office, email="bernd@example.org", salutation="herr", first_name="Bernd", last_name="Öztürk"
        ),
        make_contact(office, email="clara@example.org", first_name="Clara", last_name="Weiß"),
    ]
    smtp_sink.refuse.add("clara@example.org")
    log_in(page, live_server.url)
    ids = ",".join(str(c.pk) for c in people)
    page.goto(f"{live_server.url}/exposes/offers/new/?property={listing.pk}&contacts={ids}")
    page.get_by_role("button", name="Vorschau der E-Mails").click()
    previews = page.locator("[data-mail-preview]")
    expect(previews).to_have_count(3)
    expect(previews.nth(1)).to_contain_text("Sehr geehrter Herr Öztürk,")
    shot(page, "offer-preview")
    page.get_by_role("button", name="Jetzt senden").click()
    counts = page.locator("[data-offer-counts]")
    expect(counts).to_contain_text("2 von 3 versendet, 1 fehlgeschlagen")
    expect(page.locator("[data-recipient-status='failed']")).to_contain_text("abgelehnt")
    shot(page, "offer-after-failure")
    assert sorted(m.rcpt_tos[0] for m in smtp_sink.messages) == ["anna@example.org", "bernd@example.org"]
    smtp_sink.refuse.clear()
    page.get_by_role("button", name="Fehlende erneut senden").click()
    expect(counts).to_contain_text("3 von 3 versendet, 0 fehlgeschlagen")
    shot(page, "offer-done")
    assert len(smtp_sink.messages) == 3 and smtp_sink.messages[-1].rcpt_tos == ["clara@example.org"]
    assert Activity.objects.filter(type="expose_sent", property=listing).count() == 3
    statuses = PropertyContact.objects.filter(property=listing, role="prospect").values_list(
        "interest_status", flat=True
    )
    assert sorted(statuses) == ["expose_sent"] * 3
