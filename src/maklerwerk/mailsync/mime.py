"""One raw mail as what the archive needs: key, addresses, thread, text, safe HTML, attachments.

Reading never raises: broken MIME is kept with German notes in `problems`. HTML is cleaned with
nh3 (ammonia): no scripts, styles, event handlers or images, so opening an archived mail loads
nothing from the sender's server (no tracking pixels). Attachments are read whatever their size;
the caller stores them once by hash.
"""

from __future__ import annotations

import datetime as dt
import email
import email.utils
import hashlib
import re
from dataclasses import dataclass, field
from email.message import Message
from functools import cached_property

import nh3

from maklerwerk.inquiries.parsers.mime import decode_header, html_to_text

MAX_TEXT_CHARS = 200_000
_MSGID = re.compile(r"<[^<>\s]+>")
_HTML_TAGS = set(nh3.ALLOWED_TAGS) - {"img"}  # no remote (or any) images


@dataclass(frozen=True)
class MailAttachment:
    filename: str
    content_type: str
    data: bytes

    @cached_property  # a 30 MB attachment is hashed once
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class ParsedMail:
    key: str  # the Message-ID ("<...>") or "sha256:..." when the mail has none
    message_id: str
    subject: str
    from_addr: str  # lower case
    from_header: str
    to_addrs: tuple[str, ...]
    cc_addrs: tuple[str, ...]
    to_header: str
    cc_header: str
    date: dt.datetime | None
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    text: str
    html: str  # sanitised
    attachments: tuple[MailAttachment, ...] = ()
    problems: tuple[str, ...] = field(default_factory=tuple)

    @property
    def thread_key(self) -> str:
        """The first mail of the conversation: References' first id, else In-Reply-To, else itself."""
        return (self.references or self.in_reply_to or (self.key,))[0]

    @property
    def addresses(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(a for a in (self.from_addr, *self.to_addrs, *self.cc_addrs) if a))


def message_ids(value: str) -> tuple[str, ...]:
    return tuple(m.lower() for m in _MSGID.findall(value or ""))[:50]


def message_key_from_headers(raw_headers: bytes) -> str:
    """The Message-ID of a header block (lower case), "" when there is none."""
    try:
        msg = email.message_from_bytes(raw_headers)
        found = message_ids(decode_header(msg.get("Message-ID", "")))
    except Exception:
        return ""
    return found[0] if found else ""


def sanitise_html(html: str) -> str:
    if not html.strip():
        return ""
    return nh3.clean(
        html,
        tags=_HTML_TAGS,
        clean_content_tags={"script", "style", "title"},
        url_schemes={"http", "https", "mailto"},
    )


def _addresses(msg: Message, name: str) -> tuple[tuple[str, ...], str]:
    values = [decode_header(v) for v in (msg.get_all(name) or [])]
    pairs = email.utils.getaddresses(values)
    addrs = tuple(dict.fromkeys(a.strip().lower() for _, a in pairs if "@" in a))
    return addrs, ", ".join(values)[:5000]


def _date(msg: Message, problems: list[str]) -> dt.datetime | None:
    value = msg.get("Date")
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(str(value))
    except (TypeError, ValueError, IndexError):
        problems.append(f"Datum „{str(value)[:60]}“ ist ungültig; das Abrufdatum gilt.")
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed if 1900 <= parsed.year <= 2200 else None


def _decode(payload: bytes, charset: str | None, problems: list[str]) -> str:
    declared = (charset or "").strip().strip('"').lower() or "us-ascii"
    try:
        return payload.decode(declared)
    except (LookupError, UnicodeDecodeError):
        pass
    for fallback in ("utf-8", "cp1252"):
        try:
            text = payload.decode(fallback)
            problems.append(f"Zeichensatz „{declared}“ passt nicht; als {fallback.upper()} gelesen.")
            return text
        except UnicodeDecodeError:
            continue
    return payload.decode("latin-1")


def _parts(msg: Message, problems: list[str]) -> tuple[list[str], list[str], list[MailAttachment]]:
    plain: list[str] = []
    html: list[str] = []
    attachments: list[MailAttachment] = []
    try:
        parts = list(msg.walk())
    except Exception as exc:
        problems.append(f"MIME-Struktur nicht lesbar ({type(exc).__name__}); der Rohtext wurde übernommen.")
        parts = []
    for part in parts:
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        disposition = (part.get("Content-Disposition") or "").split(";")[0].strip().lower()
        filename = decode_header(part.get_filename() or "")
        try:
            payload = part.get_payload(decode=True)
        except Exception:
            problems.append(f"Teil {ctype} ließ sich nicht dekodieren.")
            continue
        data = payload if isinstance(payload, bytes) else b""
        if disposition == "attachment" or filename or not ctype.startswith("text/"):
            attachments.append(MailAttachment(filename or f"anhang.{ctype.split('/')[-1]}", ctype, data))
            continue
        text = _decode(data, part.get_content_charset(), problems)[:MAX_TEXT_CHARS]
        (html if ctype == "text/html" else plain).append(text)
    return plain, html, attachments


def fallback_key(*, date: str, addresses: tuple[str, ...], subject: str, text: str) -> str:
    """For a mail without Message-ID: the same mail hashes the same in every mailbox and folder."""
    basis = "\n".join(
        [date.strip(), ",".join(sorted(addresses)), subject.strip(), " ".join(text.split())[:500]]
    )
    return "sha256:" + hashlib.sha256(basis.encode("utf-8", "surrogatepass")).hexdigest()


def mail_parse(raw: bytes) -> ParsedMail:
    """Read one raw mail. Never raises for bad input."""
    problems: list[str] = []
    msg = email.message_from_bytes(raw)
    if msg.defects:
        names = ", ".join(sorted({type(d).__name__ for d in msg.defects}))
        problems.append(f"Fehlerhafte MIME-Struktur ({names}); so gut wie möglich gelesen.")
    plain, html_parts, attachments = _parts(msg, problems)
    html = sanitise_html("\n".join(html_parts))
    text = "\n".join(plain).strip() or html_to_text(html)
    if not text and not html and not attachments:
        text = raw.partition(b"\n\n")[2][:MAX_TEXT_CHARS].decode("utf-8", "replace")
    from_addrs, from_header = _addresses(msg, "From")
    to_addrs, to_header = _addresses(msg, "To")
    cc_addrs, cc_header = _addresses(msg, "Cc")
    subject = decode_header(msg.get("Subject", ""))[:300]
    ids = message_ids(decode_header(msg.get("Message-ID", "")))
    if not ids and msg.get("Message-ID"):
        problems.append("Message-ID ist ungültig; die Mail wird an ihrem Inhalt erkannt.")
    addrs = tuple(dict.fromkeys((*from_addrs, *to_addrs, *cc_addrs)))
    key = (
        ids[0]
        if ids
        else fallback_key(date=str(msg.get("Date", "")), addresses=addrs, subject=subject, text=text)
    )
    return ParsedMail(
        key=key[:300],
        message_id=ids[0] if ids else "",
        subject=subject,
        from_addr=from_addrs[0] if from_addrs else "",
        from_header=from_header[:500],
        to_addrs=to_addrs,
        cc_addrs=cc_addrs,
        to_header=to_header,
        cc_header=cc_header,
        date=_date(msg, problems),
        in_reply_to=message_ids(str(msg.get("In-Reply-To", ""))),
        references=message_ids(str(msg.get("References", ""))),
        text=text.replace("\r\n", "\n"),
        html=html,
        attachments=tuple(attachments),
        problems=tuple(problems),
    )
