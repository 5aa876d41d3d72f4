"""The booking page beyond booking: the consent gate of the document links, the privacy text, the
prospect cancelling or moving a booking (mails to both sides with the same UID, SEQUENCE + 1), and
an appointment the agent moves keeping its original slot's seat."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from maklerwerk.appointments.models import (
    Appointment,
    AppointmentSettings,
    BookingConsent,
    ViewingBooking,
    ViewingSlot,
)
from maklerwerk.appointments.services import appointment_move, booking_link_create, slot_book
from maklerwerk.core.exceptions import ConflictError
from maklerwerk.core.models import Activity
from tests.appointments.conftest import ics_parts


def _url(token: str) -> str:
    return f"/appointments/b/{token}/"


@pytest.fixture
def mailed_agent(agent: Any) -> Any:
    agent.email = "max@makler.example"
    agent.save(update_fields=["email"])
    return agent


def _calendar_of(mail: Any) -> tuple[str, int, str]:
    [cal] = ics_parts(mail)
    [event] = cal.walk("VEVENT")
    return str(cal["METHOD"]), int(event["SEQUENCE"]), str(event["UID"])


@pytest.mark.django_db
def test_a_prospect_who_is_no_client_accepts_the_texts_first_and_it_is_recorded(
    office: Any, prop: Any, erika: Any, otto: Any, slots: list[Any], agent: Any, smtp_sink: Any
) -> None:
    office.cancellation_notice_text = "Sie haben das Recht, binnen vierzehn Tagen zu widerrufen."
    office.terms_text = "Provision 3,57 % inkl. MwSt."
    office.save()
    AppointmentSettings.objects.create(office=office, privacy_text="Wir speichern Ihre Buchung 6 Monate.")
    _, token = booking_link_create(prop=prop, contact=erika, acting_user=agent)
    client = Client()
    page = client.get(_url(token)).content.decode()
    assert "Bevor es weitergeht" in page and "binnen vierzehn Tagen" in page and "Provision 3,57" in page
    refused = client.post(_url(token), {"slot": slots[0].pk})  # booking around the gate: not possible
    assert "Bevor es weitergeht" in refused.content.decode() and not ViewingBooking.objects.exists()
    half = client.post(_url(token), {"action": "consent", "accept_notice": "1"})
    assert half.status_code == 400 and "Bitte bestätigen Sie" in half.content.decode()
    client.post(_url(token), {"action": "consent", "accept_notice": "1", "accept_terms": "1"})
    page = client.get(_url(token)).content.decode()
    assert "Besichtigung buchen" in page and "Wir speichern Ihre Buchung 6 Monate." in page
    consent = BookingConsent.objects.get()
    assert consent.contact == erika and "Provision 3,57" in consent.accepted_text
    erika.refresh_from_db()
    assert erika.terms_confirmed and erika.terms_confirmed_via == "online"
    assert Activity.objects.filter(
        contact=erika, subject__contains="über den Buchungslink akzeptiert"
    ).exists()
    # Otto is a client already (terms confirmed): no gate for him.
    otto.terms_confirmed = True
    otto.save(update_fields=["terms_confirmed"])
    _, otto_token = booking_link_create(prop=prop, contact=otto, acting_user=agent)
    assert "Besichtigung buchen" in Client().get(_url(otto_token)).content.decode()


@pytest.mark.django_db
def test_the_prospect_moves_and_then_cancels_and_both_sides_get_the_same_uid_with_a_new_sequence(
    prop: Any, erika: Any, slots: list[Any], mailed_agent: Any, smtp_sink: Any
) -> None:
    link, token = booking_link_create(prop=prop, contact=erika, acting_user=mailed_agent)
    booking = slot_book(link=link, slot_id=slots[0].pk)
    assert booking.appointment is not None
    uid = booking.appointment.uid
    client = Client()
    page = client.get(_url(token)).content.decode()
    assert "Lieber ein anderer Termin" in page and "Hierhin verschieben" in page
    moved = client.post(
        _url(token), {"action": "move", "booking": booking.pk, "slot": slots[1].pk}, follow=True
    )
    assert "Ihr Termin ist verschoben" in moved.content.decode()
    assert [s.booked for s in ViewingSlot.objects.order_by("starts_at")] == [0, 1]
    appointment = Appointment.objects.get()
    assert (
        appointment.uid == uid and appointment.sequence == 1 and appointment.starts_at == slots[1].starts_at
    )
    by_to = {str(m["To"].addresses[0].addr_spec): m for m in smtp_sink.parsed()}
    assert _calendar_of(by_to["erika@example.org"]) == ("REQUEST", 1, uid)
    assert _calendar_of(by_to["max@makler.example"]) == ("REQUEST", 1, uid)
    assert str(by_to["max@makler.example"]["Subject"]).startswith("Verschoben von Erika Mustermann")
    new_booking = ViewingBooking.objects.get(cancelled_at__isnull=True)
    smtp_sink.messages.clear()
    cancelled = client.post(_url(token), {"action": "cancel", "booking": new_booking.pk}, follow=True)
    assert "Ihr Termin ist abgesagt" in cancelled.content.decode()
    assert [s.booked for s in ViewingSlot.objects.order_by("starts_at")] == [0, 0]
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CANCELLED and appointment.sequence == 2
    by_to = {str(m["To"].addresses[0].addr_spec): m for m in smtp_sink.parsed()}
    assert _calendar_of(by_to["erika@example.org"]) == ("CANCEL", 2, uid)
    assert _calendar_of(by_to["max@makler.example"]) == ("CANCEL", 2, uid)
    # Someone else's booking cannot be touched through this link.
    again = client.post(_url(token), {"action": "cancel", "booking": new_booking.pk})
    assert again.status_code == 400 and "gibt es nicht" in again.content.decode()


@pytest.mark.django_db
def test_moving_onto_a_full_slot_is_refused_and_keeps_the_booking(
    prop: Any, erika: Any, otto: Any, slots: list[Any], agent: Any, smtp_sink: Any
) -> None:
    erika_link, token = booking_link_create(prop=prop, contact=erika, acting_user=agent)
    otto_link, _ = booking_link_create(prop=prop, contact=otto, acting_user=agent)
    mine = slot_book(link=erika_link, slot_id=slots[0].pk)
    slot_book(link=otto_link, slot_id=slots[1].pk)
    response = Client().post(_url(token), {"action": "move", "booking": mine.pk, "slot": slots[1].pk})
    assert response.status_code == 409 and "Termin nicht mehr frei" in response.content.decode()
    assert [s.booked for s in ViewingSlot.objects.order_by("starts_at")] == [1, 1]
    assert ViewingBooking.objects.get(pk=mine.pk).cancelled_at is None


@pytest.mark.django_db
def test_an_appointment_the_agent_moves_keeps_its_original_slots_seat(
    prop: Any, erika: Any, otto: Any, slots: list[Any], agent: Any
) -> None:
    link, _ = booking_link_create(prop=prop, contact=erika, acting_user=agent)
    booking = slot_book(link=link, slot_id=slots[0].pk)
    assert booking.appointment is not None
    start = booking.appointment.starts_at + dt.timedelta(hours=3)
    appointment_move(
        appointment=booking.appointment,
        starts_at=start,
        ends_at=start + dt.timedelta(minutes=30),
        acting_user=agent,
    )
    assert ViewingSlot.objects.get(pk=slots[0].pk).booked == 1
    assert ViewingBooking.objects.get(pk=booking.pk).cancelled_at is None
    otto_link, _ = booking_link_create(prop=prop, contact=otto, acting_user=agent)
    with pytest.raises(ConflictError):
        slot_book(link=otto_link, slot_id=slots[0].pk)


@pytest.fixture
def request_slots(prop: Any, mailed_agent: Any) -> list[Any]:
    from maklerwerk.appointments.series import SeriesRule
    from maklerwerk.appointments.services import slot_series_create
    from tests.appointments.conftest import next_saturday

    rule = SeriesRule(first_day=next_saturday(), start=dt.time(14), end=dt.time(15), minutes=30)
    return slot_series_create(
        prop=prop, acting_user=mailed_agent, rule=rule, capacity=1, booking_mode=ViewingSlot.Booking.REQUEST
    )


@pytest.mark.django_db
def test_a_request_holds_the_seat_until_the_agent_confirms_and_then_the_invitation_goes_out(
    prop: Any, erika: Any, request_slots: list[Any], mailed_agent: Any, smtp_sink: Any, client: Any
) -> None:
    _, token = booking_link_create(prop=prop, contact=erika, acting_user=mailed_agent)
    page = Client().get(_url(token)).content.decode()
    assert "auf Anfrage" in page and ">Anfragen<" in page
    done = Client().post(_url(token), {"slot": request_slots[0].pk}, follow=True).content.decode()
    assert "Vielen Dank für Ihre Anfrage" in done and "wartet auf Bestätigung" in done
    assert ViewingSlot.objects.get(pk=request_slots[0].pk).booked == 1
    appointment = Appointment.objects.get()
    assert appointment.status == Appointment.Status.PLANNED
    by_to = {str(m["To"].addresses[0].addr_spec): m for m in smtp_sink.parsed()}
    assert not ics_parts(by_to["erika@example.org"])  # a receipt, not yet an invitation
    assert str(by_to["max@makler.example"]["Subject"]).startswith("Besichtigungsanfrage von Erika")
    smtp_sink.messages.clear()
    client.force_login(mailed_agent)
    detail = client.get(f"/appointments/{appointment.pk}/").content.decode()
    assert "hat diese Zeit angefragt" in detail
    booking = ViewingBooking.objects.get()
    answered = client.post(f"/appointments/requests/{booking.pk}/", {"answer": "confirm"}, follow=True)
    assert "Bestätigt; die Einladung ist versandt." in answered.content.decode()
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.CONFIRMED
    [mail] = smtp_sink.parsed()
    assert _calendar_of(mail) == ("REQUEST", 0, appointment.uid)


@pytest.mark.django_db
def test_a_declined_request_frees_the_seat_and_tells_the_prospect(
    prop: Any, erika: Any, request_slots: list[Any], mailed_agent: Any, smtp_sink: Any, api: Any
) -> None:
    link, _ = booking_link_create(prop=prop, contact=erika, acting_user=mailed_agent)
    booking = slot_book(link=link, slot_id=request_slots[0].pk)
    smtp_sink.messages.clear()
    response = api.post(f"/api/v1/viewing-bookings/{booking.pk}/decline")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert ViewingSlot.objects.get(pk=request_slots[0].pk).booked == 0
    [mail] = smtp_sink.parsed()
    assert str(mail["Subject"]).startswith("Leider nicht möglich") and not ics_parts(mail)
    again = api.post(f"/api/v1/viewing-bookings/{booking.pk}/confirm")
    assert again.status_code == 400
