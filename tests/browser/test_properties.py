"""Browser journeys for properties and matching: images, profiles, matches, self-service form."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import FilePayload, Page, expect

from maklerwerk.matching.models import SearchProfile
from maklerwerk.properties.models import PropertyImage
from tests.browser.helpers import log_in, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def png(color: str) -> FilePayload:
    buf = io.BytesIO()
    Image.new("RGB", (320, 200), color).save(buf, "PNG")
    return {"name": f"{color}.png", "mimeType": "image/png", "buffer": buf.getvalue()}


def test_create_a_property_with_images_and_reorder_them(page: Page, live_server: Any, agent: Any) -> None:
    log_in(page, live_server.url)
    page.goto(live_server.url + "/properties/")
    page.get_by_role("link", name="Hinzufügen").click()
    page.get_by_label("Kennung").fill("W-777")
    page.get_by_label("Titel", exact=True).fill("Dachgeschosswohnung am Main")
    page.get_by_label("Status", exact=True).select_option("active")
    page.get_by_label("PLZ").fill("60594")
    page.get_by_label("Ort", exact=True).fill("Frankfurt am Main")
    page.get_by_label("Kaufpreis").fill("520000")
    page.get_by_label("Wohnfläche (m²)").fill("95")
    page.get_by_label("Balkon").check()
    shot(page, "property-form")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("alert")).to_contain_text("Immobilie angelegt.")

    page.get_by_role("tab", name="Bilder").click()
    page.get_by_label("Bilder hinzufügen (mehrere auf einmal)").set_input_files(
        [png("red"), png("green"), png("blue")]
    )
    page.get_by_role("button", name="Hochladen").click()
    expect(page.get_by_role("alert")).to_contain_text("3 Bild(er) hinzugefügt.")
    page.get_by_role("tab", name="Bilder").click()
    items = page.locator("[data-image-id]")
    expect(items).to_have_count(3)
    first_id, _, third_id = (items.nth(i).get_attribute("data-image-id") for i in range(3))

    # Drag the third image onto the first: it becomes the title image.
    items.nth(2).locator("img").drag_to(items.nth(0).locator("img"))
    expect(page.locator("[data-image-id]").first).to_have_attribute("data-image-id", third_id)
    expect(page.locator("[data-image-id]").first).to_contain_text("Titelbild")
    # Keyboard alternative: move the (now second) red image back one place.
    page.locator(f'[data-image-id="{first_id}"] [data-move="1"]').click()
    expect(page.locator("[data-image-id]").nth(2)).to_have_attribute("data-image-id", first_id)
    shot(page, "property-images")
    assert third_id is not None
    assert PropertyImage.objects.order_by("position")[0].pk == int(third_id)


def test_profile_and_property_match_both_ways_with_explanations(
    page: Page, live_server: Any, agent: Any, office: Any
) -> None:
    from maklerwerk.contacts.models import Contact
    from maklerwerk.properties.services import property_create

    contact = Contact.objects.create(office=office, first_name="Erika", last_name="Mustermann")
    data = {
        "external_id": "W-1", "title": "3-Zimmer-Wohnung Sachsenhausen", "object_kind": "wohnung",
        "marketing_type": "kauf", "status": "active", "postal_code": "60594", "city": "Frankfurt am Main",
        "purchase_price": Decimal("416000"), "living_area": Decimal("82"), "rooms": Decimal("3"),
    }  # fmt: skip
    prop = property_create(office=office, acting_user=agent, data=data)
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/properties/contact-tab/{contact.pk}/")
    page.get_by_role("link", name="Neues Suchprofil").click()
    page.get_by_label("Name", exact=True).fill("Wohnung in Frankfurt")
    page.get_by_label("Wohnung", exact=True).check()
    page.get_by_label("Preis bis").fill("400000")
    page.get_by_label("Wohnfläche ab (m²)").fill("75")
    page.get_by_label("Orte oder Stadtteile").fill("Frankfurt am Main")
    shot(page, "profile-form")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("alert")).to_contain_text("Suchprofil gespeichert.")
    expect(page.locator("#properties-tab")).to_contain_text("3-Zimmer-Wohnung Sachsenhausen")
    expect(page.locator("#properties-tab")).to_contain_text("Preis 4 % über Maximum")
    expect(page.locator("#properties-tab")).to_contain_text("Knapp daneben")
    shot(page, "contact-tab-matches")

    page.get_by_role("link", name="3-Zimmer-Wohnung Sachsenhausen").click()
    page.get_by_role("tab", name="Passende Suchprofile").click()
    matches = page.locator("#matches")
    expect(matches).to_contain_text("Erika Mustermann")
    expect(matches).to_contain_text("Preis 4 % über Maximum")
    expect(matches).to_contain_text("Frankfurt am Main liegt im Suchgebiet")
    matches.get_by_label("Erika Mustermann auswählen").check()
    expect(matches.locator("[data-selected-count]")).to_have_text("1")
    shot(page, "property-matches")
    assert prop.pk


def test_the_contact_fills_the_self_service_form(
    page: Page, live_server: Any, agent: Any, office: Any, browser: Any
) -> None:
    from maklerwerk.contacts.models import Contact

    contact = Contact.objects.create(
        office=office, first_name="Jonas", last_name="Becker", responsible_agent=agent
    )
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/properties/contact-tab/{contact.pk}/")
    page.get_by_role("button", name="Persönlichen Link erstellen").click()
    url = page.locator("#self-service-url").inner_text().strip()

    public = browser.new_context().new_page()
    public.goto(url)
    expect(public.get_by_role("heading", name="Ihr Suchprofil")).to_be_visible()
    public.get_by_label("Haus", exact=True).check()
    public.get_by_label("Preis bis").fill("650000")
    public.get_by_label("Orte oder Stadtteile").fill("Bad Homburg vor der Höhe, Oberursel (Taunus)")
    public.get_by_label("Garten").check()
    shot(public, "self-service-form")
    public.get_by_role("button", name="Suche speichern").click()
    expect(public.get_by_role("heading", name="Vielen Dank, Ihr Suchprofil ist gespeichert.")).to_be_visible()
    shot(public, "self-service-done")
    public.goto(live_server.url + "/properties/s/gefaelscht-123/")
    expect(public.get_by_role("heading", name="Dieser Link ist nicht (mehr) gültig.")).to_be_visible()

    page.goto(f"{live_server.url}/properties/contact-tab/{contact.pk}/")
    expect(page.locator("#properties-tab")).to_contain_text("Meine Suche")
    expect(page.locator("#properties-tab")).to_contain_text("Bad Homburg vor der Höhe")
    page.goto(live_server.url + "/properties/new-matches/")
    expect(page.locator("#new-matches-widget")).to_contain_text(
        "Jonas Becker hat über den persönlichen Link ein Suchprofil angelegt"
    )
    shot(page, "new-matches")
    profile = SearchProfile.objects.get()
    assert profile.features == ["garten"] and profile.price_max == 650000


def shots(page: Page, name: str) -> None:
    """The page at desktop and phone width (issue 16: every touched page at 1440 and 390 px)."""
    for width, height in ((1440, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        shot(page, f"{name}-{width}")
    page.set_viewport_size({"width": 1440, "height": 900})


def test_create_a_property_with_german_numbers_and_photos_in_one_go(
    page: Page, live_server: Any, agent: Any, admin_user: Any
) -> None:
    from maklerwerk.properties.models import Property

    Property.objects.create(office=agent.office, external_id="MW-0020", title="Älteres Objekt")
    log_in(page, live_server)
    page.goto(live_server.url + "/properties/")
    page.get_by_role("link", name="Hinzufügen").click()
    # The Kennung is suggested by the office pattern and stays editable.
    expect(page.get_by_label("Kennung")).to_have_value("MW-0021")
    expect(
        page.get_by_text("Vorschlag nach dem Muster des Büros (MW-{nr:04}); Sie können ihn ändern.")
    ).to_be_visible()
    expect(page.get_by_label("Land")).to_have_value("DEU")
    expect(page.get_by_label("Land").locator("option:checked")).to_have_text("Deutschland")
    page.get_by_label("Titel", exact=True).fill("Maisonette mit Dachterrasse")
    page.get_by_label("Objektart").select_option(label="Wohnung")
    page.get_by_label("Objekttyp").select_option(label="Maisonette")
    # Only the chosen kind's sub-types are offered.
    expect(page.get_by_label("Objekttyp").locator("option", has_text="Doppelhaushälfte")).to_be_hidden()
    page.get_by_label("PLZ").fill("60316")
    page.get_by_label("Ort", exact=True).fill("Frankfurt am Main")
    page.get_by_label("Kaufpreis").fill("349.000")
    page.get_by_label("Hausgeld (monatlich)").fill("320,50")
    page.get_by_label("Wohnfläche (m²)").fill("78,5")
    page.get_by_label("Bezugsfrei", exact=True).select_option(label="sofort")
    page.get_by_label("Heizungsart").select_option(label="Fußbodenheizung")
    page.get_by_label("Fotos").set_input_files([png("red"), png("green")])
    expect(page.locator("[data-chosen-files]")).to_contain_text("★ red.png")
    shots(page, "property-new-with-photos")
    page.get_by_role("button", name="Speichern").click()

    expect(page.get_by_role("alert")).to_contain_text("Immobilie angelegt.")
    expect(page.get_by_role("heading", name="Maisonette mit Dachterrasse")).to_be_visible()
    overview = page.locator("#overview")
    expect(overview).to_contain_text("Wohnung (Maisonette)")
    expect(overview).to_contain_text("349.000 €")
    expect(overview).to_contain_text("320,50 €")
    expect(overview).to_contain_text("78,50 m²")
    expect(overview).to_contain_text("sofort")
    expect(overview).to_contain_text("Fußbodenheizung")
    expect(page.get_by_role("tab", name="Bilder")).to_contain_text("2")
    shots(page, "property-detail-new-fields")
    prop = Property.objects.get(external_id="MW-0021")
    assert (prop.purchase_price, str(prop.living_area), prop.images.count()) == (349000, "78.50", 2)

    # Energy class and value must agree.
    page.get_by_role("link", name="Bearbeiten").click()
    page.get_by_label("Energiekennwert kWh/(m²·a)").fill("211")
    page.get_by_label("Energieeffizienzklasse").select_option("A")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("211 kWh/(m²·a) ergibt Klasse G")).to_be_visible()
    expect(page.get_by_label("Kaufpreis")).to_have_value("349.000,00")  # nothing typed is lost
    shots(page, "property-edit-energy-refused")


def test_locked_kennung_confirmed_terms_and_country_names_as_an_agent_sees_them(
    page: Page, live_server: Any, agent: Any, admin_user: Any
) -> None:
    import datetime as dt

    from maklerwerk.contacts.models import Contact
    from maklerwerk.inquiries.models import PortalListing
    from maklerwerk.properties.models import Property

    prop = Property.objects.create(
        office=agent.office, external_id="MW-0007", title="Reihenhaus am Park", object_kind="haus",
        object_subtype="REIHENEND", city="Offenbach am Main",
    )  # fmt: skip
    PortalListing.objects.create(office=agent.office, property=prop, source="immoscout24", portal_id="154837")
    contact = Contact.objects.create(
        office=agent.office, first_name="Erika", last_name="Muster", country="AT", terms_confirmed=True,
        terms_confirmed_on=dt.date(2026, 11, 2), terms_confirmed_via="online",
    )  # fmt: skip
    log_in(page, live_server)
    page.goto(f"{live_server.url}/properties/{prop.pk}/edit/")
    expect(page.get_by_label("Kennung")).to_be_disabled()
    expect(
        page.get_by_text("Gesperrt: Das Objekt ist veröffentlicht (ImmobilienScout24 154837)")
    ).to_be_visible()
    expect(page.get_by_label("Objekttyp").locator("option:checked")).to_have_text("Reihenendhaus")
    shots(page, "property-edit-kennung-locked")
    page.goto(f"{live_server.url}/contacts/{contact.pk}/")
    expect(page.get_by_text("AGB / Provision – bestätigt")).to_be_visible()
    expect(page.locator("body")).to_contain_text("Österreich")
    shots(page, "contact-terms-confirmed")
    page.goto(f"{live_server.url}/contacts/{contact.pk}/edit/")
    expect(page.get_by_label("Land").locator("option:checked")).to_have_text("Österreich")
    shots(page, "contact-edit-country")
    page.get_by_role("link", name="Abmelden").click() if page.get_by_role(
        "link", name="Abmelden"
    ).count() else None
    page.context.clear_cookies()
    page.goto(live_server.url + "/login/")
    page.get_by_label("Benutzername").fill("admin")
    page.get_by_label("Passwort").fill("Geheim-Passwort-1")
    page.get_by_role("button", name="Anmelden").click()
    page.goto(f"{live_server.url}/properties/settings/")
    expect(page.get_by_label("Muster für neue Kennungen")).to_have_value("MW-{nr:04}")
    shots(page, "property-settings-kennung")
