"""Kleinanzeigen "Nutzer-Anfrage" mails. The prospect's address is hidden behind a relay address
(Reply-To); answering it reaches them, so it is the e-mail we keep."""

from __future__ import annotations

import re

from maklerwerk.inquiries.parsers import ParsedInquiry, Prospect
from maklerwerk.inquiries.parsers.mime import MailContent, block_after, labelled_fields, pick, split_name


class KleinanzeigenParser:
    name = "kleinanzeigen"

    def parse(self, mail: MailContent) -> ParsedInquiry | None:
        if not mail.sender.endswith(("kleinanzeigen.de", "ebay-kleinanzeigen.de")):
            return None
        fields = labelled_fields(mail.text)
        ad_id = pick(fields, "anzeigennummer", "anzeigen-nr.", "anzeige-nr.")
        if not ad_id:
            m = re.search(r"Anzeigen(?:nummer|-Nr\.)\D{0,5}(\d{6,12})", mail.subject + "\n" + mail.text)
            ad_id = m.group(1) if m else ""
        email = mail.reply_to if mail.reply_to and mail.reply_to != mail.sender else ""
        if not ad_id or not email:
            return None
        salutation, first, last = split_name(pick(fields, "name", "von", "absender") or mail.sender_name)
        title = ""
        m = re.search(r"Anzeige\s+[„\"“](.+?)[“\"”]", mail.subject)
        if m:
            title = m.group(1)
        return ParsedInquiry(
            source="kleinanzeigen",
            prospect=Prospect(
                email=email,
                salutation=salutation,
                first_name=first,
                last_name=last,
                phone=pick(fields, "telefon", "telefonnummer"),
            ),
            message=block_after(mail.text, "nachricht", "nachricht von", "nachricht des interessenten"),
            portal_property_id=ad_id,
            property_title=title,
        )
