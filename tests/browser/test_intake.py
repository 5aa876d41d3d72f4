"""Chromium: the office chooses the duplicate rule of the vCard import and of inquiries on the
Dubletten page (German labels, desktop and phone width); the contact form still asks on a possible
duplicate. Screenshots: var/screenshots/intake-*.png."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from maklerwerk.duplicates.models import DuplicateSettings
from tests.browser.helpers import log_in_as, shot
from tests.contacts.conftest import make_contact

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1440, 390])
def test_the_office_chooses_the_inquiry_rule_on_the_duplicates_page(
    page: Page, live_server: Any, office: Any, admin_user: Any, width: int
) -> None:
    log_in_as(page, live_server, admin_user)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/duplicates/")
    expect(page.get_by_text("Schwellen und Regeln")).to_be_visible()
    rule = page.get_by_label("Bei Dubletten in einer Anfrage")
    expect(rule).to_have_value("ask")
    expect(page.get_by_label("Bei Dubletten im vCard-Import")).to_have_value("review_possible")
    shot(page, f"intake-settings-{width}")
    rule.select_option(label="An sichere anhängen")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("Schwellen gespeichert")).to_be_visible()
    expect(page.get_by_label("Bei Dubletten in einer Anfrage")).to_have_value("attach_certain")
    assert DuplicateSettings.objects.get(office=office).inquiry_policy == "attach_certain"


def test_the_form_asks_on_a_namesake(page: Page, live_server: Any, office: Any, agent: Any) -> None:
    make_contact(office, agent, first_name="Anna", last_name="Müller", city="Köln",
                 emails=[{"value": "anna.mueller@example.de"}])  # fmt: skip
    log_in_as(page, live_server, agent)
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto(f"{live_server.url}/contacts/new/")
    page.get_by_label("Vorname").fill("Anna")
    page.get_by_label("Nachname").fill("Müller")
    page.get_by_label("Ort").fill("Köln")
    page.locator("[name=emails-0-value]").fill("anna@andere.example")
    page.get_by_role("button", name="Speichern").first.click()
    expect(page.get_by_text("Mögliche Dublette").first).to_be_visible()
    expect(page.get_by_role("button", name="Trotzdem speichern")).to_be_visible()
    shot(page, "intake-form-dialog-390")
