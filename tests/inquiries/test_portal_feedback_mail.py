"""A portal's import log (OpenImmo-Feedback with a `fehlerliste`) that arrives in the inquiry
mailbox goes through the feedback parser to the portal's transfer log and the properties it names,
against the real Dovecot; the mail is set aside with that line, not shown as an unknown inquiry."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

import pytest

from maklerwerk.inquiries.handler import mailbox_fetch
from maklerwerk.inquiries.models import Inquiry, Mailbox
from maklerwerk.portals import services
from maklerwerk.portals.models import PortalAssignment, TransferRun
from tests.inquiries.conftest import deliver
from tests.portals.conftest import make_listing
from tests.portals.test_feedback import feedback_xml

pytestmark = pytest.mark.django_db


def mail_with(xml: bytes, *, filename: str = "importprotokoll.xml") -> bytes:
    msg = EmailMessage()
    msg["From"] = "import@immowelt.example"
    msg["To"] = "anfragen@testbuero.example"
    msg["Subject"] = "Importprotokoll Ihrer Übertragung"
    msg["Message-ID"] = "<protokoll-1@immowelt.example>"
    msg.set_content("Im Anhang das Protokoll Ihres letzten Imports.")
    msg.add_attachment(xml, maintype="application", subtype="xml", filename=filename)
    return msg.as_bytes()


def test_a_feedback_file_by_mail_reaches_the_transfer_log_and_the_property(
    mailbox: Mailbox, imap_account: dict[str, Any], office: Any, admin_user: Any, agent: Any
) -> None:
    portal = services.portal_create(
        office=office, acting_user=admin_user,
        data={"name": "immowelt", "key": "immowelt", "kind": "openimmo_ftp", "anbieternr": "K12345"},
    )  # fmt: skip
    prop = make_listing(office, agent)
    assignment = PortalAssignment.objects.create(
        office=office, portal=portal, property=prop, state="online", portal_object_id="4711"
    )
    run = TransferRun.objects.create(office=office, portal=portal, state="succeeded", uploaded=True)
    xml = feedback_xml([("MW-0001", 17, "Energieträger fehlt"), ("9999", None, "Unbekanntes Objekt")])
    deliver(imap_account, mail_with(xml))

    result = mailbox_fetch(mailbox)
    assert result.taken_in == 1 and result.error == ""
    inquiry = Inquiry.objects.get()
    assert inquiry.status == "ignored"
    assert inquiry.reason == (
        "Rückmeldung von immowelt an die Übertragung angehängt: 2 Fehler, davon 1 bei Objekten."
    )
    hints = list(run.entries.filter(action="feedback").values_list("external_id", "hint"))
    assert hints[0][0] == "MW-0001" and hints[0][1].startswith("Portal meldet Fehler 17: Energieträger fehlt")
    assignment.refresh_from_db()
    assert assignment.state == "error" and "Energieträger fehlt" in assignment.last_error


def test_an_ordinary_inquiry_with_an_xml_attachment_is_still_an_inquiry_or_unrecognised(
    mailbox: Mailbox, imap_account: dict[str, Any], office: Any
) -> None:
    deliver(imap_account, mail_with(b"<?xml version='1.0'?><rechnung><betrag>12</betrag></rechnung>"))
    mailbox_fetch(mailbox)
    inquiry = Inquiry.objects.get()
    assert inquiry.status == "unrecognized" and inquiry.reason.startswith("Nicht erkannt")


def test_a_feedback_for_no_portal_of_the_office_says_so(
    mailbox: Mailbox, imap_account: dict[str, Any], office: Any, admin_user: Any
) -> None:
    for key in ("wohnportal", "regional"):
        services.portal_create(
            office=office, acting_user=admin_user,
            data={"name": key, "key": key, "kind": "openimmo_ftp", "anbieternr": key},
        )  # fmt: skip
    deliver(imap_account, mail_with(feedback_xml([("MW-0001", 1, "Fehler")], makler_id="X-1")))
    mailbox_fetch(mailbox)
    inquiry = Inquiry.objects.get()
    assert inquiry.status == "ignored" and "keinem Portal des Büros zuzuordnen" in inquiry.reason


def text_protocol(body: str, *, subject: str = "Importprotokoll vom 05.12.2026") -> bytes:
    msg = EmailMessage()
    msg["From"] = "immowelt Import <noreply@immowelt.example>"
    msg["To"] = "anfragen@testbuero.example"
    msg["Subject"] = subject
    msg["Message-ID"] = "<protokoll-text-1@immowelt.example>"
    msg.set_content(body)
    return msg.as_bytes()


def test_a_plain_text_import_protocol_reaches_the_transfer_log_and_the_property_it_names(
    mailbox: Mailbox, imap_account: dict[str, Any], office: Any, admin_user: Any, agent: Any
) -> None:
    portal = services.portal_create(
        office=office, acting_user=admin_user,
        data={"name": "immowelt", "key": "immowelt", "kind": "openimmo_ftp", "anbieternr": "K12345"},
    )  # fmt: skip
    good, bad = make_listing(office, agent, "MW-0001"), make_listing(office, agent, "MW-0002")
    for prop in (good, bad):
        PortalAssignment.objects.create(office=office, portal=portal, property=prop, state="online")
    run = TransferRun.objects.create(office=office, portal=portal, state="succeeded", uploaded=True)
    deliver(
        imap_account,
        text_protocol(
            "Import für Anbieter K12345 abgeschlossen.\n"
            "Objekt MW-0001: importiert.\n"
            "Objekt MW-0002: Fehler – Energieträger fehlt, nicht importiert.\n"
            "Objekt MW-00021: unbekannt.\n"
        ),
    )
    result = mailbox_fetch(mailbox)
    assert result.taken_in == 1
    inquiry = Inquiry.objects.get()
    assert inquiry.status == "ignored"
    assert inquiry.reason == (
        "Importprotokoll von immowelt an die Übertragung angehängt: 2 Objekte genannt, davon 1 mit Fehler."
    )
    entries = dict(run.entries.filter(action="feedback").values_list("external_id", "result"))
    assert entries == {"MW-0001": "ok", "MW-0002": "error"}
    failed = PortalAssignment.objects.get(property=bad)
    assert failed.state == "error" and "Energieträger fehlt" in failed.last_error
    assert PortalAssignment.objects.get(property=good).state == "online"


def test_a_mail_that_is_no_protocol_or_names_no_portal_stays_for_a_person(
    mailbox: Mailbox, imap_account: dict[str, Any], office: Any, admin_user: Any
) -> None:
    services.portal_create(
        office=office, acting_user=admin_user,
        data={"name": "immowelt", "key": "immowelt", "kind": "openimmo_ftp", "anbieternr": "K12345"},
    )  # fmt: skip
    deliver(imap_account, text_protocol("Objekt MW-0001: Fehler", subject="Newsletter Dezember"))
    mailbox_fetch(mailbox)
    assert Inquiry.objects.get().status == "unrecognized"
