from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from maklerwerk.tasks.models import Task
from tests.browser.helpers import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_create_a_task_and_tick_it_off(page: Page, live_server: Any, agent: Any) -> None:
    page.goto(live_server.url + "/login/")
    page.get_by_label("Benutzername").fill("makler")
    page.get_by_label("Passwort").fill("Geheim-Passwort-1")
    page.get_by_role("button", name="Anmelden").click()
    page.get_by_role("link", name="Aufgaben", exact=True).click()
    page.get_by_role("link", name="Neue Aufgabe").click()
    page.get_by_label("Titel").fill("Energieausweis beim Eigentümer anfordern")
    page.get_by_label("Fällig").fill("15.01.2030 10:00")  # German, whatever the browser language
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("alert")).to_contain_text("Aufgabe angelegt")
    row = page.get_by_role("row", name="Energieausweis beim Eigentümer anfordern")
    expect(row).to_contain_text("15.01.2030")
    shot(page, "tasks-list")
    row.get_by_role("button", name="Als erledigt markieren").click()
    expect(
        page.get_by_role("button", name="Als offen markieren: Energieausweis beim Eigentümer anfordern")
    ).to_be_visible()
    assert Task.objects.get().is_done
