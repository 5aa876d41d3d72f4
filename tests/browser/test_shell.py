"""Browser journey through the shell: log in, German dashboard, switch to English, screenshots."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import FloatRect, Page, expect

from maklerwerk.core.models import Activity
from tests.browser.helpers import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_log_in_see_german_dashboard_switch_to_english(
    page: Page, live_server: Any, agent: Any, office: Any
) -> None:
    Activity.objects.create(office=office, type="call", subject="Rückruf Familie Weiß", user=agent)
    page.goto(live_server.url + "/")
    expect(page).to_have_url(live_server.url + "/login/?next=/")
    expect(page.get_by_role("heading", name="Bei Ihrem Konto anmelden")).to_be_visible()
    shot(page, "login")

    page.get_by_label("Benutzername").fill("makler")
    page.get_by_label("Passwort").fill("falsch")
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("alert")).to_contain_text("Benutzername oder Passwort ist falsch")

    page.get_by_label("Passwort").fill("Geheim-Passwort-1")
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("heading", name="Übersicht")).to_be_visible()
    expect(page.get_by_role("complementary", name="Hauptnavigation")).to_contain_text("Kontakte")
    expect(page.locator("[data-counter=activities]")).to_have_text("1")
    expect(page.get_by_role("cell", name="Rückruf Familie Weiß")).to_be_visible()
    shot(page, "dashboard-de")

    page.get_by_label("Sprache").select_option("en")
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    expect(page.get_by_role("complementary", name="Main navigation")).to_contain_text("Contacts")
    expect(page.get_by_role("cell", name="Phone call")).to_be_visible()
    shot(page, "dashboard-en")


def test_settings_data_export_shows_progress_and_a_download(
    page: Page, live_server: Any, admin_user: Any
) -> None:
    page.goto(live_server.url + "/login/")
    page.get_by_label("Benutzername").fill("admin")
    page.get_by_label("Passwort").fill("Geheim-Passwort-1")
    page.get_by_role("button", name="Anmelden").click()
    page.goto(live_server.url + "/settings/")
    expect(page.get_by_label("Name", exact=True)).to_have_value("Testbüro Immobilien GmbH")
    shot(page, "settings-office")
    page.get_by_role("tab", name="Datenexport").click()
    expect(page.get_by_text("Passwörter sind nicht enthalten")).to_be_visible()
    page.get_by_role("button", name="Datenexport starten").click()
    expect(page.get_by_role("status")).to_contain_text("fertig")
    expect(page.get_by_role("status")).to_contain_text("2 Datensätze exportiert")
    with page.expect_download() as download:
        page.get_by_role("link", name="Herunterladen").click()
    name = download.value.suggested_filename
    assert name.startswith("maklerwerk-export-") and name.endswith(".zip")
    import zipfile

    with zipfile.ZipFile(download.value.path()) as zf:
        assert {"data.json", "files.json"} <= set(zf.namelist())
    page.set_viewport_size({"width": 1440, "height": 900})
    shot(page, "settings-export")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "settings-export-390")


def _overlap(a: FloatRect, b: FloatRect) -> bool:
    return not (
        a["x"] + a["width"] <= b["x"]
        or b["x"] + b["width"] <= a["x"]
        or a["y"] + a["height"] <= b["y"]
        or b["y"] + b["height"] <= a["y"]
    )


def test_on_a_phone_the_buttons_never_cover_the_title_and_nothing_scrolls_sideways(
    page: Page, live_server: Any, agent: Any, office: Any
) -> None:
    from maklerwerk.properties.services import property_create
    from tests.browser.helpers import log_in_as
    from tests.contacts.conftest import make_contact
    from tests.properties.conftest import property_data

    contact = make_contact(office, agent, first_name="Katharina", last_name="Wellmann-Schönberger")
    prop = property_create(
        office=office,
        acting_user=agent,
        data=property_data(title="Großzügige Maisonette-Wohnung mit Dachterrasse im Nordend"),
    )
    log_in_as(page, live_server, agent)
    for width in (390, 1440):
        page.set_viewport_size({"width": width, "height": 844})
        for path, name in ((f"/properties/{prop.pk}/", "property"), (f"/contacts/{contact.pk}/", "contact")):
            page.goto(live_server.url + path)
            title = page.locator("h1.page-title").bounding_box()
            assert title is not None
            for button in page.locator(".page-header .btn").all():
                box = button.bounding_box()
                assert box is not None and not _overlap(title, box), (width, name, button.inner_text())
            # Kennung, title and badges are shown whole, not cut at the screen's edge.
            cut = page.evaluate(
                """() => [...document.querySelectorAll('h1.page-title > *')].filter(el => {
                    const r = el.getBoundingClientRect();
                    return r.left < 0 || r.right > window.innerWidth || el.scrollWidth > el.clientWidth + 1;
                }).map(el => el.textContent.trim())"""
            )
            assert cut == [], (width, name, cut)
            scroll = page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
            assert scroll <= 0, (width, name, scroll)
            shot(page, f"header-{name}-{width}")


def test_no_page_of_the_daily_round_scrolls_sideways_on_a_phone(
    page: Page, live_server: Any, agent: Any, office: Any
) -> None:
    # Wide tables scroll inside their card; the page itself never moves sideways under the thumb.
    from maklerwerk.properties.services import property_create
    from tests.browser.helpers import log_in_as
    from tests.contacts.conftest import make_contact
    from tests.properties.conftest import property_data

    make_contact(office, agent, first_name="Katharina", last_name="Wellmann-Schönberger")
    property_create(office=office, acting_user=agent, data=property_data())
    log_in_as(page, live_server, agent)
    page.set_viewport_size({"width": 390, "height": 844})
    wide = []
    for path in (
        "/",
        "/contacts/",
        "/properties/",
        "/properties/profiles/",
        "/exposes/",
        "/inquiries/",
        "/tasks/",
        "/duplicates/",
        "/settings/",
    ):
        page.goto(live_server.url + path)
        scroll = page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")
        if scroll > 0:
            wide.append((path, scroll))
            shot(page, "sideways" + path.replace("/", "-"))
    assert wide == []
