"""Chromium: an admin builds a follow-up process in the editor; each step shows only its own fields,
steps are added with a button, and the list shows the saved steps. Screenshots: var/screenshots/."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import log_in_as, shot
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def admin_page(page: Page, live_server: Any, office: Any) -> Page:
    admin = make_user(office, "chefin", "admin", first_name="Clara", last_name="Chefin")
    return log_in_as(page, live_server, admin)


def test_an_admin_builds_a_process_in_the_editor(admin_page: Page, live_server: Any) -> None:
    page = admin_page
    page.goto(f"{live_server.url}/inquiries/processes/")
    expect(page.get_by_text("Nachfassen nach Exposé-Versand")).to_be_visible()  # the shipped ones
    shot(page, "processes-list")
    page.get_by_role("link", name="Neuer Prozess").click()
    page.get_by_label("Name", exact=True).fill("Besichtigung anbieten")
    page.get_by_label("startet, wenn").select_option("expose_sent")

    first = page.locator("[data-step]").nth(0)
    first.get_by_label("Schritt", exact=True).select_option("wait")
    expect(first.get_by_label("Tage", exact=True)).to_be_visible()
    expect(first.get_by_label("Betreff")).to_be_hidden()  # a wait step has no subject
    first.get_by_label("Tage", exact=True).fill("2")

    page.get_by_role("button", name="Schritt hinzufügen").click()
    second = page.locator("[data-step]").nth(1)
    second.get_by_label("Schritt", exact=True).select_option("send_mail")
    expect(second.get_by_label("Tage", exact=True)).to_be_hidden()
    # a new mail step starts with the shipped text in the one placeholder language
    expect(second.get_by_label("Betreff")).to_have_value("Ihre Anfrage zu {{ objekt.titel }}")
    expect(second.get_by_label("Text")).to_have_value(re.compile(r"^\{\{ kontakt\.briefanrede \}\},"))
    second.get_by_label("Betreff").fill("Besichtigung für {{ objekt.titel }}?")
    second.get_by_label("Text").fill("{{ kontakt.briefanrede }}, wann passt es Ihnen?")
    shot(page, "processes-editor")
    page.get_by_role("button", name="Speichern").click()

    expect(page.get_by_text("Prozess gespeichert.")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Besichtigung anbieten")
    expect(row).to_contain_text("Warten: 2 Tage")
    expect(row).to_contain_text("E-Mail „Besichtigung für {{ objekt.titel }}?“ senden")
    shot(page, "processes-saved")


def test_a_mail_step_starts_from_a_saved_template(admin_page: Page, live_server: Any, office: Any) -> None:
    from maklerwerk.mailing.models import MailTemplate

    MailTemplate.objects.create(
        office=office,
        name="Einladung zur Besichtigung",
        subject="Besichtigung {{ objekt.titel }}",
        body="{{ kontakt.briefanrede }}, gern zeigen wir Ihnen {{ objekt.titel }}.",
    )
    page = admin_page
    page.goto(f"{live_server.url}/inquiries/processes/new/")
    page.get_by_label("Name", exact=True).fill("Einladen")
    step = page.locator("[data-step]").nth(0)
    step.get_by_label("Schritt", exact=True).select_option("send_mail")
    step.get_by_label("Text").fill("Mein eigener Text")
    page.once("dialog", lambda dialog: dialog.accept())  # asks before replacing what was written
    step.get_by_label("Aus Vorlage übernehmen").select_option(label="Einladung zur Besichtigung")
    expect(step.get_by_label("Betreff")).to_have_value("Besichtigung {{ objekt.titel }}")
    expect(step.get_by_label("Text")).to_have_value(
        "{{ kontakt.briefanrede }}, gern zeigen wir Ihnen {{ objekt.titel }}."
    )
    shot(page, "processes-template-picked")
    page.get_by_role("button", name="Speichern").click()
    row = page.get_by_role("row").filter(has_text="Einladen")
    expect(row).to_contain_text("E-Mail „Besichtigung {{ objekt.titel }}“ senden")
