"""vCard 2.1/3.0/4.0 in and out. Parsing is a pure function from bytes to entries (no database).

Real files are messy (see tests/fixtures/vcard/NOTICE): 2.1 quoted-printable with soft line breaks
that split UTF-8 sequences, per-property charsets (Windows-1252, Shift_JIS) in otherwise UTF-8
files, `#` comment lines, lower-case `begin:vcard`. So each card is cut out of the byte stream and
cleaned line by line (unfold, decode QP and charsets) before `vobject` parses it. A card that still
fails is reported with its position and reason; the others go on.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import quopri
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import vobject
from django.utils.translation import gettext as _

from maklerwerk.contacts.normalize import normalize_email, normalize_phone

if TYPE_CHECKING:
    from maklerwerk.contacts.models import Contact

_BEGIN = re.compile(rb"^begin:vcard\s*$", re.I)
_END = re.compile(rb"^end:vcard\s*$", re.I)
_TITLES = ("prof. dr.", "prof.", "dr. med.", "dr.-ing.", "dr.", "dipl.-ing.")
_SALUTATIONS = {"herr": "herr", "hr.": "herr", "mr.": "herr", "mr": "herr", "frau": "frau", "fr.": "frau",
                "mrs.": "frau", "ms.": "frau", "mrs": "frau", "ms": "frau"}  # fmt: skip
_COUNTRIES = {"deutschland": "DE", "germany": "DE", "österreich": "AT", "austria": "AT", "schweiz": "CH",
              "switzerland": "CH", "usa": "US", "united states": "US", "united states of america": "US",
              "frankreich": "FR", "france": "FR", "niederlande": "NL", "netherlands": "NL", "italien": "IT",
              "italy": "IT", "spanien": "ES", "spain": "ES", "polen": "PL", "poland": "PL"}  # fmt: skip


class NotAVCardError(ValueError):
    """The file is not a vCard file at all (binary, or no BEGIN:VCARD)."""


@dataclass
class Entry:
    """One card of a file: `data` in the contact services' shape, or `error` saying why not."""

    position: int  # 1-based, in file order
    data: dict[str, Any] = field(default_factory=dict)
    photo: bytes | None = None
    warnings: list[str] = field(default_factory=list)
    error: str = ""
    uid: str = ""  # the card's UID (an import recognises its card again by it)

    @property
    def display_name(self) -> str:
        d = self.data
        name = " ".join(p for p in (d.get("title"), d.get("first_name"), d.get("last_name")) if p)
        emails = d.get("emails") or [{"value": ""}]
        return name or d.get("company_name") or emails[0]["value"] or f"#{self.position}"


def parse(raw: bytes) -> list[Entry]:
    """All cards of a vCard file, in order. Raises NotAVCardError for files that are not vCards."""
    return [parse_card(i, chunk) for i, chunk in enumerate(split(raw), start=1)]


