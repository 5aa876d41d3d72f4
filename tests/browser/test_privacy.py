"""Chromium journeys of issue 22: a two-factor login with a code computed from the key the set-up
page shows, and the new privacy pages at desktop and phone width (var/screenshots/privacy-*.png)."""

from __future__ import annotations

import base64
import time
from typing import Any

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import Page, expect

from maklerwerk.contacts.services import contact_create
from maklerwerk.privacy.models import PrivacySettings
from maklerwerk.privacy.subject_requests import subject_request_create
from tests.browser.helpers import PASSWORD, log_in_as, shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def both_widths(page: Page, name: str) -> None:
    page.set_viewport_size({"width": 1440, "height": 900})
    shot(page, f"privacy-{name}-1440")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, f"privacy-{name}-390")
    assert page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth") <= 0, name
    page.set_viewport_size({"width": 1440, "height": 900})


def code_for(secret: str, step_offset: int = 0) -> str:
    """What the phone's authenticator app shows for the key typed from the page."""
    raw = secret.replace(" ", "")
    key = base64.b32decode(raw + "=" * (-len(raw) % 8))
    totp = TOTP(key, step=30, t0=0, digits=6, drift=0)
    totp.time = time.time() + 30 * step_offset
    return f"{totp.token():06d}"


def test_an_office_requiring_two_factor_login_is_entered_with_an_app_code(
    page: Page, live_server: Any, office: Any, agent: Any
) -> None:
    office.two_factor_required = True
    office.save()
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(live_server.url + "/login/")
    page.get_by_label("Benutzername").fill("makler")
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    # The office requires it: every page leads to the set-up first.
    expect(page.get_by_text("Ihr Büro verlangt die Zwei-Faktor-Anmeldung.")).to_be_visible()
    page.goto(live_server.url + "/contacts/")
    expect(page).to_have_url(live_server.url + "/settings/two-factor/")
    expect(page.get_by_role("img", name="QR-Code für die Authenticator-App")).to_be_visible()
    both_widths(page, "2fa-setup")
    secret = page.locator("[data-secret]").inner_text()
    page.get_by_role("textbox", name="Code").fill(code_for(secret))
    page.get_by_role("button", name="Einrichten").click()
    expect(page.get_by_text("nur dieses eine Mal gezeigt")).to_be_visible()
    codes = page.locator("[data-recovery-codes] li").all_inner_texts()
    assert len(codes) == 10
    both_widths(page, "2fa-codes")
    page.get_by_role("link", name="Ich habe sie notiert").click()
    expect(page.get_by_text("eingerichtet").first).to_be_visible()

    # Log out and in again: password, then the app's code (the next one: the first was used).
    page.context.clear_cookies()
    page.goto(live_server.url + "/login/")
    page.get_by_label("Benutzername").fill("makler")
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("heading", name="Zwei-Faktor-Anmeldung")).to_be_visible()
    both_widths(page, "2fa-login-code")
    page.get_by_role("textbox", name="Code").fill("000000" if code_for(secret, 1) != "000000" else "111111")
    page.get_by_role("button", name="Bestätigen").click()
    expect(page.get_by_text("Der Code stimmt nicht")).to_be_visible()
    time.sleep(1.1)  # the authenticator waits a second after a wrong code
    page.get_by_role("textbox", name="Code").fill(code_for(secret, 1))
    page.get_by_role("button", name="Bestätigen").click()
    expect(page.get_by_role("heading", name="Übersicht")).to_be_visible()


def test_the_privacy_pages_fit_desktop_and_phone(
    page: Page, live_server: Any, office: Any, admin_user: Any
) -> None:
    contact = contact_create(
        office=office,
        acting_user=admin_user,
        data={"first_name": "Olga", "last_name": "Objekt", "roles": ["prospect"]},
    )
    item = subject_request_create(
        contact=contact, kind="rectification", acting_user=admin_user, details="Nachname ist Objekt-Meier"
    )
    PrivacySettings.objects.create(office=office, inactive_months=24)
    log_in_as(page, live_server, admin_user)
    page.goto(f"{live_server.url}/privacy/contacts/{contact.pk}/")
    expect(
        page.get_by_role("heading", name="Berichtigung und Widerspruch (Art. 16, 21 DSGVO)")
    ).to_be_visible()
    both_widths(page, "contact")
    page.goto(f"{live_server.url}/privacy/requests/{item.pk}/")
    expect(page.get_by_text("Antwort fällig bis")).to_be_visible()
    both_widths(page, "request")
    page.goto(f"{live_server.url}/privacy/inactive/")
    expect(page.get_by_role("button", name="Jetzt prüfen")).to_be_visible()
    both_widths(page, "inactive")
    page.goto(f"{live_server.url}/privacy/register/")
    expect(
        page.get_by_role("heading", name="Verzeichnis von Verarbeitungstätigkeiten (Art. 30 DSGVO)")
    ).to_be_visible()
    both_widths(page, "register")
    page.goto(f"{live_server.url}/privacy/register/edit/")
    both_widths(page, "register-edit")
    page.goto(f"{live_server.url}/privacy/")
    both_widths(page, "overview")
