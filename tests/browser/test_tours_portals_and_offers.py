"""The tour's switches per portal, the tour PDF in the offer form and an online viewing's live link,
as the agent sees them (screenshots at 1440 and 390 px)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from maklerwerk.appointments.services import appointment_create
from maklerwerk.portals import services as portals
from maklerwerk.tours.models import Tour
from tests.browser.helpers import log_in_as, shot
from tests.mailing.conftest import make_contact
from tests.portals.conftest import add_picture, make_listing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LIVE = "https://meet.example.org/rundgang-mw-0360"


def _portal(office: Any, admin: Any, **data: Any) -> Any:
    return portals.portal_create(office=office, acting_user=admin, data={"active": False, **data})


def test_the_agent_switches_the_tour_off_for_one_portal_and_offers_its_pdf(
    page: Page, live_server: Any, office: Any, admin_user: Any, agent: Any
) -> None:
    from maklerwerk.tours.services import TourData, tour_create, tour_publish

    prop = make_listing(office, agent, "MW-0360", title="Altbauwohnung mit Rundgang")
    add_picture(prop, caption="Wohnzimmer")
    feed = _portal(
        office, admin_user, name="immowelt", key="immowelt", kind="openimmo_ftp", host="ftp.example"
    )
    scout = _portal(office, admin_user, name="ImmobilienScout24", key="is24", kind="is24")
    tour, _secret = tour_create(
        prop=prop, data=TourData(link="https://my.matterport.com/show/?m=SxQL3iGyoDo"), acting_user=agent
    )
    tour_publish(tour=tour, published=True, acting_user=agent)
    make_contact(office, email="lea@example.net", first_name="Lea", last_name="Sommer")

    log_in_as(page, live_server, agent)
    page.goto(f"{live_server.url}/properties/{prop.pk}/#ext-tours")
    page.get_by_role("tab", name="Rundgang").click()
    card = page.locator(f'.tour-card[data-tour="{tour.pk}"]')
    expect(card.get_by_label("immowelt")).to_be_checked()
    card.get_by_label("ImmobilienScout24").uncheck()
    card.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("wird mit der nächsten Übertragung veröffentlicht")).to_be_visible()
    assert Tour.objects.get().channels_off == [f"portal:{scout.pk}"]
    page.get_by_role("tab", name="Rundgang").click()
    expect(card.get_by_label("ImmobilienScout24")).not_to_be_checked()
    expect(card.get_by_label("immowelt")).to_be_checked()
    expect(card.get_by_role("link", name="PDF")).to_be_visible()
    shot(page, "tours_portal_switches_1440")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "tours_portal_switches_390")
    assert feed.pk != scout.pk

    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{live_server.url}/exposes/offers/new/?property={prop.pk}")
    extras = page.locator("#offer-extras")
    expect(extras).to_contain_text("Weitere Anhänge")
    expect(
        extras.get_by_label("Virtueller Rundgang (PDF mit Link und QR-Code", exact=False)
    ).not_to_be_checked()
    shot(page, "offer_new_tour_pdf_1440")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "offer_new_tour_pdf_390")


def test_an_online_viewing_shows_its_live_link(page: Page, live_server: Any, office: Any, agent: Any) -> None:
    prop = make_listing(office, agent, "MW-0361", title="Wohnung mit Live-Besichtigung")
    lea = make_contact(office, email="lea@example.net", first_name="Lea", last_name="Sommer")
    start = timezone.now() + dt.timedelta(days=1)
    appointment = appointment_create(
        office=office,
        acting_user=agent,
        kind="online_viewing",
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=30),
        property_id=prop.pk,
        contact_ids=[lea.pk],
        video_url=LIVE,
    )
    log_in_as(page, live_server, agent)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{live_server.url}/appointments/{appointment.pk}/")
    expect(page.locator("#appointment-video-url")).to_have_attribute("href", LIVE)
    expect(page.locator("#appointment-facts")).to_contain_text("Online-Besichtigung")
    shot(page, "appointment_online_viewing_1440")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "appointment_online_viewing_390")
    page.goto(f"{live_server.url}/appointments/new/")
    expect(page.get_by_label("Live-Link")).to_be_visible()
