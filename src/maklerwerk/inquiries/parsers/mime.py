"""Defensive MIME reading: whatever arrives, we get a subject, a sender, readable text and attachments.

Real inboxes hold mails with broken boundaries, charsets that lie ("utf-8" over Latin-1 bytes),
unknown charsets, HTML-only bodies and attachments of many megabytes. None of that may raise:
problems are collected as German notes for the user instead.
"""

from __future__ import annotations

import email
import email.header
import email.parser
import email.utils
import re
from dataclasses import dataclass, field
from email.message import Message
from html.parser import HTMLParser

# Attachments above this size are not read (the mail itself stays in the mailbox).
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
# Only this much of a text body is read; portal mails are a few kilobytes.
MAX_TEXT_CHARS = 200_000


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class MailContent:
    message_id: str
    subject: str
    sender: str  # lower-case address of From
    sender_name: str
    reply_to: str  # lower-case address of Reply-To, or ""
    text: str  # the plain-text body, or the HTML body turned into text
    html: str
    attachments: tuple[Attachment, ...] = ()
    problems: tuple[str, ...] = field(default_factory=tuple)


def decode_header(value: object) -> str:
    """A header as text, whatever encoded-words and charsets it uses."""
    if value is None:
        return ""
    value = str(value)
    if any("\udc80" <= ch <= "\udcff" for ch in value):  # raw 8-bit header bytes (no encoded-words)
        value = _decode_bytes(value.encode("ascii", "surrogateescape"), "utf-8")[0]
    try:
        parts = email.header.decode_header(value)
    except Exception:
        return str(value)
    out = []
    for chunk, charset in parts:
        if isinstance(chunk, bytes):
            out.append(_decode_bytes(chunk, charset)[0])
        else:
            out.append(chunk)
    return re.sub(r"\s+", " ", "".join(out)).strip()


def _decode_bytes(data: bytes, charset: str | None) -> tuple[str, str]:
    """Decode with the declared charset, falling back to UTF-8 and then Windows-1252.

    Returns the text and a problem note ("" if the declared charset worked).
    """
    declared = (charset or "").strip().strip('"').lower() or "us-ascii"
    try:
        return data.decode(declared), ""
    except LookupError:
        note = f"Unbekannter Zeichensatz „{declared}“"
    except UnicodeDecodeError:
        note = f"Text passt nicht zum angegebenen Zeichensatz „{declared}“"
    for fallback in ("utf-8", "cp1252"):
        try:
            return data.decode(fallback), f"{note}; als {fallback.upper()} gelesen."
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1"), f"{note}; als Latin-1 gelesen."


