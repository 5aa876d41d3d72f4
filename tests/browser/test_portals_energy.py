"""Browser: the agent fills in the energy certificate as GEG §87 wants it and sees it on the
property; the administrator sets up the own website as a pull-URL portal and gets its URL; the
agent sees "Mein IS24-Konto verbinden" (screenshots at 1440 and 390 px)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from maklerwerk.portals import services
from tests.browser.helpers import log_in_as, shot
from tests.portals import conftest as portal_fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

is24 = portal_fixtures.is24


def test_agent_states_the_certificate_and_admin_creates_the_pull_url(
    page: Page, live_server: Any, office: Any, agent: Any, admin_user: Any, is24: Any
) -> None:
    prop = portal_fixtures.make_listing(office, agent)
    page.set_default_timeout(120_000)  # a shared, loaded machine: slow is not wrong
    log_in_as(page, live_server, agent)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{live_server.url}/properties/{prop.pk}/edit/")
    page.get_by_label("Energieausweis", exact=True).select_option("vorhanden")
    page.get_by_label("Gebäudeart (Energieausweis)").select_option("wohn")
    page.get_by_label("Warmwasser enthalten (Verbrauchswert)").select_option("true")
    page.get_by_label("Wesentlicher Energieträger").select_option("umweltwaerme")
    page.get_by_label("Energieausweis", exact=True).scroll_into_view_if_needed()
    shot(page, "portals3-energy-form-1440")
    page.get_by_role("button", name="Speichern").last.click()
    expect(page.locator("[data-field=energy_certificate_status]")).to_have_text("Energieausweis liegt vor")
    overview = page.locator("#overview")
    expect(overview.get_by_text("inkl. Warmwasser")).to_be_visible()
    expect(overview.get_by_text("Umweltwärme")).to_be_visible()
    shot(page, "portals3-energy-detail-1440")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "portals3-energy-detail-390")

    services.portal_create(office=office, acting_user=admin_user, data=portal_fixtures.is24_portal_data(is24))
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{live_server.url}/portals/")
    expect(page.get_by_role("button", name="Mein IS24-Konto verbinden")).to_be_visible()
    shot(page, "portals3-index-1440")

    log_in_as(page, live_server, admin_user)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{live_server.url}/portals/new/")
    page.get_by_label("Name", exact=True).fill("Unsere Website")
    page.get_by_label("Kurzname (in Dateinamen)").fill("website")
    page.get_by_label("Art").select_option("openimmo_pull")
    page.get_by_label("Verkaufte/vermietete Objekte als Referenz zeigen (REFERENZ)").check()
    page.get_by_role("button", name="Speichern").click()
    page.get_by_role("link", name="Unsere Website").click()
    expect(page.get_by_text("Noch keine Abruf-URL")).to_be_visible()
    page.get_by_role("button", name="Neue Abruf-URL erzeugen").click()
    expect(page.get_by_label("Abruf-URL")).to_have_value(re.compile(r"/portals/feed/.+/openimmo\.zip$"))
    shot(page, "portals3-pull-url-1440")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "portals3-pull-url-390")
