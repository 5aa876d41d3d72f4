"""vCard 3.0 for the address book sync: render a contact, read a server card, hash content.

Rendering reuses `contacts.vcard.export` (3.0, the widest compatibility) with the contact's stable
UUID as UID. When the server's card exists, what Maklerwerk does not keep (further addresses, IM
handles, X- properties of the phone's address book) is carried over from it, so a round trip
loses nothing. Change detection compares `content_hash(parse(card))`: the parsed fields and the
photo's bytes, never the card's bytes or ETag (servers reorder and re-fold cards, add PRODID,
change ETags without changes).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from maklerwerk.contacts import vcard
from maklerwerk.contacts.normalize import normalize_email, normalize_phone
from maklerwerk.imports.services import content_hash

if TYPE_CHECKING:
    from maklerwerk.contacts.models import Contact

# Properties Maklerwerk writes itself; every other line of the server's card is carried over.
MANAGED = frozenset(
    {
        "VERSION",
        "PRODID",
        "N",
        "FN",
        "ORG",
        "TITLE",
        "EMAIL",
        "TEL",
        "BDAY",
        "URL",
        "LANG",
        "CATEGORIES",
        "NOTE",
        "PHOTO",
        "UID",
        "REV",
        "KIND",
    }
)
# Fields a server card may change on the contact (tags stay Maklerwerk's: they choose what syncs).
APPLIED = (
    "salutation",
    "title",
    "first_name",
    "last_name",
    "company_name",
    "position",
    "street",
    "house_number",
    "postal_code",
    "city",
    "country",
    "birth_date",
    "remarks",
    "website",
)
_REV = re.compile(rb"^REV[^:\r\n]*:([0-9TZ:-]+)", re.I | re.M)
_HEAD = re.compile(r"^(?:[A-Za-z0-9-]+\.)?([A-Za-z0-9-]+)")


@dataclass
class Card:
    """A server card as Maklerwerk reads it: `entry.error` is set when it cannot be read."""

    entry: vcard.Entry
    digest: str
    rev: str = ""  # REV as UTC "YYYYMMDDTHHMMSSZ" when the card has one (the newer-wins rule)

    @property
    def broken(self) -> bool:
        return bool(self.entry.error)


def read(raw: bytes) -> Card:
    """Parse one server card (never raises: a broken card has `entry.error`)."""
    try:
        chunks = vcard.split(raw)
    except vcard.NotAVCardError as exc:
        entry = vcard.Entry(1, error=str(exc))
        return Card(entry, hashlib.sha256(raw).hexdigest())
    entry = vcard.parse_card(1, chunks[0])
    if len(chunks) > 1:
        entry.warnings.append(_("The item holds several cards; only the first is read."))
    if entry.error:
        return Card(entry, hashlib.sha256(raw).hexdigest())
    return Card(entry, digest(entry), _rev(raw))


def _rev(raw: bytes) -> str:
    match = _REV.search(raw)
    if not match:
        return ""
    digits = re.sub(rb"[^0-9]", b"", match.group(1)).decode()
    return f"{digits[:8]}T{digits[8:14].ljust(6, '0')}Z" if len(digits) >= 8 else ""


def digest(entry: vcard.Entry) -> str:
    photo = hashlib.sha256(entry.photo).hexdigest() if entry.photo else ""
    return content_hash({"data": entry.data, "photo": photo})


def render(contact: Contact, uid: str, server: bytes | None = None) -> bytes:
    """The contact as a vCard 3.0 with `uid`; unmanaged lines of `server`'s card carried over."""
    text = vcard.export([contact], version="3.0")
    lines = [ln for ln in _unfold(text) if _name(ln) not in {"UID", "REV", "END"}]
    if any(_name(ln) == "ADR" for ln in lines):  # Maklerwerk's one address is the preferred one
        lines = [ln.replace("ADR;TYPE=HOME:", "ADR;TYPE=HOME,PREF:", 1) for ln in lines]
    lines += _carried(server, own_address=any(_name(ln) == "ADR" for ln in lines)) if server else []
    lines += [f"UID:{uid}", "END:VCARD"]
    return "".join(vcard._fold(ln) + "\r\n" for ln in lines).encode("utf-8")


def _unfold(text: str) -> list[str]:
    out: list[str] = []
    for line in re.split(r"\r\n|\n", text):
        if line[:1] in (" ", "\t") and out:
            out[-1] += line[1:]
        elif line.strip():
            out.append(line)
    return out


def _name(line: str) -> str:
    match = _HEAD.match(line)
    return match.group(1).upper() if match else ""


def _carried(server: bytes, *, own_address: bool) -> list[str]:
    """The server card's lines Maklerwerk does not manage; its preferred address is replaced by
    Maklerwerk's (the one `vcard.parse_card` reads), the others stay."""
    try:
        text = server.decode("utf-8")
    except UnicodeDecodeError:
        return []
    lines = _unfold(text)
    inner = [ln for ln in lines if _name(ln) not in MANAGED | {"BEGIN", "END"} or _unreadable(ln)]
    adrs = [ln for ln in inner if _name(ln) == "ADR"]
    if adrs and own_address:
        head = [ln.split(":", 1)[0].upper() for ln in adrs]
        first = sorted(range(len(adrs)), key=lambda i: ("PREF" not in head[i], "HOME" not in head[i]))[0]
        inner.remove(adrs[first])
    return inner


def _unreadable(line: str) -> bool:
    """An e-mail or phone line Maklerwerk could not take in (the contact does not hold it): it is
    carried over as it is instead of being lost."""
    name = _name(line)
    if name not in ("EMAIL", "TEL"):
        return False
    value = line.split(":", 1)[-1].strip().removeprefix("tel:")
    try:
        (normalize_email if name == "EMAIL" else normalize_phone)(value)
    except Exception:
        return True
    return False


def applied_data(entry: vcard.Entry, contact: Contact) -> dict[str, Any]:
    """What a server card changes on the contact: every applied field (missing = emptied), the
    e-mails and phones (without the company's own, which Maklerwerk writes as extra lines)."""
    data: dict[str, Any] = {key: entry.data.get(key, "") for key in APPLIED}
    data["birth_date"] = entry.data.get("birth_date")
    data["country"] = data["country"] or "DE"
    emails = [e for e in entry.data.get("emails", []) if e["value"].lower() != contact.company_email.lower()]
    phones = [p for p in entry.data.get("phones", []) if p["value"] != contact.company_phone]
    data["emails"], data["phones"] = _unique(emails), _unique(phones)
    return data


def _unique(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: set[str] = set()
    out = []
    for row in rows:
        key = row["value"].lower()
        if key not in seen:
            seen.add(key)
            out.append(row)
    return out
