"""OpenImmo-Feedback: the portal's `fehlerliste` parsed (hypothesis for the parser, the XSD for the
examples), attached to the last run and to the properties it names, with German hints."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.integrations.openimmo.feedback import FeedbackError, feedback_parse
from maklerwerk.portals import services
from maklerwerk.portals.models import PortalAssignment, TransferRun
from tests.portals.test_ftp_transfer import make_portal

FEEDBACK_XSD = Path(
    os.environ.get(
        "MAKLERWERK_OPENIMMO_FEEDBACK_XSD", "/root/.local/share/openimmo/openimmo-feedback_125.xsd"
    )
)

xml_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=60).map(str.strip)


def feedback_xml(errors: list[tuple[str, int | None, str]], makler_id: str = "K12345") -> bytes:
    root = etree.Element("openimmo_feedback")
    etree.SubElement(root, "version").text = "1.2.5"
    sender = etree.SubElement(root, "sender")
    for name, value in (("name", "immowelt"), ("datum", "05.12.2026"), ("makler_id", makler_id)):
        etree.SubElement(sender, name).text = value
    fehlerliste = etree.SubElement(root, "fehlerliste")
    for object_id, number, text in errors:
        fehler = etree.SubElement(fehlerliste, "fehler")
        etree.SubElement(fehler, "objekt_id").text = object_id
        if number is not None:
            etree.SubElement(fehler, "fehlernr").text = str(number)
        etree.SubElement(fehler, "text").text = text
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def test_the_examples_are_valid_feedback_documents():
    """Where the feedback XSD is at hand (never committed: OpenImmo licence), the test documents
    are checked against it; the parser tests below do not depend on it."""
    doc = feedback_xml([("MW-0001", 17, "Energieträger fehlt"), ("4711", None, "Bild zu groß")])
    if not FEEDBACK_XSD.is_file():
        pytest.skip(f"no OpenImmo-Feedback XSD at {FEEDBACK_XSD} (set MAKLERWERK_OPENIMMO_FEEDBACK_XSD)")
    schema = etree.XMLSchema(etree.parse(str(FEEDBACK_XSD)))
    assert schema.validate(etree.fromstring(doc)), schema.error_log


@given(st.lists(st.tuples(xml_text, st.none() | st.integers(-(2**31), 2**31 - 1), xml_text), max_size=8))
@settings(max_examples=200, deadline=None)
def test_every_error_comes_back_with_its_object_number_and_text(errors):
    parsed = feedback_parse(feedback_xml(errors))
    assert parsed.provider_id == "K12345" and parsed.sender == "immowelt"
    assert [(e.object_id, e.number, e.text) for e in parsed.errors] == errors
    for error in parsed.errors:
        assert error.hint.startswith("Portal meldet Fehler")


@given(st.binary(max_size=400) | st.text(max_size=400).map(str.encode))
@settings(max_examples=300, deadline=None)
def test_any_other_input_is_a_german_feedback_error_or_parses(data):
    try:
        feedback_parse(data)
    except FeedbackError as exc:
        assert str(exc).startswith(("Die Datei ist kein lesbares XML", "Keine OpenImmo-Feedback-Datei"))


def test_entities_and_doctypes_are_refused():
    bomb = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><openimmo_feedback>&a;</openimmo_feedback>'
    with pytest.raises(FeedbackError, match="kein lesbares XML"):
        feedback_parse(bomb)
    with pytest.raises(FeedbackError, match="Wurzelelement heißt „openimmo“"):
        feedback_parse(b"<openimmo/>")


def test_hints_name_what_to_check():
    parsed = feedback_parse(
        feedback_xml([("MW-0001", 12, "Energieausweis: Energieträger fehlt"), ("MW-0002", None, "")])
    )
    assert parsed.errors[0].hint == (
        "Portal meldet Fehler 12: Energieausweis: Energieträger fehlt – "
        "Energieausweis prüfen (Pflichtangaben nach GEG §87)."
    )
    assert parsed.errors[1].hint == "Portal meldet Fehler: ohne Beschreibung"


@pytest.mark.django_db(transaction=True)
def test_feedback_attaches_to_the_run_and_the_property(
    office, admin_user, agent, listing, ftp_server, agent_client: Any
):
    portal = make_portal(office, admin_user, ftp_server)
    services.property_portals_set(prop=listing, portal_ids=[portal.pk], acting_user=agent)
    run = TransferRun.objects.filter(portal=portal, uploaded=True).get()
    data = feedback_xml([("MW-0001", 3, "Kaufpreis unplausibel"), ("X-999", None, "Objekt unbekannt")])

    response = agent_client.post(f"/portals/{portal.pk}/feedback/", {"feedback": _upload(data)}, follow=True)
    assert "Rückmeldung des Portals gelesen: 2 Fehler, davon 1 bei Objekten." in response.content.decode()
    entries = run.entries.filter(action="feedback").order_by("pk")
    assert [(e.external_id, e.property_id, e.result) for e in entries] == [
        ("MW-0001", listing.pk, "error"),
        ("X-999", None, "error"),
    ]
    assignment = PortalAssignment.objects.get(portal=portal, property=listing)
    assert assignment.state == "error"
    assert assignment.last_error == "Portal meldet Fehler 3: Kaufpreis unplausibel – Preisangaben prüfen."
    tab = agent_client.get(f"/portals/property/{listing.pk}/tab/").content.decode()
    assert "Rückmeldung des Portals" in tab and "Preisangaben prüfen" in tab

    response = agent_client.post(
        f"/portals/{portal.pk}/feedback/", {"feedback": _upload(b"<kaputt")}, follow=True
    )
    assert "Die Datei ist kein lesbares XML" in response.content.decode()
    assert run.entries.filter(action="feedback").count() == 2  # nothing half-read

    # The agent fixes the price: the next run sends it and the property is online again.
    listing.purchase_price = 349000
    listing.save()
    services.transfer_start(portal=portal, full=False, acting_user=agent)
    assignment.refresh_from_db()
    assert assignment.state == "online" and assignment.last_error == ""


@pytest.mark.django_db
def test_feedback_without_a_run_is_refused(office, admin_user):
    server = {"host": "127.0.0.1", "port": 21, "user": "u", "password": "p"}
    portal = make_portal(office, admin_user, server, active=False)
    with pytest.raises(ApplicationError, match="noch keine Übertragung"):
        services.feedback_attach(portal=portal, data=feedback_xml([]), acting_user=admin_user)


def _upload(data: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("feedback.xml", data, content_type="application/xml")
