"""The whole-product walk of issue 16 as a test: the demo office on a phone (nothing scrolls the page
sideways), the property's map, and Ctrl+Enter that sends a form as its primary button says.
Screenshots: var/screenshots/walk-*.png."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from maklerwerk.accounts.models import User
from maklerwerk.matching.models import SearchProfile
from maklerwerk.properties.models import Property
from maklerwerk.tasks.models import Task
from tests.browser.helpers import log_in_as, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(page: Page, live_server: Any) -> User:
    call_command("seed_demo", "--contacts", "30", "--properties", "6", "--activities", "0", verbosity=0)
    user = User.objects.get(username="demo")
    log_in_as(page, live_server, user)
    return user


def _fits_the_phone(page: Page, name: str) -> None:
    page.wait_for_load_state("networkidle")
    shot(page, f"walk-{name}-390")
    assert page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth") <= 0, name


def test_the_demo_office_fits_a_phone(page: Page, live_server: Any, demo: User) -> None:
    base = live_server.url
    page.set_viewport_size({"width": 390, "height": 844})
    prop = Property.objects.filter(status="active").order_by("pk").first()
    profile = SearchProfile.objects.order_by("pk").first()
    assert prop is not None and profile is not None
    for name, path in [
        ("dashboard", "/"),
        ("inquiries", "/inquiries/"),
        ("processes", "/inquiries/processes/"),
        ("profile", f"/properties/profiles/{profile.pk}/edit/"),
    ]:
        page.goto(base + path)
        _fits_the_phone(page, name)
    page.goto(f"{base}/contacts/{profile.contact_id}/")
    page.get_by_role("tab", name="Immobilien").first.click()
    _fits_the_phone(page, "contact-properties")
    page.goto(f"{base}/properties/{prop.pk}/")
    for tab in ("Dokumente", "Kontakte", "Passende Suchprofile", "Freigaben"):
        page.get_by_role("tab", name=tab).first.click()
        _fits_the_phone(page, "property-" + tab.split()[0].lower())


def test_the_property_shows_where_it_lies_without_asking_another_server(
    page: Page, live_server: Any, demo: User
) -> None:
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    prop = Property.objects.filter(status="active").order_by("pk").first()
    assert prop is not None
    page.goto(f"{live_server.url}/properties/{prop.pk}/")
    sketch = page.locator("figure[data-map='sketch']")
    expect(sketch).to_be_visible()
    expect(sketch).to_contain_text(f"ungefähre Lage: Mitte des PLZ-Gebiets {prop.postal_code}")
    expect(sketch.locator("text.sketch-label").first).to_be_visible()
    shot(page, "walk-property-map-1440")
    assert all(url.startswith(live_server.url) for url in requests), requests


def test_ctrl_enter_sends_the_form_and_its_button_says_so(page: Page, live_server: Any, demo: User) -> None:
    page.goto(f"{live_server.url}/tasks/new/")
    save = page.get_by_role("button", name="Speichern")
    expect(save).to_have_attribute("aria-keyshortcuts", "Control+Enter")
    expect(save.locator("kbd")).to_have_text("Strg ↵")
    page.get_by_label("Titel").fill("Exposé nachfassen")
    page.get_by_label("Beschreibung").click()
    page.keyboard.press("Control+Enter")
    expect(page.get_by_role("alert")).to_be_visible()
    assert Task.objects.filter(title="Exposé nachfassen").exists()
    # Pages outside the app (login, a prospect's pages) carry no hints for the office's keyboard.
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/login/")
    expect(page.locator("kbd")).to_have_count(0)
