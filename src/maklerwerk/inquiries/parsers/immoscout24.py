"""ImmobilienScout24 "Kontaktanfrage" mails (plain text, or HTML with a plain-text alternative)."""

from __future__ import annotations

import re

from maklerwerk.inquiries.parsers import ParsedInquiry, Prospect
from maklerwerk.inquiries.parsers.mime import (
    MailContent,
    block_after,
    first_email,
    labelled_fields,
    pick,
    salutation_of,
    split_city,
    split_street,
)


class ImmoScout24Parser:
    name = "immoscout24"

    def parse(self, mail: MailContent) -> ParsedInquiry | None:
        if not (mail.sender.endswith("immobilienscout24.de") or "scout-id" in mail.text.lower()):
            return None
        fields = labelled_fields(mail.text)
        email = first_email(pick(fields, "e-mail", "e-mail-adresse", "email"))
        scout_id = pick(fields, "scout-id", "scout id")
        if not scout_id:
            m = re.search(r"Scout-ID\D{0,5}(\d{6,12})", mail.subject + "\n" + mail.text)
            scout_id = m.group(1) if m else ""
        if not email and not scout_id:
            return None
        street, number = split_street(pick(fields, "straße", "strasse", "straße und hausnummer"))
        postal_code, city = split_city(pick(fields, "plz / ort", "plz/ort", "plz und ort"))
        return ParsedInquiry(
            source="immoscout24",
            prospect=Prospect(
                email=email,
                salutation=salutation_of(pick(fields, "anrede")),
                first_name=pick(fields, "vorname"),
                last_name=pick(fields, "nachname", "name"),
                phone=pick(fields, "telefon", "telefonnummer", "mobil"),
                street=street,
                house_number=pick(fields, "hausnummer") or number,
                postal_code=postal_code or pick(fields, "plz"),
                city=city or pick(fields, "ort"),
            ),
            message=block_after(mail.text, "nachricht", "ihre nachricht", "nachricht des interessenten"),
            property_external_id=pick(fields, "ihre objektnummer", "anbieter-objekt-id", "objektnummer"),
            portal_property_id=scout_id,
            property_title=pick(fields, "objekt", "angebot"),
        )