class _TextExtractor(HTMLParser):
    BLOCK = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "table", "section", "hr"}
    CELL = {"td", "th"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style", "head"}:
            self._skip += 1
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style", "head"}:
            self._skip = max(0, self._skip - 1)
        elif tag in self.CELL:
            self.parts.append("\t")
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """Readable text from HTML: blocks become lines, table cells are separated by a tab."""
    parser = _TextExtractor()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # HTMLParser is lenient; this is a last resort
        return re.sub(r"<[^>]+>", " ", html)
    text = "".join(parser.parts).replace("\xa0", " ")
    lines = [
        re.sub(r"[ \t]*\t[ \t]*", "\t", re.sub(r" +", " ", line)).strip(" \t") for line in text.split("\n")
    ]
    return "\n".join(line for line in lines if line)


def _header(msg: Message, name: str) -> str:
    """The raw stored header (8-bit bytes kept as surrogates), decoded by `decode_header`."""
    for key, value in msg.raw_items():
        if key.lower() == name.lower():
            return decode_header(value)
    return ""


def _address(value: str) -> tuple[str, str]:
    name, addr = email.utils.parseaddr(value)
    return decode_header(name), addr.strip().lower()


_HEADERS = email.parser.BytesHeaderParser()
# A header block as the compat32 parser reads it, in the common shape only: lines "Name: value" or
# continuations, each ending in LF or CRLF, then a blank line (or the end). Anything else (a bare
# CR, an envelope "From " line, a line without a name, 8-bit bytes or an encoded word in the
# Message-ID) is read by the parser itself.
_PLAIN_HEADERS = re.compile(rb"(?:[!-9;-~]+:[^\r\n]*\r?\n(?:[ \t][^\r\n]*\r?\n)*)*")
_MESSAGE_ID_LINE = re.compile(rb"^message-id:([^\r\n]*\r?\n(?:[ \t][^\r\n]*\r?\n)*)", re.I | re.M)


def _plain_message_id(raw: bytes) -> str | None:
    """The Message-ID of a header block of the common shape, as the parser would read it; None when
    the block has another shape (then only the parser knows)."""
    end = _PLAIN_HEADERS.match(raw).end()  # type: ignore[union-attr]  # matches the empty string
    if end < len(raw) and not raw.startswith((b"\n", b"\r\n"), end):
        return None
    found = _MESSAGE_ID_LINE.search(raw, 0, end)
    if found is None:
        return ""
    value = found.group(1)
    if not value.isascii() or b"=?" in value:
        return None
    return re.sub(r"\s+", " ", value.decode("ascii")).strip()


def message_id_of(raw: bytes) -> str:
    """The Message-ID as `read_mail` reads it, from the header block alone (the intake's claim key,
    cheap enough to take a mailbox in without parsing any body). Never raises for bad input."""
    value = _plain_message_id(raw)
    if value is None:
        try:
            value = _header(_HEADERS.parsebytes(raw), "Message-ID")
        except Exception:  # pragma: no cover - the compat32 parser is very lenient
            return ""
    return value.strip().replace("\x00", "")[:250]


def read_mail(raw: bytes) -> MailContent:
    """Everything the parsers need from one raw mail. Never raises for bad input."""
    problems: list[str] = []
    try:
        msg = email.message_from_bytes(raw)
    except Exception as exc:  # pragma: no cover - the compat32 parser is very lenient
        return MailContent("", "", "", "", "", raw[:MAX_TEXT_CHARS].decode("latin-1"), "", (), (str(exc),))
    if msg.defects:
        problems.append(
            "Fehlerhafte MIME-Struktur: " + ", ".join(sorted({type(d).__name__ for d in msg.defects}))
        )
    sender_name, sender = _address(_header(msg, "From"))
    _, reply_to = _address(_header(msg, "Reply-To"))
    plain: list[str] = []
    html: list[str] = []
    attachments: list[Attachment] = []
    for part in _walk(msg, problems):
        ctype = part.get_content_type()
        disposition = (part.get("Content-Disposition") or "").split(";")[0].strip().lower()
        filename = decode_header(part.get_filename() or "")
        if part.is_multipart():
            continue
        try:
            payload: bytes = part.get_payload(decode=True) or b""  # type: ignore[assignment]  # a leaf part: bytes
        except Exception:
            problems.append(f"Teil {ctype} ließ sich nicht dekodieren.")
            continue
        if disposition == "attachment" or filename or not ctype.startswith("text/"):
            if len(payload) > MAX_ATTACHMENT_BYTES:
                problems.append(
                    f"Anhang „{filename or ctype}“ ({len(payload) / 1024 / 1024:.1f} MB) "
                    "ist zu groß und wurde nicht gelesen."
                )
                continue
            attachments.append(Attachment(filename, ctype, payload))
            continue
        text, note = _decode_bytes(payload, part.get_content_charset())
        if note:
            problems.append(note)
        (html if ctype == "text/html" else plain).append(text[:MAX_TEXT_CHARS])
    html_text = "\n".join(html)
    body = "\n".join(plain).strip() or html_to_text(html_text)
    if not plain and html:
        problems.append("Nur HTML-Inhalt; als Text gelesen.")
    return MailContent(
        message_id=_header(msg, "Message-ID").strip()[:250],
        subject=_header(msg, "Subject")[:300],
        sender=sender[:254],
        sender_name=sender_name[:200],
        reply_to=reply_to[:254],
        text=body.replace("\r\n", "\n"),
        html=html_text,
        attachments=tuple(attachments),
        problems=tuple(problems),
    )


def _walk(msg: Message, problems: list[str]) -> list[Message]:
    try:
        return list(msg.walk())
    except Exception as exc:
        problems.append(f"Fehlerhafte MIME-Struktur: {exc}")
        return [msg]


LABEL_LINE = re.compile(r"^\s*([^:\t\n]{2,60}?)\s*(?::|\t)\s*(.*?)\s*$")


def labelled_fields(text: str) -> dict[str, str]:
    """`Label: value` (or `Label<TAB>value` from HTML tables) lines as a dict of lower-case labels.

    The first occurrence of a label wins; a label with an empty value takes the next line.
    """
    out: dict[str, str] = {}
    lines = text.split("\n")
    for i, line in enumerate(lines):
        m = LABEL_LINE.match(line)
        if not m:
            continue
        label = re.sub(r"\s+", " ", m.group(1).strip().lower())
        value = m.group(2).strip()
        if not value and i + 1 < len(lines) and not LABEL_LINE.match(lines[i + 1]):
            value = lines[i + 1].strip()
        if label not in out and value:
            out[label] = value
    return out


def pick(fields: dict[str, str], *labels: str) -> str:
    for label in labels:
        if fields.get(label):
            return fields[label]
    return ""


def block_after(text: str, *headings: str) -> str:
    """The text after a heading line such as "Nachricht:" up to the next blank-line-separated footer."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        stripped = line.strip().rstrip(":").lower()
        if stripped in headings:
            rest: list[str] = []
            for follow in lines[i + 1 :]:
                if follow.strip().startswith(
                    ("--", "___", "Mit freundlichen Grüßen Ihr", "Ihr ImmobilienScout24")
                ):
                    break
                rest.append(follow.rstrip())
            return "\n".join(rest).strip()
    return ""


def split_name(full: str) -> tuple[str, str, str]:
    """ "Frau Dr. Anna Beispiel" → ("frau", "Anna", "Beispiel"); the salutation may be missing."""
    words = full.replace(",", " ").split()
    salutation = ""
    if words and words[0].lower() in {"herr", "frau", "divers"}:
        salutation = words.pop(0).lower()
    words = [w for w in words if w.lower() not in {"dr.", "prof.", "dipl.-ing."}]
    if not words:
        return salutation, "", ""
    if len(words) == 1:
        return salutation, "", words[0]
    return salutation, " ".join(words[:-1]), words[-1]


def salutation_of(value: str) -> str:
    v = value.strip().lower()
    if v.startswith("herr"):
        return "herr"
    if v.startswith("frau"):
        return "frau"
    if v.startswith("divers"):
        return "divers"
    return ""


def split_street(value: str) -> tuple[str, str]:
    """ "Venloer Straße 12a" → ("Venloer Straße", "12a")."""
    m = re.match(r"^(.*?\D)\s*(\d+\s*[a-zA-Z]?(?:\s*[-/]\s*\d+\s*[a-zA-Z]?)?)$", value.strip())
    if m:
        return m.group(1).strip(), m.group(2).replace(" ", "")
    return value.strip(), ""


def split_city(value: str) -> tuple[str, str]:
    """ "50823 Köln" → ("50823", "Köln")."""
    m = re.match(r"^\s*(?:D-)?(\d{4,5})\s+(.+?)\s*$", value)
    if m:
        return m.group(1), m.group(2)
    return "", value.strip()


EMAIL_RE = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")


def first_email(value: str) -> str:
    m = EMAIL_RE.search(value or "")
    return m.group(0).lower() if m else ""
