"""The viewing journey (issue 19, "Done when"): a slot series, booking links from the match list,
two prospects on the last seat, invitations that parse, moving in the calendar, the result."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from maklerwerk.appointments.models import Appointment
from tests.appointments.conftest import ics_parts, next_saturday
from tests.browser.helpers import log_in_as, shot
from tests.contacts.conftest import make_contact
from tests.properties.conftest import profile_data, property_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "timezone_id": "Europe/Berlin", "locale": "de-DE"}


def both_widths(page: Page, name: str) -> None:
    for width, height in ((1440, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        shot(page, f"appointments-{name}-{width}")
    page.set_viewport_size({"width": 1440, "height": 900})


def _prospect(office: Any, agent: Any, first: str, last: str) -> Any:
    from maklerwerk.matching.services import search_profile_create

    contact = make_contact(
        office, agent, first_name=first, last_name=last,
        emails=[{"value": f"{first.lower()}@example.org", "kind": "private"}],
    )  # fmt: skip
    search_profile_create(contact=contact, acting_user=agent, data=profile_data(name=f"Wohnung {first}"))
    return contact


def _booking_url(mail: Any) -> str:
    text = mail.get_body(("plain",)).get_content()
    return next(w for w in text.split() if "/appointments/b/" in w)


def _invitations(smtp_sink: Any) -> list[tuple[str, Any]]:
    """(recipient, VEVENT) of every received mail that carries an invitation."""
    out = []
    for mail in smtp_sink.parsed():
        for cal in ics_parts(mail):
            out.append((mail["To"].addresses[0].addr_spec, cal))
    return out


def test_the_viewing_journey(
    page: Page, browser: Browser, live_server: Any, office: Any, agent: Any, smtp_sink: Any
) -> None:
    from maklerwerk.properties.services import property_create

    agent.email = "max.makler@example.org"
    agent.save()
    prop = property_create(office=office, acting_user=agent, data=property_data(external_id="MW-0019"))
    erika = _prospect(office, agent, "Erika", "Mustermann")
    _prospect(office, agent, "Otto", "Normal")
    saturday = next_saturday()
    log_in_as(page, live_server, agent)

    # 1. A viewing series: Saturday 10:00–11:00, 30 minutes, one seat each.
    page.goto(f"{live_server.url}/properties/{prop.pk}/#ext-viewings")
    page.get_by_role("tab", name="Besichtigungen").click()
    form = page.locator("#series-form")
    form.get_by_label("Erster Tag").fill(saturday.isoformat())
    form.get_by_label("Von").fill("10:00")
    form.get_by_label("Bis").fill("11:00")
    form.get_by_label("Minuten je Termin").fill("30")
    both_widths(page, "property-viewings-empty")
    form.get_by_role("button", name="Termine anlegen").click()
    expect(page.get_by_text("2 Besichtigungstermine angelegt.")).to_be_visible()
    page.get_by_role("tab", name="Besichtigungen").click()
    expect(page.locator("#slot-table tbody tr")).to_have_count(2)

    # 2. The booking link to both contacts of the match list.
    page.get_by_role("tab", name="Passende Suchprofile").click()
    page.get_by_role("checkbox", name="Erika Mustermann auswählen").check()
    page.get_by_role("checkbox", name="Otto Normal auswählen").check()
    page.get_by_role("button", name="Buchungslink senden").click()
    expect(page.get_by_text("2 kommende Besichtigungstermine.")).to_be_visible()
    both_widths(page, "send-links")
    page.get_by_role("button", name="Buchungslinks senden").click()
    expect(page.get_by_text("E-Mail gesendet an")).to_be_visible()
    links = {m["To"].addresses[0].addr_spec: _booking_url(m) for m in smtp_sink.parsed()}
    assert set(links) == {"erika@example.org", "otto@example.org"}

    # 3. Both open their page; Erika takes the first slot, Otto's click on it comes too late.
    erika_page = browser.new_context(timezone_id="Europe/Berlin").new_page()
    otto_page = browser.new_context(timezone_id="Europe/Berlin").new_page()
    erika_page.goto(links["erika@example.org"])
    otto_page.goto(links["otto@example.org"])
    first = f"{saturday:%d.%m.%Y} 10:00"
    expect(otto_page.locator(f"[data-slot-button='{first}']")).to_be_visible()
    erika_page.locator(f"[data-slot-button='{first}']").click()
    expect(erika_page.locator("#booking-done")).to_contain_text("Ihr Termin ist gebucht")
    otto_page.locator(f"[data-slot-button='{first}']").click()
    expect(otto_page.locator("#booking-error")).to_have_text("Termin nicht mehr frei.")
    otto_page.set_viewport_size({"width": 390, "height": 844})
    shot(otto_page, "appointments-public-full-390")
    otto_page.locator(f"[data-slot-button='{saturday:%d.%m.%Y} 10:30']").click()
    expect(otto_page.locator("#my-bookings")).to_contain_text("10:30")
    otto_page.set_viewport_size({"width": 1440, "height": 900})
    shot(otto_page, "appointments-public-booked-1440")

    # 4. Both invitations parse: REQUEST, their own UID, SEQUENCE 0, the right time.
    invitations = dict(_invitations(smtp_sink))
    assert set(invitations) == {"erika@example.org", "otto@example.org"}
    erika_appt = Appointment.objects.get(contacts=erika)
    for email, expected in (("erika@example.org", dt.time(10)), ("otto@example.org", dt.time(10, 30))):
        cal = invitations[email]
        [event] = cal.walk("VEVENT")
        assert str(cal["METHOD"]) == "REQUEST" and int(event["SEQUENCE"]) == 0
        assert event.decoded("DTSTART").timetz().replace(tzinfo=None) == expected
    assert str(invitations["erika@example.org"].walk("VEVENT")[0]["UID"]) == erika_appt.uid

    # 5. The agent moves Erika's viewing one hour later in the calendar: SEQUENCE 1 goes out.
    page.goto(f"{live_server.url}/appointments/?date={saturday.isoformat()}")
    event = page.locator(".fc-event", has_text="Besichtigung").first
    expect(event).to_be_visible()
    both_widths(page, "calendar-week")
    slot_box = page.locator(".fc-timegrid-slot").first.bounding_box()
    assert slot_box is not None
    slot_height = slot_box["height"]
    box = event.bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + 5
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x, y + 10, steps=5)
    page.mouse.move(x, y + 2 * slot_height, steps=10)
    page.mouse.up()
    expect(page.locator("#calendar-message")).to_contain_text("Termin verschoben")
    erika_appt.refresh_from_db()
    assert erika_appt.sequence == 1
    assert erika_appt.starts_at.astimezone(dt.UTC) != erika_appt.booking.slot.starts_at.astimezone(dt.UTC)
    updates = [cal for email, cal in _invitations(smtp_sink) if email == "erika@example.org"]
    [update] = [c for c in updates if int(c.walk("VEVENT")[0]["SEQUENCE"]) == 1]
    assert str(update.walk("VEVENT")[0]["UID"]) == erika_appt.uid
    assert update.walk("VEVENT")[0].decoded("DTSTART") == erika_appt.starts_at

    # 6. It took place: feedback, and the activity shows on the contact and the property.
    page.goto(f"{live_server.url}/appointments/{erika_appt.pk}/")
    page.get_by_label("Status", exact=True).select_option(label="stattgefunden")
    page.get_by_label("Feedback").fill("Sehr interessiert, möchte den Keller sehen.")
    page.get_by_label("Interessenstatus").select_option(label="Angebot")
    both_widths(page, "detail")
    page.get_by_role("button", name="Ergebnis speichern").click()
    expect(page.get_by_text("Status gespeichert: stattgefunden.")).to_be_visible()
    expect(page.locator(".attendee-said")).to_contain_text("Angebot")
    page.goto(f"{live_server.url}/contacts/{erika.pk}/")
    page.get_by_role("tab", name="Aktivitäten", exact=True).click()
    timeline = page.locator("#activities")
    expect(timeline.get_by_text("Besichtigung: stattgefunden").first).to_be_visible()
    expect(timeline.get_by_text("möchte den Keller sehen").first).to_be_visible()
    page.get_by_role("tab", name="Termine").click()
    expect(page.locator("#contact-appointments")).to_contain_text("stattgefunden")
    page.goto(f"{live_server.url}/properties/{prop.pk}/")
    page.get_by_role("tab", name=re.compile("Aktivitäten")).click()
    expect(page.get_by_text("möchte den Keller sehen").first).to_be_visible()
    page.goto(f"{live_server.url}/")
    both_widths(page, "dashboard")


def test_two_prospects_press_book_on_the_last_seat_at_the_same_moment(
    browser: Browser, live_server: Any, office: Any, agent: Any, smtp_sink: Any
) -> None:
    """GIVEN a group viewing with one of two seats left, and two prospects on their booking pages in
    their own browsers WHEN both press "Buchen" at the same moment THEN one is booked, the other reads
    "Termin nicht mehr frei.", sees the slot as booked up and books the next one instead."""
    from maklerwerk.appointments.series import SeriesRule
    from maklerwerk.appointments.services import booking_link_create, slot_book, slot_series_create
    from maklerwerk.properties.services import property_create

    prop = property_create(office=office, acting_user=agent, data=property_data(external_id="MW-0020"))
    saturday = next_saturday()
    rule = SeriesRule(first_day=saturday, start=dt.time(10), end=dt.time(11), minutes=30)
    first, _second = slot_series_create(prop=prop, acting_user=agent, rule=rule, capacity=2)
    paula = make_contact(office, agent, first_name="Paula", last_name="Früh")
    slot_book(link=booking_link_create(prop=prop, contact=paula, acting_user=agent)[0], slot_id=first.pk)
    pages = {}
    for first_name, last_name in (("Erika", "Mustermann"), ("Otto", "Normal")):
        contact = make_contact(
            office, agent, first_name=first_name, last_name=last_name,
            emails=[{"value": f"{first_name.lower()}@example.org", "kind": "private"}],
        )  # fmt: skip
        _link, token = booking_link_create(prop=prop, contact=contact, acting_user=agent)
        page = browser.new_context(timezone_id="Europe/Berlin", locale="de-DE").new_page()
        page.goto(f"{live_server.url}/appointments/b/{token}/")
        pages[first_name] = page
    ten, half_past = f"{saturday:%d.%m.%Y} 10:00", f"{saturday:%d.%m.%Y} 10:30"
    for page in pages.values():
        expect(page.locator(f"[data-slot-button='{ten}']")).to_be_visible()

    # Both press at once: neither click waits for its page to load before the other is pressed.
    for page in pages.values():
        page.locator(f"[data-slot-button='{ten}']").click(no_wait_after=True)
    said = {}
    for name, page in pages.items():
        answer = page.locator("#booking-done, #booking-error")
        expect(answer).to_be_visible()
        said[name] = answer.inner_text().strip()
    booked = [n for n, text in said.items() if "Ihr Termin ist gebucht" in text]
    refused = [n for n, text in said.items() if text == "Termin nicht mehr frei."]
    assert len(booked) == 1 and len(refused) == 1, said
    loser = pages[refused[0]]
    expect(loser.locator("#free-slots form", has_text="10:00")).to_contain_text("ausgebucht")
    both_widths(loser, "public-last-seat-refused")

    loser.locator(f"[data-slot-button='{half_past}']").click()
    expect(loser.locator("#booking-done")).to_contain_text("Ihr Termin ist gebucht")
    expect(loser.locator("#my-bookings")).to_contain_text("10:30")
    first.refresh_from_db()
    assert (first.booked, first.capacity) == (2, 2)
    received = sorted(email for email, _cal in _invitations(smtp_sink))
    assert received == ["erika@example.org", "otto@example.org"]  # one invitation each
