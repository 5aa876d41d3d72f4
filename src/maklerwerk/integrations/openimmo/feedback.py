"""OpenImmo-Feedback 1.2.5: the `fehlerliste` (and `status`) a portal returns after an import.

Pure Python (defusedxml over the standard library's parser: no DTD, no entities, no network), no
Django models. `feedback_parse(data)` answers the sender and the errors per object, each with a
German hint an agent can act on; anything that is not a feedback document raises `FeedbackError`
with a German message. Element names follow openimmo-feedback_125.xsd (sender: name, datum,
makler_id; fehlerliste/fehler: objekt_id, fehlernr, text; status: statusnr, text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

MAX_BYTES = 5_000_000
MAX_TEXT = 1000
# What a portal's error text usually names, and what the agent should look at (first match wins).
HINTS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), hint)
    for pattern, hint in (
        (r"energ|geg|enev|heizungsart|befeuerung", "Energieausweis prüfen (Pflichtangaben nach GEG §87)"),
        (r"kontingent|contingent|limit", "Kontingent des Portals prüfen"),
        (r"preis|price|miete|kaltmiete", "Preisangaben prüfen"),
        (r"bild|anhang|foto|image|attachment", "Bilder prüfen (Format, Größe, Anzahl)"),
        (r"plz|ort|strasse|straße|adresse|geo", "Adresse prüfen"),
        (r"objektart|objektkategorie|nutzungsart|vermarktungsart", "Objektart und Vermarktungsart prüfen"),
        (r"flaeche|fläche|zimmer", "Flächen und Zimmerzahl prüfen"),
        (r"kontakt|email|telefon", "Kontaktperson prüfen"),
        (r"titel|objekttitel|beschreibung|text", "Titel und Beschreibung prüfen"),
        (r"anbieter|login|kunde|kundennummer", "Anbieternummer beim Portal prüfen"),
    )
)


class FeedbackError(ValueError):
    """The file is not an OpenImmo-Feedback document; the message is German, for the user."""


@dataclass(frozen=True)
class PortalError:
    object_id: str  # objekt_id: our Kennung (objektnr_extern) or the portal's own id
    number: int | None
    text: str

    @property
    def hint(self) -> str:
        """German: what the portal said, and where to look."""
        said = self.text or "ohne Beschreibung"
        nr = f" {self.number}" if self.number is not None else ""
        advice = next((hint for pattern, hint in HINTS if pattern.search(self.text)), "")
        return f"Portal meldet Fehler{nr}: {said}" + (f" – {advice}." if advice else "")


@dataclass(frozen=True)
class Feedback:
    sender: str
    provider_id: str  # makler_id: the office's number at the portal (anbieternr)
    date: str
    errors: list[PortalError] = field(default_factory=list)
    statuses: list[tuple[int | None, str]] = field(default_factory=list)


def _text(element: Element | None, path: str) -> str:
    found = element.find(path) if element is not None else None
    return (found.text or "").strip()[:MAX_TEXT] if found is not None else ""


def _number(value: str) -> int | None:
    try:
        return int(value)
    except ValueError:
        return None


def feedback_parse(data: bytes) -> Feedback:
    """The feedback in `data`, or FeedbackError."""
    if len(data) > MAX_BYTES:
        raise FeedbackError("Die Feedback-Datei ist zu groß (höchstens 5 MB).")
    try:
        root = fromstring(data, forbid_dtd=True)
    except (ParseError, DefusedXmlException, ValueError) as exc:
        raise FeedbackError(f"Die Datei ist kein lesbares XML: {exc}") from exc
    if root.tag != "openimmo_feedback":
        raise FeedbackError(f"Keine OpenImmo-Feedback-Datei: das Wurzelelement heißt „{root.tag[:50]}“.")
    sender = root.find("sender")
    errors = [
        PortalError(_text(f, "objekt_id"), _number(_text(f, "fehlernr")), _text(f, "text"))
        for fehlerliste in root.iter("fehlerliste")
        for f in fehlerliste.iter("fehler")
    ]
    statuses = [(_number(_text(s, "statusnr")), _text(s, "text")) for s in root.findall("status")]
    return Feedback(
        sender=_text(sender, "name"),
        provider_id=_text(sender, "makler_id"),
        date=_text(sender, "datum"),
        errors=errors,
        statuses=statuses,
    )
