"""The mailbox page and the archive view in Chromium: connect a mailbox (IMAP, with the OAuth 2.0
fields at hand), archive a mail of a known contact, open it from the contact's activities; and the
address book's contact picker. Screenshots at 1440 and 390 px: var/screenshots/mailsync-*.png."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from maklerwerk.davsync import services as dav_services
from maklerwerk.mailsync.models import MailAccount
from maklerwerk.mailsync.sync import account_sync
from tests.browser.helpers import shot
from tests.mailsync.conftest import mail_server, make_mail, person, put

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
__all__ = ["mail_server"]  # the Dovecot fixture, shared with tests/mailsync


def both_widths(page: Page, name: str) -> None:
    page.set_viewport_size({"width": 1440, "height": 900})
    shot(page, f"mailsync-{name}-1440")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, f"mailsync-{name}-390")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.set_viewport_size({"width": 1440, "height": 900})


def test_connect_a_mailbox_archive_a_mail_and_read_it_without_remote_images(
    page: Page, live_server: Any, logged_in: Any, mail_server: Any
) -> None:
    box = mail_server.account("makler-199@buero.example", "geheim")
    kunde = person(logged_in.office, "kunde@example.org", "Klein")
    put(
        box,
        make_mail(
            subject="Fotos vom Balkon", html="<p>Hallo <b>Makler</b></p><img src='https://t.example/p.gif'>"
        ),
    )

    page.goto(live_server.url + "/mailsync/new/")
    page.get_by_label("E-Mail-Adresse").fill(box["username"])
    page.get_by_label("IMAP-Server").fill(box["host"])
    page.get_by_label("Port").fill(str(box["port"]))
    page.get_by_label("Verschlüsselung").select_option("none")
    page.get_by_label("Passwort oder Zugriffstoken").fill(box["password"])
    page.get_by_text("OAuth 2.0: Zugriffstoken automatisch erneuern").click()
    expect(page.get_by_label("Token-Endpunkt")).to_be_visible()
    both_widths(page, "connect")
    page.get_by_role("button", name="Speichern und Verbindung testen").click()
    expect(page.get_by_text("makler-199@buero.example").first).to_be_visible()
    account = MailAccount.objects.get(user=logged_in)
    assert account_sync(account).archived == 1

    page.goto(live_server.url + f"/contacts/{kunde.pk}/")
    page.get_by_text("Fotos vom Balkon").first.wait_for(state="attached")  # in the contact's activities
    link = page.locator("a[href*='/mailsync/mail/']").first
    link.wait_for(state="attached")
    href = link.get_attribute("href")
    page.goto(live_server.url + str(href))
    expect(page.get_by_text("Fotos vom Balkon").first).to_be_visible()
    assert page.locator("img[src*='t.example']").count() == 0  # no tracking pixel loaded
    both_widths(page, "archived-mail")


def test_the_address_book_page_picks_contacts_to_sync(page: Page, live_server: Any, logged_in: Any) -> None:
    person(logged_in.office, "anna@example.org", "Becker")
    account = dav_services.dav_account_create(
        user=logged_in,
        data={"kind": "carddav", "url": "http://127.0.0.1:9/adressen/", "username": "x", "password": "y"},
    )
    page.goto(live_server.url + f"/sync/dav/{account.pk}/")
    expect(page.get_by_role("heading", name="Kontakte in diesem Adressbuch")).to_be_visible()
    page.locator("#dav-contacts .ts-control input").fill("Beck")
    page.get_by_role("option", name="Becker").first.click()
    page.locator("#dav-contacts").get_by_role("button", name="Hinzufügen").first.click()
    expect(page.get_by_text("1 Kontakt wird synchronisiert.")).to_be_visible()
    expect(page.locator("#dav-flagged").get_by_text("Becker")).to_be_visible()
    both_widths(page, "dav-contacts")