def split(raw: bytes) -> list[list[bytes]]:
    """The raw lines of each card, without parsing them (fast: to check a file and count its cards).

    Raises NotAVCardError for files that are not vCards."""
    encoding = _utf16(raw)
    if encoding:
        try:
            raw = raw[: len(raw) // 2 * 2].decode(encoding).removeprefix("\ufeff").encode("utf-8")
        except UnicodeDecodeError as exc:
            raise NotAVCardError(_("The file is not a vCard file.")) from exc
    raw = raw.removeprefix(b"\xef\xbb\xbf")
    if b"\x00" in raw[:65536]:
        raise NotAVCardError(_("The file is not a vCard file (it contains binary data)."))
    chunks = _split_cards(raw)
    if not chunks:
        raise NotAVCardError(_("The file contains no vCard (no “BEGIN:VCARD” line)."))
    return chunks


def _utf16(raw: bytes) -> str | None:
    """The codec of UTF-16 text, little- or big-endian, with or without byte-order mark (the macOS
    address book writes big-endian without one), else None. Without a mark, vCard text (ASCII
    structure, Latin letters) has a zero byte in almost every high half: at even positions for
    big-endian, at odd ones for little-endian."""
    if raw.startswith(b"\xff\xfe"):
        return "utf-16-le"
    if raw.startswith(b"\xfe\xff"):
        return "utf-16-be"
    head = raw[:4096]
    pairs = len(head) // 2
    if pairs < 2:
        return None
    even, odd = head[0 : 2 * pairs : 2].count(0), head[1 : 2 * pairs : 2].count(0)
    if even >= pairs * 0.6 and odd <= pairs * 0.05:
        return "utf-16-be"
    if odd >= pairs * 0.6 and even <= pairs * 0.05:
        return "utf-16-le"
    return None


def _split_cards(raw: bytes) -> list[list[bytes]]:
    cards: list[list[bytes]] = []
    current: list[bytes] | None = None
    for line in re.split(rb"\r\n|\n|\r(?!\n)", raw):
        if _BEGIN.match(line.strip()):
            current = []
        elif _END.match(line.strip()) and current is not None:
            cards.append(current)
            current = None
        elif current is not None:
            current.append(line)
    if current:  # a card without END:VCARD at the end of the file
        cards.append(current)
    return cards


def _split_property(line: bytes) -> tuple[bytes, bytes]:
    """`NAME;PARAMS` and the value: the first colon outside double quotes."""
    quoted = False
    for i, ch in enumerate(line):
        if ch == 0x22:
            quoted = not quoted
        elif ch == 0x3A and not quoted:
            return line[:i], line[i + 1 :]
    return line, b""


def _decode(data: bytes, charset: str | None) -> str:
    for cs in (charset, "utf-8"):
        if cs:
            try:
                return data.decode(cs)
            except (LookupError, UnicodeDecodeError):
                continue
    return data.decode("cp1252", errors="replace")


def _clean_card(lines: list[bytes]) -> str:
    """Unfold lines, join QP soft breaks, drop comments, decode QP and charsets: plain vCard text."""
    logical: list[bytes] = []
    qp_open = False
    for line in lines:
        if qp_open and logical:  # the previous line ended in a QP soft line break
            logical[-1] = logical[-1][:-1] + line
            qp_open = line.endswith(b"=")
            continue
        if line[:1] in (b" ", b"\t") and logical:
            logical[-1] += line[1:]
            continue
        if not line.strip() or line.startswith(b"#"):
            continue
        logical.append(line)
        head = _split_property(line)[0].upper()
        qp_open = b"QUOTED-PRINTABLE" in head and line.endswith(b"=")
    out = ["BEGIN:VCARD"]
    for line in logical:
        head, value = _split_property(line)
        params = head.split(b";")
        name, rest = params[0], params[1:]
        upper = [p.upper() for p in rest]
        charset = None
        keep = []
        is_qp = False
        for p, u in zip(rest, upper, strict=True):
            if u.startswith(b"CHARSET="):
                charset = p.split(b"=", 1)[1].decode("ascii", "replace").strip('"')
            elif u in (b"ENCODING=QUOTED-PRINTABLE", b"QUOTED-PRINTABLE"):
                is_qp = True
            elif u in (b"UTF-8", b"US-ASCII"):
                charset = u.decode()
            else:
                keep.append(p)
        if is_qp:
            value = quopri.decodestring(value)
        text = _decode(value, charset)
        if is_qp:
            # Escape what QP carried raw, so vobject sees one logical line.
            text = text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")
        text = text.replace("\r", " ")
        head_text = b";".join([name, *keep]).decode("utf-8", "replace")
        if not head_text.strip():
            continue
        out.append(f"{head_text}:{text}")
    out.append("END:VCARD")
    return "\r\n".join(out) + "\r\n"


def _read(text: str, entry: Entry) -> None:
    card = vobject.readOne(text, ignoreUnreadable=True, allowQP=True)
    _map_card(card, entry)
    for match in _DATA_URI.finditer(text):  # vobject cuts 4.0 `data:` URIs at the comma
        photo = _photo_bytes(base64.b64decode(re.sub(r"\s", "", match.group(1)) + "=="), entry)
        if photo:
            entry.photo = photo
            break


_DATA_URI = re.compile(r"^PHOTO[^:\r\n]*:data:image/[a-z]+;base64,([A-Za-z0-9+/=\s]+?)\r?$", re.I | re.M)


def parse_card(position: int, lines: list[bytes]) -> Entry:
    entry = Entry(position)
    try:
        text = _clean_card(lines)
        try:
            _read(text, entry)
        except Exception:
            # A broken photo must not cost the contact: try again without it.
            entry.data, entry.photo, entry.warnings = {}, None, []
            without = "\r\n".join(ln for ln in text.split("\r\n") if not ln.upper().startswith("PHOTO"))
            _read(without, entry)
            entry.warnings.append(_("Photo skipped (not a readable JPEG, PNG or GIF image)."))
    except Exception as exc:
        entry.error = _("Entry %(n)s cannot be read: %(reason)s") % {"n": position, "reason": _short(exc)}
        return entry
    d = entry.data
    if not (d.get("last_name") or d.get("first_name") or d.get("company_name") or d.get("emails")):
        entry.error = _("Entry %(n)s has neither a name, a company nor an e-mail address.") % {"n": position}
    return entry


def _short(exc: Exception) -> str:
    return (str(exc) or type(exc).__name__).splitlines()[0][:200]


def _types(prop: Any) -> set[str]:
    types: set[str] = set()
    for key, values in getattr(prop, "params", {}).items():
        if key.upper() == "TYPE":
            for v in values:
                types.update(t.strip().lower() for t in v.split(","))
    for v in getattr(prop, "singletonparams", []) or []:
        types.add(str(v).lower())
    return types


def _text(value: Any) -> str:
    if isinstance(value, list):
        value = " ".join(str(v) for v in value if v)
    return str(value or "").strip()


def _map_card(card: Any, entry: Entry) -> None:
    d = entry.data
    contents = card.contents
    if "uid" in contents:
        entry.uid = _text(contents["uid"][0].value)[:200]
    n = contents.get("n", [None])[0]
    if n is not None and not isinstance(n.value, str):
        name = n.value
        d["last_name"] = _text(name.family)[:100]
        d["first_name"] = " ".join(p for p in (_text(name.given), _text(name.additional)) if p)[:100]
        for prefix in _text(name.prefix).split():
            low = prefix.lower()
            if low in _SALUTATIONS:
                d["salutation"] = _SALUTATIONS[low]
            elif low.rstrip(".") + "." in _TITLES or low in _TITLES:
                d["title"] = (d.get("title", "") + " " + prefix).strip()[:50]
    if not (d.get("last_name") or d.get("first_name")) and "fn" in contents:
        fn = _text(contents["fn"][0].value)
        org = _text(contents["org"][0].value) if "org" in contents else ""
        if fn and fn != org and "@" not in fn:
            first, _sep, last = fn.rpartition(" ")
            d["first_name"], d["last_name"] = first[:100], last[:100]
    if "org" in contents:
        org = contents["org"][0].value
        d["company_name"] = _text(org[0] if isinstance(org, list) and org else org)[:200]
    if "title" in contents:
        d["position"] = _text(contents["title"][0].value)[:100]
    emails = []
    for prop in contents.get("email", []):
        types = _types(prop)
        kind = "business" if "work" in types else "private" if "home" in types else "other"
        try:
            emails.append({"value": normalize_email(_text(prop.value)), "kind": kind})
        except Exception:
            entry.warnings.append(_("E-mail “%s” skipped (invalid).") % _text(prop.value))
    d["emails"] = emails
    phones = []
    for prop in contents.get("tel", []):
        types = _types(prop)
        kind = (
            "fax" if "fax" in types else "mobile" if types & {"cell", "mobile"}
            else "business" if "work" in types else "private"
        )  # fmt: skip
        raw = _text(prop.value).removeprefix("tel:")
        try:
            phones.append({"value": normalize_phone(raw), "kind": kind})
        except Exception:
            entry.warnings.append(_("Phone number “%s” skipped (invalid).") % raw)
    d["phones"] = phones
    adrs = contents.get("adr", [])
    if adrs:
        adr = sorted(adrs, key=lambda a: ("pref" not in _types(a), "home" not in _types(a)))[0].value
        if not isinstance(adr, str):
            street = _text(adr.street).replace("\n", " ")
            match = re.match(r"^(.*?)\s+(\d+\s?[a-zA-Z]?(?:\s?[-/]\s?\d+[a-zA-Z]?)?)$", street)
            d["street"], d["house_number"] = (match.group(1), match.group(2)) if match else (street, "")
            d["street"], d["house_number"] = d["street"][:200], d["house_number"][:20]
            d["postal_code"] = _text(adr.code)[:10]
            d["city"] = _text(adr.city)[:100]
            country = _text(adr.country)
            d["country"] = (
                country.upper()
                if len(country) == 2
                else _COUNTRIES.get(country.lower(), "DE" if not country else "")
            )
    if "bday" in contents:
        d["birth_date"] = _date(_text(contents["bday"][0].value))
        if d["birth_date"] is None:
            del d["birth_date"]
    notes = [_text(p.value) for p in contents.get("note", []) if _text(p.value)]
    if notes:
        d["remarks"] = "\n\n".join(notes)
    for prop in contents.get("url", []):
        url = _text(prop.value)
        if url.startswith(("http://", "https://")) and len(url) <= 300:
            d["website"] = url
            break
    tags: list[str] = []
    for prop in contents.get("categories", []):
        value = prop.value
        tags.extend(
            _text(v) for v in (value if isinstance(value, list) else str(value).split(",")) if _text(v)
        )
    if tags:
        d["tags"] = tags[:20]
    if "lang" in contents:
        lang = _text(contents["lang"][0].value).lower()[:2]
        if lang in {"de", "en", "fr", "it", "es", "pl", "tr", "ru", "ar"}:
            d["preferred_language"] = lang
    for prop in contents.get("photo", []):
        entry.photo = _photo(prop, entry)
        if entry.photo:
            break


def _date(value: str) -> dt.date | None:
    value = value.strip()[:10]
    for fmt in ("%Y-%m-%d", "%Y%m%d"):
        try:
            return dt.datetime.strptime(value[: 10 if "-" in value else 8], fmt).date()  # noqa: DTZ007
        except ValueError:
            continue
    return None


def _photo(prop: Any, entry: Entry) -> bytes | None:
    """JPEG/PNG/GIF bytes of an embedded photo, verified with Pillow; remote URLs are not fetched."""
    value = prop.value
    if isinstance(value, str):
        return None  # a URL (never fetched) or a 4.0 data URI (read from the text, see _read)
    return _photo_bytes(value, entry)


def _photo_bytes(value: bytes, entry: Entry) -> bytes | None:
    from PIL import Image

    if not value:
        return None
    try:
        with Image.open(io.BytesIO(value)) as img:
            img.verify()
            if img.format not in {"JPEG", "PNG", "GIF"}:
                raise ValueError(img.format)
    except Exception:
        entry.warnings.append(_("Photo skipped (not a readable JPEG, PNG or GIF image)."))
        return None
    return bytes(value)


# --- Export ----------------------------------------------------------------------------------


def _esc(value: Any) -> str:
    return str(value or "").replace("\\", "\\\\").replace("\n", "\\n").replace(",", "\\,").replace(";", "\\;")


def _fold(line: str) -> str:
    """Fold at 75 octets (RFC 6350 3.2) without splitting a UTF-8 sequence."""
    out, current, size = [], "", 0
    for ch in line:
        n = len(ch.encode("utf-8"))
        if size + n > 75:
            out.append(current)
            current, size = " ", 1
        current += ch
        size += n
    out.append(current)
    return "\r\n".join(out)


_TEL_TYPES = {"private": "home", "business": "work", "mobile": "cell", "fax": "fax"}
_EMAIL_TYPES = {"private": "home", "business": "work", "other": ""}


def export(contacts: Any, version: str = "4.0") -> str:
    """vCard text (4.0 by default, 3.0 on request) for an iterable of contacts (prefetch lists)."""
    v4 = version != "3.0"
    return "".join(_export_one(c, v4) for c in contacts)


def _export_one(c: Contact, v4: bool) -> str:
    lines = ["BEGIN:VCARD", "VERSION:4.0" if v4 else "VERSION:3.0"]
    if v4:
        lines.append("PRODID:-//Maklerwerk//DE")
    prefix = " ".join(p for p in ({"herr": "Herr", "frau": "Frau"}.get(c.salutation, ""), c.title) if p)
    lines.append(f"N:{_esc(c.last_name)};{_esc(c.first_name)};;{_esc(prefix)};")
    fn = " ".join(p for p in (c.title, c.first_name, c.last_name) if p) or c.company_name or f"#{c.pk}"
    lines.append(f"FN:{_esc(fn)}")
    if c.last_name == "" and c.first_name == "" and c.company_name and v4:
        lines.append("KIND:org")
    if c.company_name:
        lines.append(f"ORG:{_esc(c.company_name)}")
    if c.position:
        lines.append(f"TITLE:{_esc(c.position)}")
    for e in c.emails.all():
        t = _EMAIL_TYPES.get(e.kind, "")
        params = (
            (f";TYPE={t}" if v4 else f";TYPE=INTERNET,{t.upper()}") if t else ("" if v4 else ";TYPE=INTERNET")
        )
        lines.append(f"EMAIL{params}:{_esc(e.value)}")
    for p in c.phones.all():
        t = _TEL_TYPES.get(p.kind, "voice")
        lines.append(f"TEL;VALUE=uri;TYPE={t}:tel:{p.value}" if v4 else f"TEL;TYPE={t.upper()}:{p.value}")
    if c.company_phone:
        lines.append(
            f"TEL;VALUE=uri;TYPE=work:tel:{c.company_phone}" if v4 else f"TEL;TYPE=WORK:{c.company_phone}"
        )
    if c.company_email:
        lines.append(
            f"EMAIL;TYPE=work:{_esc(c.company_email)}"
            if v4
            else f"EMAIL;TYPE=INTERNET,WORK:{_esc(c.company_email)}"
        )
    if any((c.street, c.postal_code, c.city)):
        street = " ".join(p for p in (c.street, c.house_number) if p)
        adr = ";".join(_esc(v) for v in ("", "", street, c.city, "", c.postal_code, c.country))
        lines.append(f"ADR;TYPE={'home' if v4 else 'HOME'}:{adr}")
    if c.birth_date:
        lines.append(f"BDAY:{c.birth_date:%Y%m%d}" if v4 else f"BDAY:{c.birth_date:%Y-%m-%d}")
    if c.website:
        lines.append(f"URL:{c.website}")
    if c.preferred_language and v4:
        lines.append(f"LANG:{c.preferred_language}")
    tags = [t.name for t in c.tags.all()]
    if tags:
        lines.append("CATEGORIES:" + ",".join(_esc(t) for t in tags))
    if c.remarks:
        lines.append(f"NOTE:{_esc(c.remarks)}")
    if c.photo:
        try:
            with c.photo.open("rb") as fh:
                data = base64.b64encode(fh.read()).decode("ascii")
            lines.append(
                f"PHOTO:data:image/jpeg;base64,{data}" if v4 else f"PHOTO;ENCODING=b;TYPE=JPEG:{data}"
            )
        except OSError:
            pass
    lines.append(f"UID:urn:maklerwerk:contact:{c.office_id}:{c.pk}")
    lines.append(f"REV:{c.updated_at:%Y%m%dT%H%M%SZ}")
    lines.append("END:VCARD")
    return "".join(_fold(line) + "\r\n" for line in lines)
