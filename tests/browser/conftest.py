"""Fixtures shared by the Chromium journeys (helpers for screenshots and logging in: helpers.py)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page

from tests.browser.helpers import log_in_as


@pytest.fixture
def logged_in(page: Page, live_server: Any, agent: Any) -> Any:
    """The browser carries the agent's session; returns the agent."""
    log_in_as(page, live_server, agent)
    return agent
