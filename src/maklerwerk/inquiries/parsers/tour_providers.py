"""Registrations for a virtual tour that the tour provider mails in its own format (source "tour",
shown as "Rundgang"): one parser per provider, a generic one last.

- immoviewer: plain "Label: value" lines ("Name", "E-Mail", "Telefon", "Objektnummer") and the tour
  link (app.immoviewer.com/tour/<id>).
- Ogulo: an HTML table ("Vorname", "Nachname", "E-Mail-Adresse", "Telefonnummer", "Tour") with the
  tour link (tour.ogulo.com/<id>).
- any other provider: a mail whose subject names a registration for a (virtual) tour ("Rundgang",
  "360°", "Tour" with "Registrierung"/"registriert"/"Anmeldung"), with an e-mail field.

The property is found by its Kennung when the mail names it, else by the tour's id at the provider
(`portal_property_id`): the tours app records every linked tour's id as a portal listing of source
"tour". Parsers are pure functions of the mail: the same mail gives the same result, and the intake
claims every mail once (Message-ID and body hash), so a mail read again is never a second inquiry.
"""

from __future__ import annotations

import re

from maklerwerk.inquiries.parsers import ParsedInquiry, ParserRefused, Prospect
from maklerwerk.inquiries.parsers.mime import (
    MailContent,
    first_email,
    labelled_fields,
    pick,
    salutation_of,
    split_name,
)
from maklerwerk.tours import providers

SOURCE = "tour"
URL_RE = re.compile(r"https?://[^\s<>\"')]+")
REGISTRATION_RE = re.compile(r"registrier|registration|anmeldung|freischalt|zugang|access", re.I)
TOUR_RE = re.compile(r"rundgang|360|virtual tour|virtuelle tour|\btour\b", re.I)


def tour_id_in(text: str, provider: str) -> str:
    """The provider's tour id from the first link of that provider in `text` ("" if none)."""
    for url in URL_RE.findall(text or ""):
        found = providers.recognise(url.rstrip(".,;"))
        if found.provider == provider and found.external_id:
            return found.external_id[:100]
    return ""


def _prospect(fields: dict[str, str], email: str) -> Prospect:
    salutation, first, last = split_name(pick(fields, "name", "interessent", "besucher", "kontakt"))
    return Prospect(
        email=email,
        salutation=salutation_of(pick(fields, "anrede")) or salutation,
        first_name=pick(fields, "vorname", "first name") or first,
        last_name=pick(fields, "nachname", "last name") or last,
        phone=pick(fields, "telefon", "telefonnummer", "phone", "mobil"),
    )


def _email(fields: dict[str, str], provider_label: str) -> str:
    raw = pick(fields, "e-mail", "e-mail-adresse", "email", "e-mail adresse")
    email = first_email(raw)
    if not email:
        raise ParserRefused(
            f"{provider_label}: Registrierung zum Rundgang ohne gültige E-Mail-Adresse"
            + (f" („{raw[:60]}“)" if raw else "")
            + "."
        )
    return email


def _kennung(fields: dict[str, str]) -> str:
    return pick(fields, "objektnummer", "objekt-nr.", "objektnr.", "kennung", "ihre objektnummer", "referenz")


class ImmoviewerParser:
    name = "immoviewer"

    def parse(self, mail: MailContent) -> ParsedInquiry | None:
        if not mail.sender.endswith("immoviewer.com"):
            return None
        fields = labelled_fields(mail.text)
        tour_id = tour_id_in(mail.text + "\n" + mail.html, "immoviewer")
        if not (tour_id or _kennung(fields)) or not pick(fields, "e-mail", "email", "e-mail-adresse"):
            return None  # a newsletter or an invoice of immoviewer, not a registration
        return ParsedInquiry(
            source=SOURCE,
            prospect=_prospect(fields, _email(fields, "immoviewer")),
            message=pick(fields, "nachricht", "message", "kommentar")
            or f"Registrierung zum Rundgang (immoviewer {tour_id})".strip(),
            property_external_id=_kennung(fields),
            portal_property_id=tour_id,
            property_title=pick(fields, "objekt", "tour", "titel", "tour-name"),
        )


class OguloParser:
    name = "ogulo"

    def parse(self, mail: MailContent) -> ParsedInquiry | None:
        if not mail.sender.endswith(("ogulo.com", "ogulo.de")):
            return None
        fields = labelled_fields(mail.text)
        tour_id = tour_id_in(mail.text + "\n" + mail.html, "ogulo")
        if not (tour_id or _kennung(fields)) or not pick(fields, "e-mail-adresse", "e-mail", "email"):
            return None
        return ParsedInquiry(
            source=SOURCE,
            prospect=_prospect(fields, _email(fields, "Ogulo")),
            message=pick(fields, "nachricht", "anmerkung", "message")
            or f"Registrierung zum Rundgang (Ogulo {tour_id})".strip(),
            property_external_id=_kennung(fields),
            portal_property_id=tour_id,
            property_title=pick(fields, "tour-titel", "immobilie", "objekt"),
        )


class GenericTourParser:
    """Any other provider: recognised by the subject, the tour by its link or the Kennung."""

    name = "tour_generic"

    def parse(self, mail: MailContent) -> ParsedInquiry | None:
        if not (TOUR_RE.search(mail.subject) and REGISTRATION_RE.search(mail.subject)):
            return None
        fields = labelled_fields(mail.text)
        link = pick(fields, "rundgang", "tour", "link", "tour-link", "rundgang-link")
        url = URL_RE.search(link)
        found = providers.recognise(url.group(0)) if url else None
        tour_ref = (found.external_id or found.open_url) if found else ""
        if len(tour_ref) > 100:
            tour_ref = ""  # longer than a portal id can be: the Kennung must name the property
        if not (tour_ref or _kennung(fields)):
            return None
        return ParsedInquiry(
            source=SOURCE,
            prospect=_prospect(fields, _email(fields, "Rundgang")),
            message=pick(fields, "nachricht", "message", "kommentar") or mail.subject[:300],
            property_external_id=_kennung(fields),
            portal_property_id=tour_ref,
            property_title=pick(fields, "objekt", "immobilie"),
        )
