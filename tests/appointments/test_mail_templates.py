"""The appointment mails are the office's mail templates (one placeholder language, one way to
send): the booking link `{{ links.termin }}` in any mail about a property, the `{{ termin.* }}`
fields, edited texts that reach the prospect, and a data migration for offices that exist."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import urlsplit

import pytest
import time_machine
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.utils import timezone

from maklerwerk.appointments import invitations, reminders
from maklerwerk.appointments.invitations import KEYS
from maklerwerk.appointments.models import BookingLink
from maklerwerk.appointments.services import appointment_create, booking_link_create, slot_book
from maklerwerk.core.models import Activity
from maklerwerk.mailing.models import MailTemplate, OutgoingMail
from maklerwerk.mailing.seed import APPOINTMENT_TEMPLATES
from maklerwerk.mailing.services import template_default
from maklerwerk.mailsync.compose import compose_send
from tests.appointments.conftest import ics_parts
from tests.live.migrations import migrate_to_latest

BOOKING_URL = re.compile(r"https?://\S+/appointments/b/[A-Za-z0-9_-]+/")


def _edit(office: Any, key: str, **fields: str) -> None:
    template = template_default(office=office, key=key)
    for name, value in fields.items():
        setattr(template, name, value)
    template.save()


def _text(mail: Any) -> str:
    return str(mail.get_body(("plain",)).get_content())


@pytest.mark.django_db
def test_the_invitation_is_the_offices_edited_template_and_still_carries_the_ics(
    office: Any, agent: Any, prop: Any, erika: Any, slots: list[Any], smtp_sink: Any
) -> None:
    """GIVEN an office that rewrote its invitation WHEN a prospect books THEN the prospect reads the
    office's words with the appointment's values (braces in the title stay text), and the .ics is
    the same REQUEST as before."""
    _edit(
        office,
        KEYS.INVITATION,
        subject="Bis bald: {{ termin.titel }}",
        body="{{ kontakt.briefanrede }},\nwir sehen uns am {{ termin.zeit }} in {{ termin.ort }}.\n"
        "{{ makler.name }}, {{ buero.name }}",
    )
    prop.title = "Altbau {am} Park"
    prop.save()
    link, _ = booking_link_create(prop=prop, contact=erika, acting_user=agent)
    appointment = slot_book(link=link, slot_id=slots[0].pk).appointment
    assert appointment is not None
    sent = invitations.invitation_send(appointment=appointment, acting_user=None)
    assert [s.error for s in sent] == [""]
    [mail] = smtp_sink.parsed()
    assert mail["Subject"] == "Bis bald: Besichtigung Altbau {am} Park"
    when = timezone.localtime(slots[0].starts_at)
    assert f"wir sehen uns am {when:%d.%m.%Y %H:%M}–" in _text(mail)
    assert "in Parkstraße 5, 60311 Frankfurt am Main." in _text(mail)
    assert f"{agent}, {office.name}" in _text(mail)
    [cal] = ics_parts(mail)
    assert str(cal["METHOD"]) == "REQUEST" and str(cal.walk("VEVENT")[0]["UID"]) == appointment.uid
    stored = OutgoingMail.objects.get(to_email__contains="erika@example.org")
    assert stored.template is not None and stored.template.key == KEYS.INVITATION


@pytest.mark.django_db
def test_the_booking_link_is_a_template_field_in_any_mail_about_a_property(
    office: Any, agent: Any, prop: Any, erika: Any, slots: list[Any], smtp_sink: Any
) -> None:
    """GIVEN a mail written from the contact page about a property WHEN its text uses
    {{ links.termin }} THEN Erika receives her own booking page, which shows the free slots."""
    compose_send(
        user=agent,
        contact=erika,
        prop=prop,
        to_email="erika@example.org",
        subject="Besichtigung {{ objekt.titel }}",
        body="{{ kontakt.briefanrede }},\nhier können Sie einen Termin wählen: {{ links.termin }}",
        attachments=[],
    )
    [mail] = smtp_sink.parsed()
    url = BOOKING_URL.search(_text(mail))
    assert url is not None
    link = BookingLink.objects.get(contact=erika, property=prop)
    page = Client().get(urlsplit(url.group(0)).path)
    assert page.status_code == 200
    assert f"{timezone.localtime(slots[0].starts_at):%H:%M}" in page.content.decode()
    activity = Activity.objects.get(contact=erika, type=Activity.Type.EMAIL_SENT)
    assert {"kind": "booking_link", "id": link.pk, "created": True} in activity.payload["links"]


@pytest.mark.django_db
def test_an_edited_booking_link_text_that_lost_the_link_still_sends_it(
    office: Any, agent: Any, prop: Any, erika: Any, slots: list[Any], smtp_sink: Any
) -> None:
    _edit(office, KEYS.BOOKING_LINK, body="{{ kontakt.briefanrede }},\nbitte melden Sie sich.")
    [sent] = invitations.booking_links_send(prop=prop, contacts=[erika], acting_user=agent)
    assert sent.error == ""
    [mail] = smtp_sink.parsed()
    assert "bitte melden Sie sich." in _text(mail) and BOOKING_URL.search(_text(mail))
    assert mail["Subject"] == "Ihr Besichtigungstermin: Altbau am Park"


@pytest.mark.django_db
def test_an_appointment_field_outside_an_appointment_mail_is_a_clear_german_error(
    office: Any, agent: Any, prop: Any, erika: Any, smtp_sink: Any
) -> None:
    from maklerwerk.core.exceptions import ApplicationError

    with pytest.raises(ApplicationError) as caught:
        compose_send(
            user=agent,
            contact=erika,
            prop=prop,
            to_email="erika@example.org",
            subject="Ihr Termin",
            body="Am {{ termin.zeit }}",
            attachments=[],
        )
    assert "{{ termin.zeit }}: nur in E-Mails zu einem Termin verfügbar" in caught.value.message
    assert smtp_sink.parsed() == [] and not OutgoingMail.objects.exists()


@pytest.mark.django_db
def test_reminders_and_the_agenda_follow_the_offices_templates(
    office: Any, agent: Any, erika: Any, smtp_sink: Any
) -> None:
    agent.email = "max@example.org"
    agent.save()
    _edit(
        office, KEYS.REMINDER, subject="Morgen: {{ termin.titel }}", body="Bis morgen, {{ kontakt.vorname }}!"
    )
    _edit(office, KEYS.REMINDER_AGENT, subject="Gleich: {{ termin.titel }} mit {{ termin.teilnehmer }}")
    _edit(office, KEYS.AGENDA, subject="Heute {{ termin.anzahl }} Termine", body="{{ termin.liste }}")
    with time_machine.travel(dt.datetime(2027, 1, 14, 9, tzinfo=dt.UTC), tick=False):
        appointment_create(
            office=office,
            acting_user=agent,
            starts_at=dt.datetime(2027, 1, 15, 10, tzinfo=dt.UTC),
            ends_at=dt.datetime(2027, 1, 15, 11, tzinfo=dt.UTC),
            title="Übergabe Altbau",
            contact_ids=[erika.pk],
        )
    with time_machine.travel(dt.datetime(2027, 1, 14, 12, tzinfo=dt.UTC), tick=False):
        assert reminders.reminders_send().sent == 2
    with time_machine.travel(dt.datetime(2027, 1, 15, 7, tzinfo=dt.UTC), tick=False):
        assert reminders.agendas_send().sent == 1
    by_subject = {str(m["Subject"]): m for m in smtp_sink.parsed()}
    assert set(by_subject) == {
        "Morgen: Übergabe Altbau",
        "Gleich: Übergabe Altbau mit Erika Mustermann",
        "Heute 1 Termine",
    }
    assert "Bis morgen, Erika!" in _text(by_subject["Morgen: Übergabe Altbau"])
    assert "11:00–12:00  Übergabe Altbau" in _text(by_subject["Heute 1 Termine"])


@pytest.mark.django_db(transaction=True)
def test_offices_that_exist_get_the_appointment_templates_by_migration(
    office: Any, other_office: Any
) -> None:
    """GIVEN an office with its templates (one named like a new default) and one that never opened
    them WHEN the migration runs THEN the first gets every appointment template, the second all
    defaults on first use as before; undo removes only unchanged ones."""
    before, after = [("mailing", "0003_share_link_template")], [("mailing", "0004_appointment_templates")]
    try:
        MigrationExecutor(connection).migrate(before)
        MailTemplate.objects.create(office=office, key="expose", name="Exposé-Versand", body="x")
        MailTemplate.objects.create(office=office, name="Termin: Einladung", body="eigene")
        MigrationExecutor(connection).migrate(after)
        keys = {key for key, *_ in APPOINTMENT_TEMPLATES}
        have = dict(MailTemplate.objects.filter(office=office, key__in=keys).values_list("key", "name"))
        assert set(have) == keys
        assert have[KEYS.INVITATION] == "Termin: Einladung (appointment_invitation)"
        assert "{{ links.termin }}" in MailTemplate.objects.get(office=office, key=KEYS.BOOKING_LINK).body
        assert not MailTemplate.objects.filter(office=other_office).exists()
        MigrationExecutor(connection).migrate(before)
        assert not MailTemplate.objects.filter(office=office, key__in=keys).exists()
        assert MailTemplate.objects.filter(office=office, name="Termin: Einladung").exists()
    finally:
        migrate_to_latest()
