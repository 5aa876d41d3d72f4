"""Which CSV column is which contact field: the targets, the shipped starting profiles of the old
systems, suggestions from header synonyms, and turning one row into the contact intake's data.

The starting profiles use the column names of the systems' exports and public API field names:
onOffice (apidoc.onoffice.de, address fields as in enterprise's administration), FLOWFACT
(Performer's German export headers and the cloud's field names) and Propstack (its API's
Contact: `old_crm_id`, `home_*`, `newsletter`, ...). An office adjusts one and saves it under
its own name (`ImportMapping`).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from maklerwerk.imports import csvfile

SOURCE_ID = "source_id"  # the record's id in the old system: what makes a re-import find it again


@dataclass(frozen=True)
class Target:
    key: str
    label: Any  # lazy German label
    kind: str = "text"  # text, date, bool, email, phone, salutation, tags


CONTACT_TARGETS: tuple[Target, ...] = (
    Target(SOURCE_ID, gettext_lazy("ID in the old system")),
    Target("salutation", gettext_lazy("Salutation"), "salutation"),
    Target("title", gettext_lazy("Title")),
    Target("first_name", gettext_lazy("First name")),
    Target("last_name", gettext_lazy("Last name")),
    Target("company_name", gettext_lazy("Company")),
    Target("position", gettext_lazy("Position")),
    Target("street", gettext_lazy("Street")),
    Target("house_number", gettext_lazy("House number")),
    Target("postal_code", gettext_lazy("Postal code")),
    Target("city", gettext_lazy("City")),
    Target("country", gettext_lazy("Country")),
    Target("email", gettext_lazy("E-mail"), "email"),
    Target("email2", gettext_lazy("Second e-mail"), "email"),
    Target("phone", gettext_lazy("Phone"), "phone"),
    Target("mobile", gettext_lazy("Mobile phone"), "phone"),
    Target("birth_date", gettext_lazy("Date of birth"), "date"),
    Target("website", gettext_lazy("Website")),
    Target("remarks", gettext_lazy("Remarks")),
    Target("tags", gettext_lazy("Tags (comma-separated)"), "tags"),
    Target("marketing_consent", gettext_lazy("Marketing consent (yes/no)"), "bool"),
    Target("marketing_consent_on", gettext_lazy("Marketing consent given on"), "date"),
)
TARGETS = {t.key: t for t in CONTACT_TARGETS}

PRESETS: dict[str, dict[str, str]] = {
    "onoffice": {
        "KdNr": SOURCE_ID, "Anrede": "salutation", "Titel": "title", "Vorname": "first_name",
        "Name": "last_name", "Zusatz1": "company_name", "Strasse": "street", "Hausnummer": "house_number",
        "Plz": "postal_code", "Ort": "city", "Land": "country", "Email": "email", "Telefon1": "phone",
        "Handy": "mobile", "Geburtsdatum": "birth_date", "Homepage": "website", "Bemerkung": "remarks",
    },
    "flowfact": {
        "Kontakt-Nr.": SOURCE_ID, "Anrede": "salutation", "Titel": "title", "Vorname": "first_name",
        "Nachname": "last_name", "Firma": "company_name", "Straße": "street", "Hausnummer": "house_number",
        "PLZ": "postal_code", "Ort": "city", "Land": "country", "E-Mail": "email", "Telefon": "phone",
        "Mobil": "mobile", "Geburtsdatum": "birth_date", "Bemerkung": "remarks",
    },
    "propstack": {
        "old_crm_id": SOURCE_ID, "salutation": "salutation", "first_name": "first_name",
        "last_name": "last_name", "company": "company_name", "position": "position",
        "home_street": "street", "home_house_number": "house_number", "home_zip_code": "postal_code",
        "home_city": "city", "home_country": "country", "email": "email", "home_phone": "phone",
        "home_cell": "mobile", "description": "remarks", "newsletter": "marketing_consent",
    },
}  # fmt: skip
PRESET_LABELS = {"onoffice": "onOffice", "flowfact": "FLOWFACT", "propstack": "Propstack"}

# Further spellings seen in exports (Outlook, Excel lists, other CRMs), normalised (see `_norm`).
SYNONYMS: dict[str, tuple[str, ...]] = {
    SOURCE_ID: ("id", "nr", "kundennummer", "kundennr", "kontaktnr", "adressnr", "externalid"),
    "salutation": ("anrede", "salutation", "geschlecht"),
    "first_name": ("vorname", "firstname", "givenname"),
    "last_name": ("nachname", "name", "lastname", "familienname", "surname"),
    "company_name": ("firma", "unternehmen", "company", "companyname", "organisation"),
    "street": ("strasse", "straße", "street", "str"),
    "house_number": ("hausnummer", "hausnr", "nr", "housenumber"),
    "postal_code": ("plz", "postleitzahl", "zip", "zipcode", "postalcode"),
    "city": ("ort", "stadt", "city", "wohnort"),
    "country": ("land", "country"),
    "email": ("email", "mail", "emailadresse", "e-mail"),
    "phone": ("telefon", "tel", "phone", "telefonprivat", "festnetz"),
    "mobile": ("mobil", "handy", "mobile", "mobiltelefon", "cell"),
    "birth_date": ("geburtsdatum", "geburtstag", "birthday", "dob", "birthdate"),
    "remarks": ("bemerkung", "notiz", "notizen", "kommentar", "remarks", "notes", "description"),
    "marketing_consent": ("newsletter", "werbeeinwilligung", "einwilligung"),
}


def _norm(header: str) -> str:
    text = unicodedata.normalize("NFKC", header).strip().lower().replace("ß", "ss")
    return re.sub(r"[^a-z0-9]", "", text.replace("ä", "ae").replace("ö", "oe").replace("ü", "ue"))


def suggest(headers: list[str], preset: str = "", saved: dict[str, str] | None = None) -> dict[str, str]:
    """header → target key for every header we can place (a saved mapping first, then the
    preset, then synonyms); each target at most once; unknown headers stay unmapped."""
    out: dict[str, str] = {}
    sources = [saved or {}, PRESETS.get(preset, {})]
    by_norm = {_norm(k): v for k, v in (PRESETS.get(preset, {}) | (saved or {})).items()}
    for header in headers:
        for source in sources:
            if source.get(header) in TARGETS:
                out[header] = source[header]
                break
        else:
            if by_norm.get(_norm(header)) in TARGETS:
                out[header] = by_norm[_norm(header)]
    used = set(out.values())
    for header in headers:
        if header in out:
            continue
        for key, words in SYNONYMS.items():
            if key not in used and _norm(header) in {_norm(w) for w in words}:
                out[header] = key
                used.add(key)
                break
    return out


def check_mapping(columns: dict[str, str]) -> list[str]:
    """German problems with a mapping as a whole (a target chosen twice, nothing to name a person)."""
    problems = []
    chosen = [v for v in columns.values() if v]
    for key in sorted({v for v in chosen if chosen.count(v) > 1}):
        problems.append(_("“%s” is chosen for more than one column.") % TARGETS[key].label)
    if not {"first_name", "last_name", "company_name"} & set(chosen):
        problems.append(_("Choose a column for the last name, first name or company."))
    return problems


_SALUTATIONS = {"herr": "herr", "hr": "herr", "mr": "herr", "m": "herr", "frau": "frau", "fr": "frau",
                "mrs": "frau", "ms": "frau", "w": "frau", "f": "frau", "divers": "divers", "d": "divers",
                "": ""}  # fmt: skip


def _salutation(value: str) -> str:
    key = _norm(value)
    if key in _SALUTATIONS:
        return _SALUTATIONS[key]
    if key.startswith(("herr", "frau")):  # "Herr Dr.", "Frau und Herr": the first word
        return key[:4]
    raise ValueError(_("“%s” is no salutation (expected Herr, Frau or divers).") % value)


_CONVERT: dict[str, Callable[[str], Any]] = {
    "date": csvfile.parse_date,
    "bool": csvfile.parse_bool,
    "salutation": _salutation,
}


@dataclass
class RowResult:
    data: dict[str, Any]  # the flat shape of `contacts.intake.NewContact.from_data`
    source_id: str
    errors: list[tuple[str, str]]  # (column, German message)


def row_to_contact(headers: list[str], row: list[str], columns: dict[str, str]) -> RowResult:
    """One CSV row as contact data; values that cannot be read are errors of their column."""
    values: dict[str, Any] = {}
    errors: list[tuple[str, str]] = []
    for header, cell in zip(headers, row, strict=False):
        key = columns.get(header) or ""
        if not key or key not in TARGETS:
            continue
        text = cell.strip()
        convert = _CONVERT.get(TARGETS[key].kind)
        try:
            values[key] = convert(text) if convert else text
        except ValueError as exc:
            errors.append((header, str(exc)))
    source_id = str(values.pop(SOURCE_ID, "") or "")
    data: dict[str, Any] = {"source": "import"}
    emails = [v for k in ("email", "email2") if (v := values.pop(k, ""))]
    phone, mobile, tags = values.pop("phone", ""), values.pop("mobile", ""), values.pop("tags", "")
    if emails:
        data["emails"] = [{"value": e, "kind": ""} for e in emails]
    phones = [{"value": phone, "kind": "private"}] if phone else []
    phones += [{"value": mobile, "kind": "mobile"}] if mobile else []
    if phones:
        data["phones"] = phones
    if tags:
        data["tags"] = [t.strip() for t in re.split(r"[,;|]", tags) if t.strip()]
    if values.get("marketing_consent") is True:
        data["marketing_consent_source"] = _("Import from the old system")
    data.update({k: v for k, v in values.items() if v not in ("", None)})
    return RowResult(data=data, source_id=source_id, errors=errors)


def derived_key(data: dict[str, Any]) -> str:
    """A key for a row without an id: the hash of the normalised name, first e-mail and phone."""
    parts = [_norm(str(data.get(k, ""))) for k in ("first_name", "last_name", "company_name", "birth_date")]
    parts.append(str((data.get("emails") or [{}])[0].get("value", "")).strip().lower())
    parts.append(re.sub(r"\D", "", str((data.get("phones") or [{}])[0].get("value", ""))))
    return "hash:" + hashlib.sha256("|".join(parts).encode()).hexdigest()


def field_column(columns: dict[str, str], field: str) -> str:
    """The column a validation error of `field` belongs to (the contact's field names)."""
    lookup = {"emails": "email", "phones": "phone"}
    wanted = lookup.get(field.split(".")[0], field.split(".")[0])
    for header, key in columns.items():
        if key == wanted:
            return header
    return ""
