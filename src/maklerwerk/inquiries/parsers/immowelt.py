"""immowelt "Neue Anfrage" mails: HTML tables (the plain-text part is often missing)."""

from __future__ import annotations

from maklerwerk.inquiries.parsers import ParsedInquiry, Prospect
from maklerwerk.inquiries.parsers.mime import (
    MailContent,
    first_email,
    labelled_fields,
    pick,
    salutation_of,
    split_city,
    split_name,
    split_street,
)


class ImmoweltParser:
    name = "immowelt"

    def parse(self, mail: MailContent) -> ParsedInquiry | None:
        if not mail.sender.endswith(("immowelt.de", "immowelt.net")):
            return None
        fields = labelled_fields(mail.text)
        email = first_email(pick(fields, "e-mail", "e-mail-adresse", "email"))
        online_id = pick(fields, "online-id", "immowelt-id", "objekt-id")
        if not email and not online_id:
            return None
        salutation, first, last = split_name(pick(fields, "name", "interessent"))
        street, number = split_street(pick(fields, "straße / nr.", "straße/nr.", "straße", "adresse"))
        postal_code, city = split_city(pick(fields, "plz / ort", "plz/ort", "wohnort"))
        return ParsedInquiry(
            source="immowelt",
            prospect=Prospect(
                email=email,
                salutation=salutation_of(pick(fields, "anrede")) or salutation,
                first_name=pick(fields, "vorname") or first,
                last_name=pick(fields, "nachname") or last,
                phone=pick(fields, "telefon", "telefonnummer"),
                street=street,
                house_number=number,
                postal_code=postal_code,
                city=city,
            ),
            message=pick(fields, "nachricht", "nachricht des interessenten", "anfragetext"),
            property_external_id=pick(fields, "objektnummer", "ihre objektnummer", "anbieter-objektnummer"),
            portal_property_id=online_id,
            property_title=pick(fields, "objekt", "immobilie"),
        )
