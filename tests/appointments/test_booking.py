"""The public booking page: personal token, free slots, the last seat taken once, invitations."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import close_old_connections
from django.test import Client

from maklerwerk.appointments.models import Appointment, ViewingBooking, ViewingSlot
from maklerwerk.appointments.services import booking_link_create, slot_book
from maklerwerk.core.exceptions import ApplicationError, ConflictError
from tests.appointments.conftest import ics_parts


def _url(token: str) -> str:
    return f"/appointments/b/{token}/"


@pytest.mark.django_db
def test_a_prospect_books_a_slot_and_receives_an_invitation_that_parses(
    prop: Any, erika: Any, slots: list[Any], agent: Any, smtp_sink: Any
) -> None:
    _, token = booking_link_create(prop=prop, contact=erika, acting_user=agent)
    client = Client()
    page = client.get(_url(token)).content.decode()
    assert "Besichtigung buchen" in page and "Altbau am Park" in page
    response = client.post(_url(token), {"slot": slots[0].pk}, follow=True)
    assert "Ihr Termin ist gebucht" in response.content.decode()
    appointment = Appointment.objects.get()
    assert appointment.status == Appointment.Status.CONFIRMED and list(appointment.contacts.all()) == [erika]
    [mail] = smtp_sink.parsed()
    assert mail["To"].addresses[0].addr_spec == "erika@example.org"
    [cal] = ics_parts(mail)
    assert str(cal["METHOD"]) == "REQUEST"
    [part] = [p for p in mail.walk() if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "REQUEST"  # Outlook and Gmail show it as an invitation
    [event] = cal.walk("VEVENT")
    assert str(event["UID"]) == appointment.uid and int(event["SEQUENCE"]) == 0
    assert event.decoded("DTSTART") == appointment.starts_at
    assert "erika@example.org" in str(event["ATTENDEE"])
    assert cal.walk("VTIMEZONE") and str(cal.walk("VTIMEZONE")[0]["TZID"]) == "Europe/Berlin"
    assert ViewingSlot.objects.get(pk=slots[0].pk).booked == 1


@pytest.mark.django_db
def test_a_full_slot_gives_a_friendly_german_refusal(
    prop: Any, erika: Any, otto: Any, slots: list[Any], agent: Any, smtp_sink: Any
) -> None:
    _, erika_token = booking_link_create(prop=prop, contact=erika, acting_user=agent)
    _, otto_token = booking_link_create(prop=prop, contact=otto, acting_user=agent)
    Client().post(_url(erika_token), {"slot": slots[0].pk})
    response = Client().post(_url(otto_token), {"slot": slots[0].pk})
    assert response.status_code == 409
    assert "Termin nicht mehr frei" in response.content.decode()
    Client().post(_url(otto_token), {"slot": slots[1].pk})
    assert ViewingBooking.objects.filter(contact=otto, slot=slots[1]).exists()


@pytest.mark.django_db
def test_unknown_forged_and_expired_links_get_one_friendly_page(prop: Any, erika: Any, agent: Any) -> None:
    link, token = booking_link_create(prop=prop, contact=erika, acting_user=agent)
    for bad in ("x" * 43, "kurz", token[:-1] + ("A" if token[-1] != "A" else "B")):
        response = Client().get(_url(bad))
        assert response.status_code == 404 and "Link nicht mehr gültig" in response.content.decode()
    link.expires_at = link.created_at
    link.save()
    assert Client().get(_url(token)).status_code == 404


@pytest.mark.django_db
def test_booking_the_same_slot_twice_or_a_cancelled_slot_is_refused(
    prop: Any, erika: Any, slots: list[Any], agent: Any
) -> None:
    slots[1].capacity = 2
    slots[1].save()
    link, _ = booking_link_create(prop=prop, contact=erika, acting_user=agent)
    slot_book(link=link, slot_id=slots[1].pk)
    with pytest.raises(ConflictError, match="bereits gebucht"):
        slot_book(link=link, slot_id=slots[1].pk)
    slots[0].cancelled_at = slots[0].created_at
    slots[0].save()
    with pytest.raises(ApplicationError, match="nicht mehr frei"):
        slot_book(link=link, slot_id=slots[0].pk)
    assert ViewingBooking.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_prospects_racing_for_the_last_seat_get_one_booking(
    prop: Any, erika: Any, otto: Any, slots: list[Any], agent: Any
) -> None:
    links = [booking_link_create(prop=prop, contact=c, acting_user=agent)[0] for c in (erika, otto)]
    for round_ in range(5):
        slot = ViewingSlot.objects.create(
            office=prop.office, property=prop, agent=agent, capacity=1,
            starts_at=slots[1].starts_at.replace(year=slots[1].starts_at.year + 1, minute=round_),
            ends_at=slots[1].ends_at.replace(year=slots[1].ends_at.year + 1, minute=30 + round_),
        )  # fmt: skip
        barrier = threading.Barrier(2)
        results: list[str] = []

        def book(
            link: Any,
            slot_id: int = slot.pk,
            barrier: threading.Barrier = barrier,
            results: list[str] = results,
        ) -> None:
            barrier.wait()
            try:
                slot_book(link=link, slot_id=slot_id)
                results.append("booked")
            except ConflictError as exc:
                results.append(exc.message)
            finally:
                close_old_connections()

        threads = [threading.Thread(target=book, args=(link,)) for link in links]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(results) == ["Termin nicht mehr frei.", "booked"]
        slot.refresh_from_db()
        assert slot.booked == 1
        assert ViewingBooking.objects.filter(slot=slot).count() == 1


@pytest.mark.django_db
def test_a_slot_is_offered_only_inside_its_bookable_window(
    prop: Any, erika: Any, slots: list[Any], agent: Any, smtp_sink: Any
) -> None:
    """GIVEN one slot bookable only from tomorrow and one whose booking closed an hour ago WHEN the
    prospect opens the page THEN neither is offered, and a forged POST books nothing."""
    import datetime as dt

    from django.utils import timezone

    now = timezone.now()
    early, closed = slots
    ViewingSlot.objects.filter(pk=early.pk).update(visible_from=now + dt.timedelta(days=1))
    ViewingSlot.objects.filter(pk=closed.pk).update(visible_until=now - dt.timedelta(hours=1))
    _, token = booking_link_create(prop=prop, contact=erika, acting_user=agent)
    page = Client().get(_url(token)).content.decode()
    assert "data-slot-button" not in page and "Derzeit sind keine Termine frei" in page
    refused = Client().post(_url(token), {"slot": early.pk})
    assert refused.status_code == 400 and "Termin nicht mehr frei." in refused.content.decode()
    assert not ViewingBooking.objects.exists() and smtp_sink.parsed() == []


@pytest.mark.django_db
def test_a_bookable_window_that_ends_before_it_starts_is_refused_in_german(prop: Any, agent: Any) -> None:
    client = Client()
    client.force_login(agent)
    response = client.post(
        f"/appointments/property/{prop.pk}/series/",
        {
            "first_day": "2030-06-01", "start": "10:00", "end": "11:00", "minutes": "30", "weeks": "1",
            "capacity": "1", "mode": "in_person", "booking_mode": "direct",
            "visible_from": "2030-05-20T10:00", "visible_until": "2030-05-10T10:00",
        },
    )  # fmt: skip
    assert response.status_code == 400
    assert "Der Buchungsschluss muss nach „Buchung möglich ab“ liegen." in response.content.decode()
    assert not ViewingSlot.objects.exists()
