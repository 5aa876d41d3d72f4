"""The parsers are a pure function from bytes to a result: called directly, no database."""

from __future__ import annotations

from pathlib import Path

import pytest

from maklerwerk.inquiries.parsers import parse_message
from maklerwerk.inquiries.parsers.openimmo_feedback import FeedbackRefused, parse_feedback_xml

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def mail(name: str) -> bytes:
    return (FIXTURES / "inquiries" / name).read_bytes()


def test_it_reads_an_immoscout24_contact_request() -> None:
    r = parse_message(mail("immoscout24_kontaktanfrage.eml"))
    assert r.parser == "immoscout24"
    assert r.message_id == "<kontaktanfrage.151234567.8f3a2c@immobilienscout24.de>"
    i = r.inquiry
    assert i is not None
    assert (i.prospect.salutation, i.prospect.first_name, i.prospect.last_name) == (
        "frau",
        "Sabine",
        "Krüger",
    )
    assert i.prospect.email == "sabine.krueger@example.org"
    assert i.prospect.phone == "0221 4711230"
    assert (i.prospect.street, i.prospect.house_number, i.prospect.postal_code, i.prospect.city) == (
        "Venloer Straße",
        "212a",
        "50823",
        "Köln",
    )
    assert (i.property_external_id, i.portal_property_id) == ("MW-1001", "151234567")
    assert "Besichtigung am Wochenende" in i.message
    assert "ImmobilienScout24-Team" not in i.message


def test_it_reads_the_latin1_plain_part_of_a_multipart_mail() -> None:
    i = parse_message(mail("immoscout24_multipart.eml")).inquiry
    assert i is not None
    assert (i.prospect.first_name, i.prospect.last_name, i.prospect.email) == (
        "Jörg",
        "Weißmann",
        "joerg.weissmann@example.net",
    )
    assert i.property_external_id == "MW-1002"


def test_it_reads_an_html_only_immowelt_mail() -> None:
    r = parse_message(mail("immowelt_html_only.eml"))
    assert r.parser == "immowelt"
    i = r.inquiry
    assert i is not None
    assert (i.prospect.salutation, i.prospect.first_name, i.prospect.last_name) == ("herr", "Jonas", "Weber")
    assert i.prospect.email == "jonas.weber@example.com"
    assert i.prospect.phone == "0176 22334455"
    assert (i.prospect.postal_code, i.prospect.city, i.property_external_id, i.portal_property_id) == (
        "50968",
        "Köln",
        "MW-1003",
        "2b7xk4q",
    )
    assert i.message.startswith("Hallo, ist die Wohnung noch frei?")
    assert "Nur HTML-Inhalt; als Text gelesen." in r.problems


def test_it_reads_a_kleinanzeigen_mail_and_keeps_the_relay_address() -> None:
    i = parse_message(mail("kleinanzeigen_anfrage.eml")).inquiry
    assert i is not None
    assert i.source == "kleinanzeigen"
    assert i.prospect.email == "interessent-7f3k2m9x@mail.kleinanzeigen.de"
    assert (i.prospect.first_name, i.prospect.last_name, i.portal_property_id) == (
        "Lena",
        "Schmidt",
        "2712345678",
    )
    assert i.property_title == "Dachgeschosswohnung mit Blick über Bonn"


def test_it_reads_an_openimmo_feedback_attachment() -> None:
    r = parse_message(mail("openimmo_feedback_attachment.eml"))
    assert r.parser == "openimmo"
    i = r.inquiry
    assert i is not None
    assert i.source == "immoscout24"  # the sender named in the XML
    assert (i.prospect.first_name, i.prospect.last_name, i.prospect.email) == (
        "Miriam",
        "Yılmaz",
        "miriam.yilmaz@example.org",
    )
    assert (i.prospect.street, i.prospect.house_number, i.prospect.postal_code) == (
        "Bonner Straße",
        "41",
        "50677",
    )
    assert (i.property_external_id, i.portal_property_id) == ("MW-1004", "151277001")


