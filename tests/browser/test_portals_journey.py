"""Browser journey (issue 17's "Done when"): an agent assigns a property to an OpenImmo FTP portal
and to ImmobilienScout24 (the local stand-in) on its "Portale" tab, sees both go online, changes
the price and sees the update, withdraws it and sees it deleted on both, every step in the log."""

from __future__ import annotations

import zipfile
from typing import Any

import pytest
from lxml import etree
from playwright.sync_api import Page, expect

from maklerwerk.portals import services
from tests.browser.helpers import log_in_as, shot
from tests.portals import conftest as portal_fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The portal tests' real FTP server, IS24 stand-in and property with pictures.
ftp_server = portal_fixtures.ftp_server
is24 = portal_fixtures.is24
listing = portal_fixtures.listing


def portal_row(page: Page, name: str) -> Any:
    return page.locator("#portals-property-tab tr", has=page.get_by_text(name, exact=True))


def open_tab(page: Page, base: str, prop: Any) -> None:
    page.goto(f"{base}/properties/{prop.pk}/")  # a full load, not a jump to the #tab of the same page
    page.get_by_role("tab", name="Portale").click()
    expect(page.locator("#portals-property-tab")).to_be_visible()


def kaufpreis_in_last_package(ftp: dict[str, Any]) -> str:
    last = sorted((ftp["root"] / "import").iterdir())[-1]
    with zipfile.ZipFile(last) as zf:
        xml = next(n for n in zf.namelist() if n.endswith(".xml"))
        imm = portal_fixtures.xml_child(etree.fromstring(zf.read(xml)), "anbieter/immobilie")
    action = portal_fixtures.xml_child(imm, "verwaltung_techn/aktion").get("aktionart") or "NEW"
    return f"{action} {imm.findtext('preise/kaufpreis') or '-'}"


def test_assign_update_and_withdraw_on_both_portals(  # the fixtures imported above
    page: Page,
    live_server: Any,
    office: Any,
    admin_user: Any,
    agent: Any,
    listing: Any,
    ftp_server: Any,
    is24: Any,
) -> None:
    ftp = {
        **{"name": "immowelt", "key": "immowelt", "kind": "openimmo_ftp", "active": True, "folder": "import"},
        **{
            "host": ftp_server["host"],
            "port": ftp_server["port"],
            "username": "portal",
            "password": "secret",
        },
        "anbieternr": "K12345",
    }
    services.portal_create(office=office, acting_user=admin_user, data=ftp)
    services.portal_create(office=office, acting_user=admin_user, data=portal_fixtures.is24_portal_data(is24))
    base = live_server.url
    log_in_as(page, live_server, agent)

    # Assign both portals on the property's "Portale" tab.
    open_tab(page, base, listing)
    page.get_by_label("immowelt").check()
    page.get_by_label("ImmobilienScout24").check()
    page.get_by_role("button", name="Speichern und übertragen").click()
    expect(page.locator("#portals-property-tab")).to_be_visible()
    for name in ("immowelt", "ImmobilienScout24"):
        expect(portal_row(page, name).locator("[data-state]")).to_contain_text("Online")
    expect(page.locator("#portal-log")).to_contain_text("Neu")
    scout_id = is24["app"].by_external_id(is24["user"], "MW-0001")
    assert scout_id is not None and kaufpreis_in_last_package(ftp_server) == "NEW 350000"
    shot(page, "portals-tab-online")

    # The price changes; the tab says it is not sent yet, then the agent sends it.
    page.goto(f"{base}/properties/{listing.pk}/edit/")
    page.get_by_label("Kaufpreis").fill("339.000")
    page.get_by_role("button", name="Speichern").click()
    open_tab(page, base, listing)
    expect(page.locator("#portals-property-tab")).to_contain_text("Änderungen noch nicht übertragen")
    page.get_by_role("button", name="Änderungen jetzt übertragen").click()
    expect(page.locator("#portals-property-tab")).to_be_visible()
    expect(page.locator("#portal-log tbody tr").filter(has_text="Aktualisierung")).to_have_count(2)
    expect(page.locator("#portals-property-tab")).not_to_contain_text("Änderungen noch nicht übertragen")
    assert kaufpreis_in_last_package(ftp_server) == "CHANGE 339000"
    assert is24["app"].by_external_id(is24["user"], "MW-0001")["body"]["price"]["value"] == 339000.0

    # Withdrawn from both: deleted on both, every step in the log.
    page.get_by_label("immowelt").uncheck()
    page.get_by_label("ImmobilienScout24").uncheck()
    page.get_by_role("button", name="Speichern und übertragen").click()
    for name in ("immowelt", "ImmobilienScout24"):
        expect(portal_row(page, name).locator("[data-state]")).to_contain_text("Offline")
    log = page.locator("#portal-log tbody tr")
    expect(log.filter(has_text="Löschen")).to_have_count(2)
    expect(log.filter(has_text="Neu")).to_have_count(2)
    assert kaufpreis_in_last_package(ftp_server).startswith("DELETE")
    assert is24["app"].listings(is24["user"]) == {}
    shot(page, "portals-tab-withdrawn")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "portals-tab-phone")

    # The portal's transfer log lists the runs with the packages to download.
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{base}/portals/")
    expect(page.locator("#portal-list")).to_contain_text("ImmobilienScout24")
    shot(page, "portals-settings")
