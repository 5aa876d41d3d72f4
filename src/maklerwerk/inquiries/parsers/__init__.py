"""Portal inquiry parsers: a pure function from the raw bytes of a mail to a result.

`parse_message(raw)` decodes the MIME message defensively (broken structure, wrong or unknown
charsets, HTML-only bodies, huge attachments) and asks each parser in turn. The first parser
that recognises the mail wins. A mail no parser understands comes back with `inquiry=None`
("nicht erkannt"): the caller keeps it for manual handling, never drops it.

Each parser sits behind the small `InquiryParser` protocol and returns a frozen `ParsedInquiry`
(the idea of paperless-ngx `src/paperless/parsers/__init__.py`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Protocol

from maklerwerk.inquiries.parsers.mime import MailContent, message_id_of, read_mail
from maklerwerk.inquiries.prospect import Prospect


@dataclass(frozen=True)
class ParsedInquiry:
    """What a portal told us about one prospect and the property they asked about."""

    source: str  # Inquiry.Source value: immoscout24, immowelt, kleinanzeigen, openimmo, website, tour
    prospect: Prospect = field(default_factory=Prospect)
    message: str = ""
    property_external_id: str = ""  # the office's own Kennung (objektnr_extern / oobj_id)
    portal_property_id: str = ""  # Scout-ID, immowelt Online-ID, Kleinanzeigen Anzeigennummer
    property_title: str = ""


@dataclass(frozen=True)
class MailParseResult:
    """The outcome of reading one mail; `inquiry` is None when no parser recognised it."""

    message_id: str
    content_hash: str
    subject: str
    sender: str
    inquiry: ParsedInquiry | None
    parser: str = ""
    problems: tuple[str, ...] = field(default_factory=tuple)  # German notes for the user
    text: str = ""  # the readable body, for the "nicht erkannt" view


class ParserRefused(ValueError):
    """A parser recognised its format but refuses the content; the message is German, for users."""


class InquiryParser(Protocol):
    """Recognises one sender format. `parse` returns None when the mail is not of its format."""

    name: str

    def parse(self, mail: MailContent) -> ParsedInquiry | None: ...


def content_hash(raw: bytes) -> str:
    """SHA-256 of the message body (everything after the header block).

    Servers add and rewrite trace headers (Received, Delivered-To) when a mail is delivered or
    copied, so the same message must hash the same whatever headers it gathered on the way.
    """
    for sep in (b"\r\n\r\n", b"\n\n"):
        _head, found, body = raw.partition(sep)
        if found:
            return hashlib.sha256(body).hexdigest()
    return hashlib.sha256(raw).hexdigest()


def claim_key(raw: bytes) -> tuple[str, str]:
    """(Message-ID, content hash): what makes a mail count once per mailbox, without parsing it."""
    return message_id_of(raw), content_hash(raw)


def _parsers() -> list[InquiryParser]:
    from maklerwerk.inquiries.parsers.immoscout24 import ImmoScout24Parser
    from maklerwerk.inquiries.parsers.immowelt import ImmoweltParser
    from maklerwerk.inquiries.parsers.kleinanzeigen import KleinanzeigenParser
    from maklerwerk.inquiries.parsers.openimmo_feedback import OpenImmoFeedbackParser
    from maklerwerk.inquiries.parsers.tour_providers import GenericTourParser, ImmoviewerParser, OguloParser

    # The XML attachment is the most reliable source, so it goes first; the generic tour parser,
    # which knows no sender, last.
    return [
        OpenImmoFeedbackParser(),
        ImmoScout24Parser(),
        ImmoweltParser(),
        KleinanzeigenParser(),
        ImmoviewerParser(),
        OguloParser(),
        GenericTourParser(),
    ]


def parse_message(raw: bytes) -> MailParseResult:
    """Read one raw mail and run the parsers over it. Never raises for bad input."""
    mail = read_mail(raw)
    problems = list(mail.problems)
    for parser in _parsers():
        try:
            inquiry = parser.parse(mail)
        except ParserRefused as exc:
            problems.append(str(exc)[:300])
            continue
        except Exception as exc:  # a parser bug must not lose the mail: it is kept as unrecognised
            problems.append(f"{parser.name}: {type(exc).__name__}: {exc}"[:300])
            continue
        if inquiry is not None:
            return MailParseResult(
                message_id=mail.message_id,
                content_hash=content_hash(raw),
                subject=mail.subject,
                sender=mail.sender,
                inquiry=inquiry,
                parser=parser.name,
                problems=tuple(problems),
                text=mail.text,
            )
    return MailParseResult(
        message_id=mail.message_id,
        content_hash=content_hash(raw),
        subject=mail.subject,
        sender=mail.sender,
        inquiry=None,
        problems=tuple(problems),
        text=mail.text,
    )


__all__ = [
    "InquiryParser",
    "MailParseResult",
    "ParsedInquiry",
    "ParserRefused",
    "Prospect",
    "claim_key",
    "content_hash",
    "parse_message",
]
