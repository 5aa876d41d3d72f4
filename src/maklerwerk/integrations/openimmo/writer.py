"""OpenImmo 1.2.7c writer: plain values in, one UTF-8 XML document out, in schema order.

Written by hand with lxml (the OpenImmo licence forbids shipping the XSD or bindings generated from
it). Every `xsd:sequence` of the schema fixes the element order, so each `_xxx` function below
writes its elements in that order. `write_document` streams with `lxml.etree.xmlfile`: one
`immobilie` at a time is built and written, so memory stays flat for any number of listings.

Rules kept here (see the field notes): `objektadresse_freigeben` is always written (missing means
"publish the address"); a DELETE record still carries `objektkategorie`, `geo` and
`kontaktperson`, which the schema requires; `check` only with `ctype="DATETIME"` (MD5 fails the
schema); attachments are `location="EXTERN"` with a file name relative to the XML (flat in the ZIP).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO

from lxml import etree

from maklerwerk.integrations.openimmo import mapping


@dataclass(frozen=True)
class Contact:
    """kontaktperson: at least one e-mail or phone, and a name."""

    last_name: str
    first_name: str = ""
    company: str = ""
    email_central: str = ""
    email_direct: str = ""
    phone_central: str = ""
    phone_mobile: str = ""


@dataclass(frozen=True)
class EnergyCertificate:
    """zustand_angaben/energiepass. `jahrgang` is 2008/2014 or says why there is no certificate."""

    jahrgang: str
    kind: str = ""  # BEDARF | VERBRAUCH
    valid_until: dt.date | None = None
    value: Decimal | None = None
    with_hot_water: bool | None = None
    carrier: str = ""  # primaerenergietraeger, a befeuerung value
    power_value: Decimal | None = None  # stromwert (non-residential)
    heat_value: Decimal | None = None  # waermewert (non-residential)
    energy_class: str = ""
    building_year: int | None = None
    issued_on: dt.date | None = None
    building_type: str = ""  # wohn | nichtwohn


@dataclass(frozen=True)
class Attachment:
    """anhang location="EXTERN": `path` is the file's name in the package (flat, ASCII);
    location="REMOTE": `path` is a URL (a virtual tour in gruppe LINKS)."""

    path: str
    mime: str
    group: str
    title: str = ""
    modified: dt.datetime | None = None
    location: str = "EXTERN"


@dataclass(frozen=True)
class Listing:
    """One `immobilie`, in OpenImmo vocabulary (upper-case enumeration values)."""

    action: str  # mapping.ACTIONS
    external_id: str
    internal_id: str
    usage: str
    marketing_type: str
    object_kind: str
    contact: Contact
    updated_on: dt.date
    object_subtype: str = ""
    postal_code: str = ""
    city: str = ""
    street: str = ""
    house_number: str = ""
    district: str = ""
    country: str = "DEU"
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    floor: int | None = None
    floors_total: int | None = None
    purchase_price: Decimal | None = None
    cold_rent: Decimal | None = None
    warm_rent: Decimal | None = None
    service_charges: Decimal | None = None
    hausgeld: Decimal | None = None
    deposit: Decimal | None = None
    commission_required: bool | None = None
    buyer_commission: str = ""
    living_area: Decimal | None = None
    usable_area: Decimal | None = None
    plot_area: Decimal | None = None
    rooms: Decimal | None = None
    bedrooms: int | None = None
    bathrooms: int | None = None
    parking_spaces: int | None = None
    heating_type: str = ""
    carrier: str = ""
    year_built: int | None = None
    condition: str = ""
    energy: EnergyCertificate | None = None
    title: str = ""
    description: str = ""
    location_text: str = ""
    features_text: str = ""
    other_text: str = ""
    attachments: tuple[Attachment, ...] = field(default_factory=tuple)
    virtual_tour: bool = False  # geo/virtuelletour
    show_address: bool = False
    available_from: str = ""


@dataclass(frozen=True)
class Transfer:
    """uebertragung + the anbieter's own elements."""

    full: bool
    provider_number: str
    company: str
    openimmo_anid: str
    sender_version: str
    timestamp: dt.datetime
    techn_email: str = ""


def _num(value: Decimal | int | float) -> str:
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return text
    return str(value)


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _sub(parent: etree._Element, tag: str, text: object = None, **attrs: str) -> etree._Element:
    el = etree.SubElement(parent, tag, attrs)
    if text is not None:
        el.text = (
            _num(text)
            if isinstance(text, Decimal | int | float) and not isinstance(text, bool)
            else str(text)
        )
    return el


