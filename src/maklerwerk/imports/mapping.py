"""Which CSV column is which contact field: the targets, the shipped starting profiles of the old
systems, suggestions from header synonyms, and turning one row into the contact intake's data.

The starting profiles use the column names of the systems' exports and public API field names:
onOffice (apidoc.onoffice.de, address fields as in enterprise's administration), FLOWFACT
(Performer's German export headers and the cloud's field names) and Propstack (its API's
Contact: `old_crm_id`, `home_*`, `newsletter`, ...). An office adjusts one and saves it under
its own name (`ImportMapping`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
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


def suggest(
    headers: list[str], preset: str = "", saved: dict[str, str] | None = None, kind: str = "contacts"
) -> dict[str, str]:
    """header → target key for every header we can place (a saved mapping first, then the
    preset, then synonyms); each target at most once; unknown headers stay unmapped."""
    targets, presets = targets_for(kind), KIND_PRESETS.get(kind, {})
    out: dict[str, str] = {}
    sources = [saved or {}, presets.get(preset, {})]
    by_norm = {_norm(k): v for k, v in (presets.get(preset, {}) | (saved or {})).items()}
    for header in headers:
        for source in sources:
            if source.get(header) in targets:
                out[header] = source[header]
                break
        else:
            if by_norm.get(_norm(header)) in targets:
                out[header] = by_norm[_norm(header)]
    used = set(out.values())
    for header in headers:
        if header in out:
            continue
        for key, words in KIND_SYNONYMS.get(kind, {}).items():
            if key not in used and _norm(header) in {_norm(w) for w in words}:
                out[header] = key
                used.add(key)
                break
    return out


def check_mapping(columns: dict[str, str], kind: str = "contacts") -> list[str]:
    """German problems with a mapping as a whole (a target chosen twice, a required field missing)."""
    problems = []
    targets = targets_for(kind)
    chosen = [v for v in columns.values() if v]
    for key in sorted({v for v in chosen if chosen.count(v) > 1}):
        problems.append(_("“%s” is chosen for more than one column.") % targets[key].label)
    if kind == "contacts" and not {"first_name", "last_name", "company_name"} & set(chosen):
        problems.append(_("Choose a column for the last name, first name or company."))
    if kind == "search_profiles" and "contact_ref" not in chosen:
        problems.append(_("Choose the column with the contact's ID in the old system."))
    if kind == "activities" and not {"contact_ref", "property_ref"} & set(chosen):
        problems.append(_("Choose the column with the contact's or the property's ID in the old system."))
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


# --- properties, search profiles and activities ---------------------------------------------------
# The same idea as for contacts: targets, shipped starting profiles of the old systems, synonyms.
# Fields with a list of values (Objektart, Vermarktungsart, status, type of activity) also get a
# *value map*: the old system's value → ours, suggested from VALUE_MAPS and saved with the mapping.

CONTACT_REF = "contact_ref"  # the contact's id in the old system (its contact import's ID column)
PROPERTY_REF = "property_ref"  # the property's id in the old system (or its Kennung)
USER_REF = "user_ref"  # the author/agent: user name, e-mail or full name of a user of the office

KINDS = ("contacts", "properties", "search_profiles", "activities")
KIND_LABELS = {
    "contacts": gettext_lazy("Contacts"),
    "properties": gettext_lazy("Properties"),
    "search_profiles": gettext_lazy("Search profiles"),
    "activities": gettext_lazy("Activities"),
}


def _object_kind_options() -> list[tuple[str, str]]:
    from maklerwerk.properties.choices import OBJECT_SUBTYPES, ObjectKind  # a lower app's value lists

    out = []
    for code, label in ObjectKind.choices:
        out.append((code, str(label)))
        out += [
            (f"{code}/{sub}", f"{label} ({sub_label})") for sub, sub_label in OBJECT_SUBTYPES.get(code, [])
        ]
    return out


def _kinds_only() -> list[tuple[str, str]]:
    from maklerwerk.properties.choices import ObjectKind  # a lower app's value lists

    return [(c, str(label)) for c, label in ObjectKind.choices]


def _marketing_options() -> list[tuple[str, str]]:
    from maklerwerk.properties.choices import MarketingType  # a lower app's value lists

    return [(c, str(label)) for c, label in MarketingType.choices]


def _usage_options() -> list[tuple[str, str]]:
    from maklerwerk.properties.choices import Usage  # a lower app's value lists

    return [(c, str(label)) for c, label in Usage.choices]


def _status_options() -> list[tuple[str, str]]:
    from maklerwerk.properties.models import Property  # its status list

    return [(c, str(label)) for c, label in Property.Status.choices]


def _activity_options() -> list[tuple[str, str]]:
    from maklerwerk.core.models import Activity  # its types

    wanted = (*Activity.MANUAL_TYPES, Activity.Type.EMAIL_SENT, Activity.Type.EMAIL_RECEIVED)
    return [(str(t.value), str(t.label)) for t in wanted]


@dataclass(frozen=True)
class ChoiceTarget(Target):
    options: Callable[[], list[tuple[str, str]]] = _kinds_only


PROPERTY_TARGETS: tuple[Target, ...] = (
    Target(SOURCE_ID, gettext_lazy("ID in the old system")),
    Target("external_id", gettext_lazy("External id (Kennung)")),
    Target("title", gettext_lazy("Title")),
    ChoiceTarget("object_kind", gettext_lazy("Object kind"), "choice", _object_kind_options),
    ChoiceTarget("marketing_type", gettext_lazy("Marketing type"), "choice", _marketing_options),
    ChoiceTarget("usage", gettext_lazy("Usage"), "choice", _usage_options),
    ChoiceTarget("status", gettext_lazy("Status"), "choice", _status_options),
    Target("street", gettext_lazy("Street")),
    Target("house_number", gettext_lazy("House number")),
    Target("postal_code", gettext_lazy("Postal code")),
    Target("city", gettext_lazy("City")),
    Target("district", gettext_lazy("District")),
    Target("purchase_price", gettext_lazy("Purchase price"), "number"),
    Target("cold_rent", gettext_lazy("Cold rent"), "number"),
    Target("warm_rent", gettext_lazy("Warm rent"), "number"),
    Target("service_charges", gettext_lazy("Service charges"), "number"),
    Target("hausgeld", gettext_lazy("Hausgeld"), "number"),
    Target("deposit", gettext_lazy("Deposit"), "number"),
    Target("buyer_commission_text", gettext_lazy("Buyer's commission")),
    Target("living_area", gettext_lazy("Living area (m²)"), "number"),
    Target("usable_area", gettext_lazy("Usable area (m²)"), "number"),
    Target("plot_area", gettext_lazy("Plot area (m²)"), "number"),
    Target("rooms", gettext_lazy("Rooms"), "number"),
    Target("bedrooms", gettext_lazy("Bedrooms"), "int"),
    Target("bathrooms", gettext_lazy("Bathrooms"), "int"),
    Target("floor", gettext_lazy("Floor"), "int"),
    Target("year_built", gettext_lazy("Year built"), "int"),
    Target("description", gettext_lazy("Description")),
    Target("location_text", gettext_lazy("Location")),
    Target("features_text", gettext_lazy("Features description")),
    Target("other_text", gettext_lazy("Other information")),
    Target(CONTACT_REF, gettext_lazy("Owner: contact ID in the old system"), "ref"),
    Target(USER_REF, gettext_lazy("Responsible agent (user name, e-mail or name)"), "user"),
)

PROFILE_TARGETS: tuple[Target, ...] = (
    Target(SOURCE_ID, gettext_lazy("ID in the old system")),
    Target(CONTACT_REF, gettext_lazy("Contact ID in the old system"), "ref"),
    Target("name", gettext_lazy("Name")),
    ChoiceTarget("marketing_type", gettext_lazy("Marketing type"), "choice", _marketing_options),
    ChoiceTarget(
        "object_kinds", gettext_lazy("Object kinds (several, comma-separated)"), "choices", _kinds_only
    ),
    Target("price_min", gettext_lazy("Price from"), "number"),
    Target("price_max", gettext_lazy("Price up to"), "number"),
    Target("living_area_min", gettext_lazy("Living area from (m²)"), "number"),
    Target("living_area_max", gettext_lazy("Living area up to (m²)"), "number"),
    Target("rooms_min", gettext_lazy("Rooms from"), "number"),
    Target("rooms_max", gettext_lazy("Rooms up to"), "number"),
    Target("plot_area_min", gettext_lazy("Plot area from (m²)"), "number"),
    Target("postal_codes", gettext_lazy("Postal codes (comma-separated)"), "list"),
    Target("cities", gettext_lazy("Cities or districts (comma-separated)"), "list"),
    Target("notes", gettext_lazy("Notes")),
    Target("active", gettext_lazy("Active (yes/no)"), "bool"),
)

ACTIVITY_TARGETS: tuple[Target, ...] = (
    Target(SOURCE_ID, gettext_lazy("ID in the old system")),
    Target(CONTACT_REF, gettext_lazy("Contact ID in the old system"), "ref"),
    Target(PROPERTY_REF, gettext_lazy("Property ID in the old system or Kennung"), "ref"),
    ChoiceTarget("type", gettext_lazy("Type"), "choice", _activity_options),
    Target("occurred_at", gettext_lazy("Date (and time)"), "datetime"),
    Target("subject", gettext_lazy("Subject")),
    Target("body", gettext_lazy("Text")),
    Target(USER_REF, gettext_lazy("Author (user name, e-mail or name)"), "user"),
)

KIND_TARGETS: dict[str, tuple[Target, ...]] = {
    "contacts": CONTACT_TARGETS,
    "properties": PROPERTY_TARGETS,
    "search_profiles": PROFILE_TARGETS,
    "activities": ACTIVITY_TARGETS,
}


def targets_for(kind: str) -> dict[str, Target]:
    """The targets of a kind of record by key (contacts when the kind is unknown)."""
    return {t.key: t for t in KIND_TARGETS.get(kind, CONTACT_TARGETS)}


# Starting profiles: onOffice (estate fields of its API and the German labels of its CSV export),
# FLOWFACT (Performer's German export headers) and Propstack (its API's unit and activity fields).
KIND_PRESETS: dict[str, dict[str, dict[str, str]]] = {
    "contacts": PRESETS,
    "properties": {
        "onoffice": {
            "Datensatznr": SOURCE_ID, "objektnr_extern": "external_id", "ImmoNr": "external_id",
            "objekttitel": "title", "objektart": "object_kind", "vermarktungsart": "marketing_type",
            "nutzungsart": "usage", "status2": "status", "Status": "status", "strasse": "street",
            "hausnummer": "house_number", "plz": "postal_code", "ort": "city",
            "regionaler_zusatz": "district",
            "kaufpreis": "purchase_price", "kaltmiete": "cold_rent", "warmmiete": "warm_rent",
            "nebenkosten": "service_charges", "hausgeld": "hausgeld", "kaution": "deposit",
            "aussen_courtage": "buyer_commission_text", "wohnflaeche": "living_area",
            "nutzflaeche": "usable_area", "grundstuecksflaeche": "plot_area", "anzahl_zimmer": "rooms",
            "anzahl_schlafzimmer": "bedrooms", "anzahl_badezimmer": "bathrooms", "etage": "floor",
            "baujahr": "year_built", "objektbeschreibung": "description", "lage": "location_text",
            "ausstatt_beschr": "features_text", "sonstige_angaben": "other_text",
            "Eigentümer": CONTACT_REF, "benutzer": USER_REF,
        },
        "flowfact": {
            "Objekt-Nr.": SOURCE_ID, "Kennung": "external_id", "Überschrift": "title",
            "Objektart": "object_kind",
            "Vermarktungsart": "marketing_type", "Nutzungsart": "usage", "Status": "status",
            "Straße": "street", "Hausnummer": "house_number", "PLZ": "postal_code", "Ort": "city",
            "Ortsteil": "district", "Kaufpreis": "purchase_price", "Kaltmiete": "cold_rent",
            "Warmmiete": "warm_rent", "Nebenkosten": "service_charges", "Hausgeld": "hausgeld",
            "Kaution": "deposit", "Käuferprovision": "buyer_commission_text",
            "Wohnfläche": "living_area", "Nutzfläche": "usable_area", "Grundstücksfläche": "plot_area",
            "Zimmer": "rooms", "Schlafzimmer": "bedrooms", "Badezimmer": "bathrooms", "Etage": "floor",
            "Baujahr": "year_built", "Beschreibung": "description", "Lage": "location_text",
            "Ausstattung": "features_text", "Sonstiges": "other_text", "Eigentümer-Nr.": CONTACT_REF,
            "Betreuer": USER_REF,
        },
        "propstack": {
            "id": SOURCE_ID, "unit_id": "external_id", "title": "title", "rs_type": "object_kind",
            "marketing_type": "marketing_type", "status": "status", "street": "street",
            "house_number": "house_number", "zip_code": "postal_code", "city": "city",
            "district": "district", "price": "purchase_price", "base_rent": "cold_rent",
            "total_rent": "warm_rent", "service_charge": "service_charges", "rent_subsidy": "hausgeld",
            "deposit": "deposit", "courtage": "buyer_commission_text", "living_space": "living_area",
            "usable_floor_space": "usable_area", "plot_area": "plot_area", "number_of_rooms": "rooms",
            "number_of_bed_rooms": "bedrooms", "number_of_bath_rooms": "bathrooms", "floor": "floor",
            "construction_year": "year_built", "description_note": "description",
            "location_note": "location_text", "furnishing_note": "features_text", "other_note": "other_text",
            "owner_id": CONTACT_REF, "broker": USER_REF,
        },
    },
    "search_profiles": {
        "onoffice": {
            "Suchkriterien-ID": SOURCE_ID, "KdNr": CONTACT_REF, "vermarktungsart": "marketing_type",
            "objektart": "object_kinds", "kaufpreis__von": "price_min", "kaufpreis__bis": "price_max",
            "wohnflaeche__von": "living_area_min", "wohnflaeche__bis": "living_area_max",
            "anzahl_zimmer__von": "rooms_min", "anzahl_zimmer__bis": "rooms_max", "plz": "postal_codes",
            "ort": "cities", "bemerkung": "notes", "aktiv": "active",
        },
        "flowfact": {
            "Suchprofil-Nr.": SOURCE_ID, "Kontakt-Nr.": CONTACT_REF, "Bezeichnung": "name",
            "Vermarktungsart": "marketing_type", "Objektart": "object_kinds", "Preis von": "price_min",
            "Preis bis": "price_max", "Wohnfläche von": "living_area_min",
            "Wohnfläche bis": "living_area_max",
            "Zimmer von": "rooms_min", "Zimmer bis": "rooms_max", "PLZ": "postal_codes", "Orte": "cities",
            "Bemerkung": "notes", "Aktiv": "active",
        },
        "propstack": {
            "id": SOURCE_ID, "client_id": CONTACT_REF, "title": "name", "marketing_type": "marketing_type",
            "rs_types": "object_kinds", "price": "price_min", "price_to": "price_max",
            "living_space": "living_area_min", "living_space_to": "living_area_max",
            "number_of_rooms": "rooms_min", "number_of_rooms_to": "rooms_max", "zip_codes": "postal_codes",
            "cities": "cities", "note": "notes", "active": "active",
        },
    },
    "activities": {
        "onoffice": {
            "Aktions-ID": SOURCE_ID, "KdNr": CONTACT_REF, "Datensatznr": PROPERTY_REF, "Aktionsart": "type",
            "Datum": "occurred_at", "Betreff": "subject", "Bemerkung": "body", "Benutzer": USER_REF,
        },
        "flowfact": {
            "Aktivitäts-Nr.": SOURCE_ID, "Kontakt-Nr.": CONTACT_REF, "Objekt-Nr.": PROPERTY_REF,
            "Aktivitätsart": "type", "Datum": "occurred_at", "Betreff": "subject", "Text": "body",
            "Bearbeiter": USER_REF,
        },
        "propstack": {
            "id": SOURCE_ID, "client_id": CONTACT_REF, "property_id": PROPERTY_REF, "note_type": "type",
            "created_at": "occurred_at", "title": "subject", "body": "body", "broker": USER_REF,
        },
    },
}  # fmt: skip

KIND_SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "contacts": SYNONYMS,
    "properties": {
        SOURCE_ID: ("id", "objektnr", "objektnummer", "datensatznummer", "objektid"),
        "external_id": ("kennung", "objektnrextern", "externeobjektnr"),
        "title": ("titel", "ueberschrift", "objekttitel", "title"),
        "object_kind": ("objektart", "objekttyp", "immobilienart", "type"),
        "marketing_type": ("vermarktungsart", "vermarktung", "angebotsart"),
        "status": ("status", "objektstatus"),
        "street": ("strasse", "street"),
        "house_number": ("hausnummer", "hausnr"),
        "postal_code": ("plz", "postleitzahl", "zip"),
        "city": ("ort", "stadt", "city"),
        "purchase_price": ("kaufpreis", "preis"),
        "cold_rent": ("kaltmiete", "nettokaltmiete", "miete"),
        "living_area": ("wohnflaeche", "wohnflaecheqm", "flaeche"),
        "plot_area": ("grundstuecksflaeche", "grundstueck"),
        "rooms": ("zimmer", "anzahlzimmer", "zimmeranzahl"),
        "year_built": ("baujahr",),
        "description": ("beschreibung", "objektbeschreibung"),
        CONTACT_REF: ("eigentuemer", "eigentuemernr", "eigentuemerid", "verkaeufer"),
        USER_REF: ("betreuer", "makler", "sachbearbeiter", "benutzer"),
    },
    "search_profiles": {
        SOURCE_ID: ("id", "suchprofilnr", "suchprofilid", "suchauftragnr"),
        CONTACT_REF: ("kontaktnr", "kundennr", "kdnr", "kontaktid", "adressnr"),
        "marketing_type": ("vermarktungsart",),
        "object_kinds": ("objektart", "objektarten"),
        "price_min": ("preisvon", "kaufpreisvon", "mietevon"),
        "price_max": ("preisbis", "kaufpreisbis", "mietebis"),
        "postal_codes": ("plz", "postleitzahlen"),
        "cities": ("ort", "orte", "regionen"),
        "notes": ("bemerkung", "notiz"),
        "active": ("aktiv",),
    },
    "activities": {
        SOURCE_ID: ("id", "aktivitaetsnr", "aktionsid", "aktivitaetid"),
        CONTACT_REF: ("kontaktnr", "kundennr", "kdnr", "kontaktid", "adressnr"),
        PROPERTY_REF: ("objektnr", "objektid", "kennung", "datensatznr"),
        "type": ("art", "typ", "aktivitaetsart", "aktionsart", "type"),
        "occurred_at": ("datum", "zeitpunkt", "date", "erstelltam"),
        "subject": ("betreff", "titel", "subject"),
        "body": ("text", "bemerkung", "notiz", "inhalt", "body"),
        USER_REF: ("bearbeiter", "benutzer", "mitarbeiter", "autor", "user"),
    },
}

# Old systems' values (normalised with `_norm`) → ours. onOffice writes OpenImmo-like codes
# ("wohnung", "kauf"), FLOWFACT German words ("Etagenwohnung", "Verkauf"), Propstack the
# ImmoScout24 types in capitals ("APARTMENT", "BUY").
VALUE_MAPS: dict[str, dict[str, str]] = {
    "object_kind": {
        "etw": "wohnung/ETAGE", "wohnung": "wohnung", "eigentumswohnung": "wohnung/ETAGE",
        "etagenwohnung": "wohnung/ETAGE", "apartment": "wohnung", "mietwohnung": "wohnung",
        "dachgeschosswohnung": "wohnung/DACHGESCHOSS", "dgwohnung": "wohnung/DACHGESCHOSS",
        "erdgeschosswohnung": "wohnung/ERDGESCHOSS", "maisonette": "wohnung/MAISONETTE",
        "penthouse": "wohnung/PENTHOUSE", "loft": "wohnung/LOFT-STUDIO-ATELIER",
        "haus": "haus", "house": "haus", "efh": "haus/EINFAMILIENHAUS",
        "einfamilienhaus": "haus/EINFAMILIENHAUS",
        "zfh": "haus/ZWEIFAMILIENHAUS", "zweifamilienhaus": "haus/ZWEIFAMILIENHAUS",
        "dhh": "haus/DOPPELHAUSHAELFTE", "doppelhaushaelfte": "haus/DOPPELHAUSHAELFTE",
        "rh": "haus/REIHENHAUS", "reihenhaus": "haus/REIHENHAUS", "rmh": "haus/REIHENMITTEL",
        "reihenmittelhaus": "haus/REIHENMITTEL", "reihenendhaus": "haus/REIHENEND", "villa": "haus/VILLA",
        "bungalow": "haus/BUNGALOW", "mfh": "zinshaus_renditeobjekt/MEHRFAMILIENHAUS",
        "mehrfamilienhaus": "zinshaus_renditeobjekt/MEHRFAMILIENHAUS",
        "wohnundgeschaeftshaus": "zinshaus_renditeobjekt/WOHN_UND_GESCHAEFTSHAUS",
        "zinshaus": "zinshaus_renditeobjekt", "renditeobjekt": "zinshaus_renditeobjekt",
        "investment": "zinshaus_renditeobjekt", "zinshausrenditeobjekt": "zinshaus_renditeobjekt",
        "grundstueck": "grundstueck", "grundstuck": "grundstueck", "baugrundstueck": "grundstueck/WOHNEN",
        "tradesite": "grundstueck/GEWERBE", "livingsite": "grundstueck/WOHNEN",
        "buero": "buero_praxen", "bueropraxen": "buero_praxen", "office": "buero_praxen",
        "praxis": "buero_praxen/PRAXISFLAECHE", "bueroflaeche": "buero_praxen/BUEROFLAECHE",
        "laden": "einzelhandel/LADENLOKAL", "ladenlokal": "einzelhandel/LADENLOKAL",
        "einzelhandel": "einzelhandel", "store": "einzelhandel", "gastronomie": "gastgewerbe",
        "gastgewerbe": "gastgewerbe", "gastronomy": "gastgewerbe", "hotel": "gastgewerbe/HOTELS",
        "halle": "hallen_lager_prod/HALLE", "lager": "hallen_lager_prod/LAGER",
        "hallenlagerprod": "hallen_lager_prod", "industry": "hallen_lager_prod",
        "garage": "parken/EINZELGARAGE", "stellplatz": "parken/STELLPLATZ", "tiefgarage": "parken/TIEFGARAGE",
        "parken": "parken", "zimmer": "zimmer", "wg": "zimmer", "sharedflat": "zimmer",
        "landundforstwirtschaft": "land_und_forstwirtschaft", "sonstige": "sonstige",
        "specialpurpose": "sonstige", "freizeitimmobiliegewerblich": "freizeitimmobilie_gewerblich",
    },
    "marketing_type": {
        "kauf": "kauf", "verkauf": "kauf", "buy": "kauf", "k": "kauf", "miete": "miete_pacht",
        "vermietung": "miete_pacht", "rent": "miete_pacht", "m": "miete_pacht", "pacht": "miete_pacht",
        "mietepacht": "miete_pacht", "erbpacht": "erbpacht", "leasing": "leasing",
    },
    "usage": {
        "wohnen": "wohnen", "wohnung": "wohnen", "privat": "wohnen", "living": "wohnen",
        "gewerbe": "gewerbe", "commercial": "gewerbe", "anlage": "anlage", "investment": "anlage",
        "waz": "waz", "wohnenaufzeit": "waz",
    },
    "status": {
        "aktiv": "active", "active": "active", "invermarktung": "active", "vermarktung": "active",
        "angebot": "active", "online": "active", "akquise": "preparation", "invorbereitung": "preparation",
        "vorbereitung": "preparation", "preparation": "preparation", "inaktiv": "withdrawn",
        "inactive": "withdrawn", "entwurf": "preparation", "draft": "preparation",
        "reserviert": "reserved", "reserved": "reserved", "verkauft": "closed", "vermietet": "closed",
        "sold": "closed", "rented": "closed", "abgeschlossen": "closed", "referenz": "closed",
        "zurueckgezogen": "withdrawn", "withdrawn": "withdrawn", "archiviert": "withdrawn",
        "archived": "withdrawn", "storniert": "withdrawn",
    },
    "type": {
        "telefonat": "call", "anruf": "call", "telefon": "call", "call": "call", "phonecall": "call",
        "notiz": "note", "note": "note", "bemerkung": "note", "sonstiges": "note", "info": "note",
        "besichtigung": "viewing", "viewing": "viewing", "termin": "meeting", "meeting": "meeting",
        "gespraech": "meeting", "brief": "letter", "letter": "letter", "post": "letter",
        "email": "email_sent", "emailausgang": "email_sent", "emailgesendet": "email_sent",
        "emaileingang": "email_received", "emailerhalten": "email_received",
    },
}  # fmt: skip
VALUE_MAPS["object_kinds"] = {k: v.split("/")[0] for k, v in VALUE_MAPS["object_kind"].items()}


def value_options(target: Target) -> list[tuple[str, str]]:
    """(our value, German label) of a choice target; empty for other targets."""
    return target.options() if isinstance(target, ChoiceTarget) else []


def value_suggest(target: Target, value: str, saved: dict[str, str] | None = None) -> str:
    """Our value for the old system's `value` (a saved map first, then VALUE_MAPS, then our own codes
    and labels); "" when nothing fits."""
    options = value_options(target)
    codes = {code for code, _label in options}
    saved = saved or {}
    if saved.get(value) in codes:
        return saved[value]
    key = _norm(value)
    by_norm = {_norm(k): v for k, v in saved.items() if v in codes}
    if key in by_norm:
        return by_norm[key]
    default = VALUE_MAPS.get(target.key, {}).get(key, "")
    if default in codes:
        return default
    for code, label in options:
        if key in (_norm(code), _norm(label)):
            return code
    return ""


def _split(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"[,;|]", text) if p.strip()]


def _choice(target: Target, text: str, saved: dict[str, str]) -> str:
    value = value_suggest(target, text, saved)
    if not value:
        raise ValueError(
            _("“%(value)s” is no known value for “%(field)s”; choose it in the value mapping.")
            % {"value": text, "field": target.label}
        )
    return value


def _datetime(text: str) -> object:
    """`31.12.2024 14:30`, `2024-12-31T14:30:00` or a date alone (noon, so no time zone moves the day)."""
    day = csvfile.parse_date(text)
    if day is None:
        return None
    found = re.search(r"(\d{1,2}):(\d{2})(?::(\d{2}))?", text.strip()[8:])
    hour, minute, second = (int(found[1]), int(found[2]), int(found[3] or 0)) if found else (12, 0, 0)
    if hour > 23 or minute > 59 or second > 59:
        raise ValueError(_("“%s” is no valid time of day.") % text)
    zone = timezone.get_current_timezone()
    return dt.datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=zone)


def _int(text: str) -> int | None:
    number = csvfile.parse_number(text)
    if number is None:
        return None
    if number != number.to_integral_value() or abs(number) > 32767:
        raise ValueError(_("“%s” is not a whole number.") % text)
    return int(number)


@dataclass
class Row:
    data: dict[str, Any]  # target key → converted value (refs still as the old system's ids)
    source_id: str
    errors: list[tuple[str, str]]  # (column, German message)


def row_values(
    headers: list[str], row: list[str], columns: dict[str, str], kind: str, values: dict[str, dict[str, str]]
) -> Row:
    """One CSV row of properties, search profiles or activities: each mapped cell converted (a choice
    through the value map); a cell that cannot be read is an error of its column."""
    targets = targets_for(kind)
    data: dict[str, Any] = {}
    errors: list[tuple[str, str]] = []
    for header, cell in zip(headers, row, strict=False):
        target = targets.get(columns.get(header) or "")
        text = cell.strip()
        if target is None or not text:
            continue
        try:
            if target.kind == "choice":
                data[target.key] = _choice(target, text, values.get(target.key, {}))
            elif target.kind == "choices":
                chosen = [_choice(target, part, values.get(target.key, {})) for part in _split(text)]
                data[target.key] = list(dict.fromkeys(chosen))
            elif target.kind == "list":
                data[target.key] = _split(text)
            elif target.kind == "number":
                data[target.key] = csvfile.parse_number(text)
            elif target.kind == "int":
                data[target.key] = _int(text)
            elif target.kind == "bool":
                data[target.key] = csvfile.parse_bool(text)
            elif target.kind == "datetime":
                data[target.key] = _datetime(text)
            else:
                data[target.key] = text
        except ValueError as exc:
            errors.append((header, str(exc)))
    source_id = str(data.pop(SOURCE_ID, "") or "")
    return Row(data=data, source_id=source_id, errors=errors)


def value_columns(kind: str, columns: dict[str, str]) -> list[tuple[str, Target]]:
    """(header, target) of the mapped columns whose values need a value map."""
    targets = targets_for(kind)
    return [
        (h, targets[k])
        for h, k in columns.items()
        if k in targets and targets[k].kind in ("choice", "choices")
    ]


def distinct_values(
    headers: list[str], rows: list[list[str]], header: str, multi: bool, limit: int = 100
) -> list[str]:
    """The different values of one column (in order of appearance; at most `limit`)."""
    i = headers.index(header)
    seen: dict[str, None] = {}
    for row in rows:
        text = row[i].strip() if i < len(row) else ""
        for part in _split(text) if multi else [text]:
            if part and part not in seen:
                seen[part] = None
                if len(seen) >= limit:
                    return list(seen)
    return list(seen)
