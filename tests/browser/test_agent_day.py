"""Chromium journeys of the agent's day (issue 16): log a call, find things in the header search.
Screenshots at 1440 and 390 px: var/screenshots/day-*.png."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from maklerwerk.core.models import Activity
from tests.browser.helpers import log_in_as, shot
from tests.contacts.conftest import make_contact
from tests.properties.conftest import property_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def both_widths(page: Page, name: str) -> None:
    """Screenshots at desktop (1440) and phone (390) width, back at desktop afterwards."""
    page.set_viewport_size({"width": 1440, "height": 900})
    shot(page, f"day-{name}-1440")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, f"day-{name}-390")
    page.set_viewport_size({"width": 1440, "height": 900})


def test_log_a_call_from_the_contact_and_see_it_in_the_timeline(
    page: Page, live_server: Any, office: Any, agent: Any
) -> None:
    from maklerwerk.properties.services import property_create

    anna = make_contact(
        office, agent, first_name="Anna", last_name="Müller", phones=[{"value": "069 1234567"}]
    )
    make_contact(office, agent, first_name="Bernd", last_name="Müller")
    property_create(office=office, acting_user=agent, data=property_data())
    log_in_as(page, live_server, agent)
    page.goto(f"{live_server.url}/contacts/{anna.pk}/")
    page.get_by_role("link", name="Aktivität erfassen").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("heading", name="Aktivität erfassen")).to_be_visible()
    expect(dialog.locator("#id_contacts-ts-control").locator("..")).to_contain_text("Anna Müller")  # chosen
    dialog.get_by_text("Telefonat", exact=True).click()
    # A second participant and the property, picked as you type.
    dialog.locator("#id_contacts-ts-control").fill("Bernd")
    dialog.get_by_role("option", name="Müller, Bernd").click()
    dialog.locator("#id_property-ts-control").fill("W-001")
    dialog.get_by_role("option", name="W-001 · Helle 3-Zimmer-Wohnung im Nordend · Frankfurt am Main").click()
    dialog.get_by_label("Text").fill(
        "Rückruf wegen Finanzierung.\nBank hat zugesagt, Besichtigung am Samstag."
    )
    both_widths(page, "log-call-modal")
    dialog.get_by_role("button", name="Speichern").click()

    expect(page.get_by_role("dialog")).to_be_hidden()

    page.get_by_role("tab", name="Aktivitäten").click()
    timeline = page.locator("#timeline-list")
    entry = timeline.locator(".timeline-entry").first
    expect(entry).to_contain_text("Rückruf wegen Finanzierung.")
    expect(entry).to_contain_text("Bank hat zugesagt")
    expect(entry).to_contain_text("Bernd Müller")
    expect(entry).to_contain_text("W-001")
    both_widths(page, "contact-timeline")
    activity = Activity.objects.get()
    assert activity.type == "call" and activity.further_contacts.get().first_name == "Bernd"

    # Filter the timeline by text; then edit the entry in the same dialog.
    page.get_by_label("Text suchen").fill("Grundbuch")
    expect(timeline).to_contain_text("Keine Aktivitäten entsprechen dem Filter.")
    page.get_by_label("Text suchen").fill("Finanzierung")
    expect(timeline.locator(".timeline-entry")).to_have_count(1)
    timeline.get_by_role("link", name="Bearbeiten: Rückruf wegen Finanzierung.").click()
    page.get_by_role("dialog").get_by_label("Betreff").fill("Finanzierung bestätigt")
    page.get_by_role("dialog").get_by_role("button", name="Speichern").click()
    expect(timeline.locator(".timeline-entry").first).to_contain_text("Finanzierung bestätigt")

    # The property shows the same entry in its own tab.
    page.goto(f"{live_server.url}/properties/{activity.property_id}/")
    page.get_by_role("tab", name="Aktivitäten").click()
    expect(page.locator("#timeline-list")).to_contain_text("Finanzierung bestätigt")
    both_widths(page, "property-timeline")
    page.get_by_role("tab", name="Historie").click()
    expect(page.locator("#history")).to_contain_text("Kennung")
    both_widths(page, "property-history")
    page.goto(f"{live_server.url}/")
    expect(page.locator("#recent-activities")).to_contain_text("Finanzierung bestätigt")
    both_widths(page, "dashboard")


def test_a_task_from_the_contact_shows_on_the_dashboard(
    page: Page, live_server: Any, office: Any, agent: Any
) -> None:
    anna = make_contact(office, agent, first_name="Anna", last_name="Müller")
    log_in_as(page, live_server, agent)
    page.goto(f"{live_server.url}/contacts/{anna.pk}/#activities")
    page.get_by_role("link", name="Neue Aufgabe").click()
    page.get_by_label("Titel").fill("Finanzierungsbestätigung anfordern")
    page.get_by_label("Priorität").select_option("high")
    an_hour_ago = timezone.localtime() - dt.timedelta(hours=1)
    page.get_by_label("Fällig").fill(an_hour_ago.strftime("%d.%m.%Y %H:%M"))  # German, in an English browser
    expect(page.locator("#id_contacts-ts-control, #id_contact-ts-control").locator("..")).to_contain_text(
        "Anna Müller"
    )
    both_widths(page, "task-form")
    page.get_by_role("button", name="Speichern").click()
    expect(page).to_have_url(f"{live_server.url}/contacts/{anna.pk}/#activities")
    page.goto(f"{live_server.url}/")
    card = page.locator("#tasks-due")
    expect(card).to_contain_text("Finanzierungsbestätigung anfordern")
    expect(card).to_contain_text("überfällig seit")
    expect(card).to_contain_text("Anna Müller")
    both_widths(page, "dashboard-tasks")
    card.get_by_role("button", name="Als erledigt markieren: Finanzierungsbestätigung anfordern").click()
    expect(card).to_contain_text("Heute ist nichts fällig.")
    page.goto(f"{live_server.url}/tasks/?state=all")
    both_widths(page, "task-list")


def test_find_a_contact_by_phone_and_a_property_by_kennung_in_the_header(
    page: Page, live_server: Any, office: Any, agent: Any
) -> None:
    from maklerwerk.properties.services import property_create

    anna = make_contact(
        office, agent, first_name="Anna", last_name="Weiß", phones=[{"value": "0171 2345678"}]
    )
    flat = property_create(office=office, acting_user=agent, data=property_data(external_id="MW-0021"))
    log_in_as(page, live_server, agent)
    page.goto(f"{live_server.url}/tasks/")
    page.keyboard.press("Control+k")
    box = page.get_by_role("searchbox", name="Alles durchsuchen")
    expect(box).to_be_focused()
    box.fill("+49 171 234 5678")
    results = page.locator("#global-search-results")
    expect(results.get_by_role("option").first).to_contain_text("Anna Weiß")
    both_widths(page, "search-phone")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/contacts/{anna.pk}/")
    page.wait_for_load_state("load")  # the shortcut and htmx are bound once the page's scripts ran

    page.keyboard.press("Control+k")
    expect(page.get_by_role("searchbox", name="Alles durchsuchen")).to_be_focused()
    page.get_by_role("searchbox", name="Alles durchsuchen").fill("mw-0021")
    hit = page.locator("#global-search-results").get_by_role("option").first
    expect(hit).to_contain_text("Helle 3-Zimmer-Wohnung im Nordend", timeout=15_000)
    hit.click()
    expect(page).to_have_url(f"{live_server.url}/properties/{flat.pk}/")
    # Enter without choosing shows all hits on a page.
    page.get_by_role("searchbox", name="Alles durchsuchen").fill("Weiß")
    page.get_by_role("searchbox", name="Alles durchsuchen").press("Enter")
    expect(page.get_by_role("heading", name="Suche: „Weiß“")).to_be_visible()
    both_widths(page, "search-page")


def test_offers_search_profiles_and_properties_from_the_navigation(
    page: Page, live_server: Any, office: Any, agent: Any
) -> None:
    from maklerwerk.matching.services import search_profile_create
    from maklerwerk.properties.services import property_create
    from tests.properties.conftest import profile_data

    anna = make_contact(office, agent, first_name="Anna", last_name="Weiß")
    search_profile_create(contact=anna, acting_user=agent, data=profile_data(name="Altbau Nordend"))
    property_create(office=office, acting_user=agent, data=property_data(external_id="MW-0021"))
    log_in_as(page, live_server, agent)
    page.goto(f"{live_server.url}/")
    nav = page.get_by_role("complementary", name="Hauptnavigation")
    nav.get_by_role("link", name="Angebote").click()
    expect(page.get_by_role("heading", name="Angebote")).to_be_visible()
    both_widths(page, "offers")
    page.get_by_role("complementary", name="Hauptnavigation").get_by_role("link", name="Suchprofile").click()
    expect(page.get_by_role("row", name="Altbau Nordend")).to_contain_text("Anna Weiß")
    both_widths(page, "search-profiles")
    page.get_by_role("complementary", name="Hauptnavigation").get_by_role("link", name="Immobilien").click()
    page.get_by_role("link", name="Passende Suchprofile: MW-0021").click()
    expect(page.get_by_role("tab", name="Passende Suchprofile")).to_have_attribute("aria-selected", "true")
    page.go_back()
    both_widths(page, "property-list")


def test_german_numbers_in_an_english_browser(page: Page, live_server: Any, office: Any, agent: Any) -> None:
    from decimal import Decimal

    from maklerwerk.properties.models import Property
    from maklerwerk.properties.services import property_create

    flat = property_create(office=office, acting_user=agent, data=property_data())
    log_in_as(page, live_server, agent)
    assert page.evaluate("navigator.language").startswith("en")
    page.goto(f"{live_server.url}/properties/{flat.pk}/edit/")
    price = page.get_by_label("Kaufpreis", exact=True)
    expect(price).to_have_value("400.000,00")
    price.fill("349.000")
    page.get_by_label("Wohnfläche (m²)", exact=True).fill("78,5")
    both_widths(page, "property-edit-numbers")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("alert").first).to_contain_text("gespeichert")
    flat = Property.objects.get(pk=flat.pk)
    assert (flat.purchase_price, flat.living_area) == (Decimal("349000"), Decimal("78.5"))