def _opt(parent: etree._Element, tag: str, value: object) -> None:
    """Write `tag` only when the value is set (None or "" is left out)."""
    if value is None or value == "":
        return
    _sub(parent, tag, _bool(value) if isinstance(value, bool) else value)


def _objektkategorie(imm: etree._Element, item: Listing) -> None:
    cat = _sub(imm, "objektkategorie")
    _sub(cat, "nutzungsart", **{u: _bool(u == item.usage) for u in mapping.USAGES})
    _sub(cat, "vermarktungsart", **{m: _bool(m == item.marketing_type) for m in mapping.MARKETING_TYPES})
    kind = _sub(cat, "objektart")
    attr = mapping.SUBTYPE_ATTRIBUTE.get(item.object_kind)
    sub = {attr: item.object_subtype} if attr and item.object_subtype else {}
    _sub(kind, item.object_kind, **sub)


def _geo(imm: etree._Element, item: Listing) -> None:
    geo = _sub(imm, "geo")
    _sub(geo, "plz", item.postal_code)
    _opt(geo, "ort", item.city)
    if item.latitude is not None and item.longitude is not None:
        _sub(geo, "geokoordinaten", breitengrad=_num(item.latitude), laengengrad=_num(item.longitude))
    _opt(geo, "strasse", item.street)
    _opt(geo, "hausnummer", item.house_number)
    _sub(geo, "land", iso_land=item.country or "DEU")
    _opt(geo, "etage", item.floor)
    _opt(geo, "anzahl_etagen", item.floors_total)
    _opt(geo, "regionaler_zusatz", item.district)
    if item.virtual_tour:
        _sub(geo, "virtuelletour", "true")


def _kontaktperson(imm: etree._Element, contact: Contact) -> None:
    person = _sub(imm, "kontaktperson")
    _opt(person, "email_zentrale", contact.email_central)
    _opt(person, "email_direkt", contact.email_direct)
    _opt(person, "tel_zentrale", contact.phone_central)
    _opt(person, "tel_handy", contact.phone_mobile)
    _sub(person, "name", contact.last_name)
    _opt(person, "vorname", contact.first_name)
    _opt(person, "firma", contact.company)


def _preise(imm: etree._Element, item: Listing) -> None:
    prices = _sub(imm, "preise")
    _opt(prices, "kaufpreis", item.purchase_price)
    _opt(prices, "kaltmiete", item.cold_rent)
    _opt(prices, "warmmiete", item.warm_rent)
    _opt(prices, "nebenkosten", item.service_charges)
    _opt(prices, "hausgeld", item.hausgeld)
    _opt(prices, "provisionspflichtig", item.commission_required)
    if item.buyer_commission:
        _sub(prices, "aussen_courtage", item.buyer_commission, mit_mwst="true")
    _sub(prices, "waehrung", iso_waehrung="EUR")
    _opt(prices, "kaution", item.deposit)


def _flaechen(imm: etree._Element, item: Listing) -> None:
    areas = _sub(imm, "flaechen")
    _opt(areas, "wohnflaeche", item.living_area)
    _opt(areas, "nutzflaeche", item.usable_area)
    _opt(areas, "grundstuecksflaeche", item.plot_area)
    _opt(areas, "anzahl_zimmer", item.rooms)
    _opt(areas, "anzahl_schlafzimmer", item.bedrooms)
    _opt(areas, "anzahl_badezimmer", item.bathrooms)
    _opt(areas, "anzahl_stellplaetze", item.parking_spaces)


def _ausstattung(imm: etree._Element, item: Listing) -> None:
    if not (item.heating_type or item.carrier):
        return
    equipment = _sub(imm, "ausstattung")
    if item.heating_type:
        _sub(equipment, "heizungsart", **{item.heating_type: "true"})
    if item.carrier:
        _sub(equipment, "befeuerung", **{item.carrier: "true"})


def _energiepass(parent: etree._Element, energy: EnergyCertificate) -> None:
    epass = _sub(parent, "energiepass")
    _opt(epass, "epart", energy.kind)
    _opt(epass, "gueltig_bis", energy.valid_until.isoformat() if energy.valid_until else "")
    if energy.kind == "VERBRAUCH":
        _opt(epass, "energieverbrauchkennwert", energy.value)
        _opt(epass, "mitwarmwasser", energy.with_hot_water)
    elif energy.kind == "BEDARF":
        _opt(epass, "endenergiebedarf", energy.value)
    _opt(epass, "primaerenergietraeger", energy.carrier)
    _opt(epass, "stromwert", energy.power_value)
    _opt(epass, "waermewert", energy.heat_value)
    _opt(epass, "wertklasse", energy.energy_class)
    _opt(epass, "baujahr", energy.building_year)
    _opt(epass, "ausstelldatum", energy.issued_on.isoformat() if energy.issued_on else "")
    _sub(epass, "jahrgang", energy.jahrgang)
    _opt(epass, "gebaeudeart", energy.building_type)


