"""Shared by the Chromium journeys: screenshots for looking at the pages, and logging a user in
(through the form or by session cookie). Shared fixtures (`logged_in`) are in conftest.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.test import Client
from playwright.sync_api import Page, expect

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
PASSWORD = "Geheim-Passwort-1"  # every test user's (tests/conftest.py make_user)


def shot(page: Page, name: str) -> None:
    """A full-page screenshot in var/screenshots/NAME.png."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def log_in_as(page: Page, live_server: Any, user: Any) -> Page:
    """The browser carries `user`'s session (no login form: that has its own test)."""
    page.set_viewport_size({"width": 1400, "height": 900})
    client = Client()
    client.force_login(user)
    name = settings.SESSION_COOKIE_NAME
    page.context.add_cookies([{"name": name, "value": client.cookies[name].value, "url": live_server.url}])
    return page


def log_in(page: Page, base_url: str, username: str = "makler", password: str = PASSWORD) -> None:
    """Through the login form, as a person would (the `agent` fixture's credentials by default)."""
    page.goto(base_url + "/login/")
    page.get_by_label("Benutzername").fill(username)
    page.get_by_label("Passwort").fill(password)
    page.get_by_role("button", name="Anmelden").click()
    expect(page.get_by_role("heading", name="Übersicht")).to_be_visible()
