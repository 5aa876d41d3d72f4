"""Browser journey of seed 000: link a tour by its id, publish it (banner and link in the exposé
and the OpenImmo package), a prospect registers on the restricted tour, the agent grants access
from the notification mail, the prospect visits two rooms of the stand-in provider's tour, and the
per-room activity appears on the contact (time-machine for the 30 minutes)."""

from __future__ import annotations

import datetime as dt
import re
import time
from typing import Any

import pytest
import time_machine
from playwright.sync_api import Browser, Page, expect

from maklerwerk.core.models import Activity
from maklerwerk.tours.models import Tour, Visit
from maklerwerk.tours.tasks import close_visits_start
from tests.browser.helpers import log_in_as, shot
from tests.portals.conftest import add_picture, make_listing
from tests.tours.conftest import standin_provider
from tests.tours.test_publish import package

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
__all__ = ["standin_provider"]


@pytest.fixture
def scene(office: Any, agent: Any) -> Any:
    from maklerwerk.inquiries.services import settings_for

    office.email = "info@testbuero.example"
    office.cancellation_notice_text = "Sie können Ihre Erklärung innerhalb von 14 Tagen widerrufen."
    office.save()
    agent.first_name, agent.last_name, agent.email = "Anna", "Beispiel", "anna@testbuero.example"
    agent.save()
    cfg = settings_for(office)
    cfg.double_opt_in, cfg.send_expose = False, False
    cfg.save()
    prop = make_listing(office, agent, "MW-0360", title="Altbauwohnung mit Rundgang")
    add_picture(prop, caption="Wohnzimmer")
    return prop


def _mail_to(smtp_sink: Any, address: str) -> str:
    for _ in range(100):
        for message in reversed(smtp_sink.parsed()):
            if address in str(message["To"]):
                return str(message.get_body(preferencelist=("plain",)).get_content())
        time.sleep(0.1)
    raise AssertionError(f"no mail to {address}")


def _path(text: str, pattern: str) -> str:
    found = re.search(r"https?://[^/\s]+(" + pattern + r")", text)
    assert found, text
    return found.group(1)


def _link_and_publish(page: Page, live_server: Any, prop: Any, standin: str) -> Tour:
    page.goto(f"{live_server.url}/properties/{prop.pk}/#ext-tours")
    page.get_by_role("tab", name="Rundgang").click()
    form = page.locator("#tour-create-form")
    form.get_by_label("Link oder Rundgang-Kennung").fill("SxQL3iGyoDo")
    form.get_by_label("Einbettungs-URL (optional)").fill(f"{standin}/index.html")
    form.get_by_label("Räume, einer je Zeile").fill("wohnen: Wohnzimmer\nkueche: Küche\nbad: Bad *")
    form.get_by_label("Vollständiger Rundgang erst nach Registrierung").check()
    form.get_by_role("button", name="Rundgang verknüpfen").click()
    expect(page.get_by_text("Webhook-Geheimnis für den Anbieter, nur jetzt sichtbar")).to_be_visible()
    tour = Tour.objects.get()
    assert (tour.provider, tour.external_id) == ("matterport", "SxQL3iGyoDo")
    page.get_by_role("tab", name="Rundgang").click()
    card = page.locator(f'.tour-card[data-tour="{tour.pk}"]')
    card.get_by_text("Veröffentlichen", exact=True).click()
    card.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("wird mit der nächsten Übertragung veröffentlicht")).to_be_visible()
    shot(page, "tours_property_tab")
    return Tour.objects.get()


def _check_published(page: Page, live_server: Any, prop: Any, tour: Tour) -> None:
    page.goto(f"{live_server.url}/exposes/property/{prop.pk}/preview/")
    expect(page.get_by_text(f"Virtueller Rundgang (360°): {tour.open_url}")).to_be_visible()
    root, zf = package(prop)
    assert root.findtext(".//geo/virtuelletour") == "true"
    assert root.xpath('.//anhang[@gruppe="LINKS"][@location="REMOTE"]/daten/pfad')[0].text == tour.open_url
    title = root.xpath('.//anhang[@gruppe="TITELBILD"]/daten/pfad')[0].text
    assert zf.read(title) != prop.images.get().file.read()  # the 360° copy, not the original


