"""OpenImmo-Feedback XML attachments (`<openimmo_feedback>`), the portals' machine-readable inquiry.

The XML is read with defusedxml and DTDs are refused outright, so external entities (XXE) and
entity expansion ("billion laughs") never reach the parser. Element names follow the
OpenImmo-Feedback 1.2.5 schema; old files with the `http://www.openimmo.de` namespace work too.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from maklerwerk.inquiries.parsers import ParsedInquiry, ParserRefused, Prospect
from maklerwerk.inquiries.parsers.mime import MailContent, first_email, salutation_of, split_street

PORTALS = {"scout": "immoscout24", "immowelt": "immowelt", "kleinanzeigen": "kleinanzeigen"}


class FeedbackRefused(ParserRefused):
    """The attachment is not safe or not well-formed XML; the message says why, in German."""


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower()


def _child(el: Element | None, name: str) -> Element | None:
    if el is None:
        return None
    for child in el:
        if _local(child.tag) == name:
            return child
    return None


def _text(el: Element | None, name: str) -> str:
    child = _child(el, name)
    return (child.text or "").strip() if child is not None else ""


def parse_feedback_xml(data: bytes) -> ParsedInquiry | None:
    """The first prospect of an OpenImmo-Feedback document; None if it is another kind of XML."""
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise FeedbackRefused(
            "OpenImmo-Feedback abgelehnt: XML mit DTD oder Entitäten (Schutz vor XXE und Billion Laughs)."
        ) from exc
    except ParseError as exc:
        raise FeedbackRefused(f"OpenImmo-Feedback ist kein gültiges XML ({exc}).") from exc
    if _local(root.tag) != "openimmo_feedback":
        return None
    sender = _child(root, "sender")
    portal_name = _text(sender, "name").lower()
    source = next((v for k, v in PORTALS.items() if k in portal_name), "openimmo")
    for objekt in root:
        if _local(objekt.tag) != "objekt":
            continue
        person = _child(objekt, "interessent")
        street, number = split_street(_text(person, "strasse"))
        message = _text(person, "anfrage")
        wishes = [
            (w.text or "").strip()
            for w in (person if person is not None else [])
            if _local(w.tag) == "wunsch"
        ]
        if wishes and not message:
            message = "Wunsch: " + ", ".join(w.capitalize() for w in wishes if w)
        return ParsedInquiry(
            source=source,
            prospect=Prospect(
                email=first_email(_text(person, "email")),
                salutation=salutation_of(_text(person, "anrede")),
                first_name=_text(person, "vorname")[:100],
                last_name=_text(person, "nachname")[:100],
                phone=_text(person, "tel") or _text(person, "mobil"),
                street=street,
                house_number=number,
                postal_code=_text(person, "plz"),
                city=_text(person, "ort"),
            ),
            message=message,
            property_external_id=_text(objekt, "oobj_id") or _text(objekt, "objektnr_extern"),
            portal_property_id=_text(objekt, "portal_obj_id") or _text(objekt, "portal_unique_id"),
            property_title=_text(objekt, "bezeichnung"),
        )
    return None


class OpenImmoFeedbackParser:
    name = "openimmo"

    def parse(self, mail: MailContent) -> ParsedInquiry | None:
        for att in mail.attachments:
            if not (att.filename.lower().endswith(".xml") or "xml" in att.content_type):
                continue
            if b"openimmo_feedback" not in att.data:
                continue
            inquiry = parse_feedback_xml(att.data)
            if inquiry is not None:
                return inquiry
        return None
