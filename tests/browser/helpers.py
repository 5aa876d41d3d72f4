"""Shared by the Chromium journeys: screenshots for looking at the pages, and logging a user in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.test import Client
from playwright.sync_api import Page

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


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