def test_it_reads_the_third_party_openestate_feedback_example() -> None:
    """GIVEN OpenEstate-IO's example (no e-mail, no phone)
    WHEN parsed THEN name, wishes and ids come through."""
    data = (FIXTURES / "openimmo" / "openestate-io__examples__openimmo-feedback.xml").read_bytes()
    i = parse_feedback_xml(data)
    assert i is not None
    assert (i.prospect.first_name, i.prospect.last_name, i.prospect.email) == ("peter", "maier", "")
    assert (i.property_external_id, i.portal_property_id) == ("MA-1024-8874", "P12345678")
    assert i.message == "Wunsch: Besichtigung, Anruf"
    # The other example has an objekt without interessent: still read, with no person.
    other = parse_feedback_xml(
        (FIXTURES / "openimmo" / "openestate-io__openimmo-feedback-1-2-5-downgrade.xml").read_bytes()
    )
    assert other is not None and other.prospect.email == "" and other.prospect.last_name == ""


@pytest.mark.parametrize("name", ["xxe_feedback.eml", "billion_laughs_feedback.eml"])
def test_it_refuses_xml_with_entities_and_keeps_the_mail_as_unrecognised(name: str) -> None:
    r = parse_message(mail(name))
    assert r.inquiry is None
    assert any("XXE und Billion Laughs" in p for p in r.problems)
    with pytest.raises(FeedbackRefused):
        parse_feedback_xml(
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><openimmo_feedback/>'
        )


def test_it_reads_a_body_whose_declared_charset_is_wrong() -> None:
    r = parse_message(mail("wrong_charset.eml"))
    assert r.inquiry is not None
    assert (r.inquiry.prospect.first_name, r.inquiry.prospect.last_name) == ("Björn", "Müller-Lüdenscheidt")
    assert r.inquiry.message == "Grüße aus Köln – bitte Exposé schicken."
    assert any("Zeichensatz" in p for p in r.problems)


def test_it_survives_malformed_mime_and_unknown_charsets() -> None:
    r = parse_message(mail("malformed_mime.eml"))
    assert r.inquiry is None
    assert r.message_id == "<broken.0005@portal.example>"
    assert any("MIME" in p for p in r.problems)
    assert any("x-klingon" in p for p in r.problems)


def test_it_does_not_recognise_a_newsletter_but_keeps_its_text() -> None:
    r = parse_message(mail("newsletter_unrecognized.eml"))
    assert r.inquiry is None
    assert r.subject == "Marktbericht März: Zinsen leicht gesunken"
    assert "Bauzinsen" in r.text


def test_it_skips_a_huge_attachment_but_still_reads_the_inquiry() -> None:
    raw = mail("immoscout24_kontaktanfrage.eml")
    head, _, body = raw.partition(b"\n\n")
    head = head.replace(
        b"Content-Type: text/plain; charset=utf-8", b'Content-Type: multipart/mixed; boundary="B"'
    )
    head = head.replace(b"Content-Transfer-Encoding: quoted-printable\n", b"").replace(
        b"Content-Transfer-Encoding: quoted-printable", b""
    )
    huge = b"A" * (8 * 1024 * 1024)
    import base64

    big = (
        head
        + b"\n\n--B\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
        + body
        + b'\n--B\nContent-Type: application/pdf\nContent-Disposition: attachment; filename="grundriss.pdf"\n'
        b"Content-Transfer-Encoding: base64\n\n" + base64.encodebytes(huge) + b"\n--B--\n"
    )
    r = parse_message(big)
    assert r.inquiry is not None and r.inquiry.prospect.email == "sabine.krueger@example.org"
    assert any("grundriss.pdf" in p and "zu groß" in p for p in r.problems)


def test_the_same_message_hashes_the_same_whatever_trace_headers_it_gathered() -> None:
    raw = mail("immowelt_html_only.eml")
    assert (
        parse_message(raw).content_hash == parse_message(b"Received: from relay.example\n" + raw).content_hash
    )