def _zustand(imm: etree._Element, item: Listing) -> None:
    if item.year_built is None and not item.condition and item.energy is None:
        return
    state = _sub(imm, "zustand_angaben")
    _opt(state, "baujahr", item.year_built)
    if item.condition:
        _sub(state, "zustand", zustand_art=item.condition)
    if item.energy is not None:
        _energiepass(state, item.energy)


def _freitexte(imm: etree._Element, item: Listing) -> None:
    texts = _sub(imm, "freitexte")
    _opt(texts, "objekttitel", item.title)
    _opt(texts, "lage", item.location_text)
    _opt(texts, "ausstatt_beschr", item.features_text)
    _opt(texts, "objektbeschreibung", item.description)
    _opt(texts, "sonstige_angaben", item.other_text)


def _anhaenge(imm: etree._Element, attachments: Iterable[Attachment]) -> None:
    files = list(attachments)
    if not files:
        return
    box = _sub(imm, "anhaenge")
    for a in files:
        anhang = _sub(box, "anhang", location=a.location, gruppe=a.group)
        _opt(anhang, "anhangtitel", a.title)
        _sub(anhang, "format", a.mime)
        if a.modified is not None:
            _sub(anhang, "check", a.modified.replace(microsecond=0).isoformat(), ctype="DATETIME")
        _sub(_sub(anhang, "daten"), "pfad", a.path)


def _verwaltung(imm: etree._Element, item: Listing) -> None:
    admin = _sub(imm, "verwaltung_objekt")
    _sub(admin, "objektadresse_freigeben", _bool(item.show_address))
    _opt(admin, "verfuegbar_ab", item.available_from)
    techn = _sub(imm, "verwaltung_techn")
    _opt(techn, "objektnr_intern", item.internal_id)
    _sub(techn, "objektnr_extern", item.external_id)
    action = _sub(techn, "aktion")
    if item.action != mapping.ACTION_NEW:
        action.set("aktionart", item.action)
    _sub(techn, "openimmo_obid", item.external_id)
    _sub(techn, "stand_vom", item.updated_on.isoformat())


def immobilie(item: Listing) -> etree._Element:
    """One `immobilie` element. A DELETE keeps only what the schema requires."""
    imm = etree.Element("immobilie")
    _objektkategorie(imm, item)
    _geo(imm, item)
    _kontaktperson(imm, item.contact)
    if item.action != mapping.ACTION_DELETE:
        _preise(imm, item)
        _flaechen(imm, item)
        _ausstattung(imm, item)
        _zustand(imm, item)
        _freitexte(imm, item)
        _anhaenge(imm, item.attachments)
    _verwaltung(imm, item)
    return imm


def _uebertragung_attrs(transfer: Transfer) -> dict[str, str]:
    attrs = {
        "art": "ONLINE",
        "umfang": "VOLL" if transfer.full else "TEIL",
        "modus": "NEW" if transfer.full else "CHANGE",
        "version": mapping.VERSION,
        "sendersoftware": mapping.SENDER_SOFTWARE,
        "senderversion": transfer.sender_version,
    }
    if transfer.techn_email:
        attrs["techn_email"] = transfer.techn_email
    attrs["timestamp"] = transfer.timestamp.replace(microsecond=0, tzinfo=None).isoformat()
    return attrs


def write_document(out: IO[bytes], transfer: Transfer, listings: Iterable[Listing]) -> int:
    """Stream the document to `out`; returns the number of `immobilie` written."""
    count = 0
    with etree.xmlfile(out, encoding="UTF-8") as xf:
        xf.write_declaration()
        with xf.element("openimmo"):
            xf.write(etree.Element("uebertragung", _uebertragung_attrs(transfer)))
            with xf.element("anbieter"):
                head = etree.Element("head")
                _opt(head, "anbieternr", transfer.provider_number)
                _sub(head, "firma", transfer.company)
                _sub(head, "openimmo_anid", transfer.openimmo_anid)
                for el in head:
                    xf.write(el)
                for item in listings:
                    xf.write(immobilie(item))
                    count += 1
    return count


def document_bytes(transfer: Transfer, listings: Iterable[Listing]) -> bytes:
    """The whole document in memory (for tests and small packages)."""
    buffer = io.BytesIO()
    write_document(buffer, transfer, listings)
    return buffer.getvalue()