def test_link_publish_register_grant_visit_and_the_activity_on_the_contact(
    page: Page,
    browser: Browser,
    live_server: Any,
    agent: Any,
    scene: Any,
    smtp_sink: Any,
    standin_provider: str,
) -> None:
    prop = scene
    log_in_as(page, live_server, agent)
    tour = _link_and_publish(page, live_server, prop, standin_provider)
    _check_published(page, live_server, prop, tour)

    # The prospect opens the restricted link: open rooms and the registration form.
    prospect = browser.new_context(viewport={"width": 390, "height": 844})
    guest = prospect.new_page()
    guest.goto(f"{live_server.url}/tours/t/{tour.page_key}/")
    expect(guest.locator("#tour-rooms")).to_contain_text("Bad (nach Registrierung)")
    expect(guest.get_by_text("ohne Cookies")).to_be_visible()
    guest.get_by_label("Name").fill("Lea Sommer")
    guest.get_by_label("E-Mail").fill("lea.sommer@example.net")
    guest.get_by_label("Telefon").fill("0221 555123")
    guest.get_by_label("Ich akzeptiere die Texte oben").check()
    shot(guest, "tours_public_register_390")
    guest.get_by_role("button", name="Registrieren").click()
    expect(guest.locator("#tour-registered")).to_contain_text("Vielen Dank für Ihre Registrierung")

    # The agent's mail says "Zugriff gestatten"; the link opens the grant page.
    grant_path = _path(_mail_to(smtp_sink, "anna@testbuero.example"), r"/tours/registrations/\d+/grant/")
    page.goto(live_server.url + grant_path)
    page.get_by_role("button", name="Zugriff gestatten").click()
    expect(page.get_by_text("Zugriff für Lea Sommer bis")).to_be_visible()

    # The prospect's personal link: all rooms; two rooms visited on a controlled clock.
    personal = _path(_mail_to(smtp_sink, "lea.sommer@example.net"), r"/tours/p/[\w-]+/")
    guest.clock.install()
    guest.goto(live_server.url + personal)
    expect(guest.locator("#tour-full-access")).to_be_visible()
    guest.clock.pause_at(dt.datetime.now(tz=dt.UTC) + dt.timedelta(seconds=5))
    frame = guest.frame_locator("#tour-frame")
    frame.get_by_role("button", name="Wohnzimmer").click()
    expect(guest.locator("#tour-current-room")).to_have_text("Wohnzimmer")
    guest.clock.run_for(40_000)
    frame.get_by_role("button", name="Küche").click()
    expect(guest.locator("#tour-current-room")).to_have_text("Küche")
    guest.clock.run_for(20_000)
    shot(guest, "tours_public_personal_390")
    guest.goto("about:blank")  # leaving: the last beacon
    for _ in range(100):
        visit = Visit.objects.filter(grant__isnull=False).first()
        if visit and visit.rooms.get("kueche", {}).get("seconds", 0) >= 20:
            break
        time.sleep(0.1)
    prospect.close()

    with time_machine.travel(dt.datetime.now(tz=dt.UTC) + dt.timedelta(minutes=30)):
        close_visits_start()
    activity = Activity.objects.get(payload__kind="tour_visit")
    assert activity.payload["rooms"] == {"wohnen": 40, "kueche": 20}
    page.goto(f"{live_server.url}/contacts/{activity.contact_id}/")
    page.get_by_role("tab", name="Aktivitäten").click()
    subject = "Rundgang besucht: Wohnzimmer 0:40, Küche 0:20"
    expect(page.locator("#activities").get_by_text(subject)).to_be_visible()
    shot(page, "tours_contact_activity")
    page.goto(f"{live_server.url}/tours/{tour.pk}/stats/")
    expect(page.locator("#tour-contact-rooms")).to_contain_text("Lea Sommer")
    shot(page, "tours_stats")
