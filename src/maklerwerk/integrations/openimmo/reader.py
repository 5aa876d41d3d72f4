"""A lenient reader for the OpenImmo files legacy systems and portals really write.

`read_package(raw, filename)` takes an OpenImmo XML file or a ZIP (XML plus pictures, in folders
or flat) and returns the listings with their attachments, plus warnings; anything it cannot take
raises `OpenImmoError` with a German sentence for the user. It accepts versions 1.1 to 1.2.7c,
ISO-8859-1 and UTF-8 (also mislabelled), a missing `uebertragung`, children in any order, lower-case
`aktionart`, `1`/`0` booleans, several `anbieter`, the old `http://www.openimmo.de` namespace, and
missing or remote pictures (a warning each). It refuses what is dangerous: XML with a DTD or
entities (XXE, entity bombs), ZIP members outside the archive (`../`), ZIP bombs (too many files,
too much unpacked data, absurd compression ratios). OpenImmo-Feedback files are recognised as such.

Pure Python (defusedxml over the standard library's parser): no Django models here; the import
that writes properties is `imports.openimmo`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from django.utils.translation import gettext as _

# An office's full export: 10,000 properties with ten pictures each. The bomb guards are the sizes below.
MAX_MEMBERS = 100_000
MAX_UNPACKED = 2 * 1024**3  # 2 GB in all
MAX_RATIO = 200  # unpacked/packed of one member; pictures and XML stay far below
PICTURE_TYPES = {"jpg", "jpeg", "png", "gif", "webp"}


class OpenImmoError(ValueError):
    """The file cannot be imported; the message is German, for the user."""


@dataclass
class Attachment:
    path: str  # as written in `daten/pfad`
    title: str = ""
    group: str = ""  # TITELBILD, BILD, GRUNDRISS, DOKUMENTE, ...
    content: bytes | None = None  # None: missing in the package or remote
    remote: bool = False  # an http(s) URL: recorded, not fetched


@dataclass
class Listing:
    external_id: str
    action: str  # CHANGE (also for NEW and missing), DELETE, REFERENZ
    data: dict[str, object]  # Property field → value (see `_property_data`)
    attachments: list[Attachment] = field(default_factory=list)
    provider: str = ""  # the anbieter's firma or anbieternr
    warnings: list[str] = field(default_factory=list)


@dataclass
class Package:
    kind: str  # "openimmo" or "feedback"
    version: str
    listings: list[Listing]
    warnings: list[str] = field(default_factory=list)


def read_package(raw: bytes, filename: str = "") -> Package:
    """An uploaded .xml or .zip as listings with their pictures (see the module's doc)."""
    if raw[:2] == b"PK":  # a ZIP by its content, whatever the name says
        xml, files, warnings = _unzip(raw)
    else:
        xml, files, warnings = raw, {}, []
    package = read_xml(xml)
    package.warnings[:0] = warnings
    by_base = {posixpath.basename(k).lower(): k for k in files}  # once: a package has thousands
    for listing in package.listings:
        for att in listing.attachments:
            _attach(att, files, listing, by_base)
    return package


def _unzip(raw: bytes) -> tuple[bytes, dict[str, bytes], list[str]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        members = [m for m in archive.infolist() if not m.is_dir()]
    except (zipfile.BadZipFile, EOFError) as exc:
        raise OpenImmoError(_("The ZIP file is damaged or incomplete.")) from exc
    if len(members) > MAX_MEMBERS:
        raise OpenImmoError(_("The ZIP file holds more than %s files; it is not imported.") % MAX_MEMBERS)
    if sum(m.file_size for m in members) > MAX_UNPACKED:
        raise OpenImmoError(_("The ZIP file would unpack to more than 2 GB; it is not imported."))
    for m in members:
        name = m.filename.replace("\\", "/")
        if name.startswith("/") or ".." in name.split("/") or re.match(r"^[A-Za-z]:", name):
            raise OpenImmoError(
                _("The ZIP file contains a path outside the archive (%s); it is not imported.") % name
            )
        if m.compress_size and m.file_size > 1024**2 and m.file_size / m.compress_size > MAX_RATIO:
            raise OpenImmoError(
                _("The ZIP file looks like a ZIP bomb (%s unpacks too much); it is not imported.") % name
            )
    xmls = [m for m in members if m.filename.lower().endswith(".xml") and not _hidden(m.filename)]
    if not xmls:
        raise OpenImmoError(_("The ZIP file contains no OpenImmo XML file."))
    warnings = []
    if len(xmls) > 1:
        warnings.append(
            _("The ZIP file holds %(n)s XML files; %(name)s was read.")
            % {"n": len(xmls), "name": xmls[0].filename}
        )
    files: dict[str, bytes] = {}
    try:
        xml = _read_member(archive, xmls[0])
        for m in members:
            if m is not xmls[0] and not _hidden(m.filename):
                files[m.filename.replace("\\", "/")] = _read_member(archive, m)
    except (zipfile.BadZipFile, EOFError, OSError) as exc:
        raise OpenImmoError(_("The ZIP file is damaged or incomplete.")) from exc
    return xml, files, warnings


def _hidden(name: str) -> bool:
    return name.startswith("__MACOSX/") or posixpath.basename(name).startswith(".")


def _read_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bytes:
    """The member's bytes, stopping at its declared size (a lying header cannot unpack more)."""
    with archive.open(member) as fh:
        data = fh.read(member.file_size + 1)
    if len(data) > member.file_size:
        raise OpenImmoError(
            _("The ZIP file looks like a ZIP bomb (%s unpacks too much); it is not imported.")
            % member.filename
        )
    return data


def _parse(xml: bytes) -> Element:
    try:
        return fromstring(xml, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise OpenImmoError(
            _("The XML file contains a DTD or entities, which are not allowed (protection against XXE).")
        ) from exc
    except ParseError as exc:
        if _valid_utf8(xml):
            raise OpenImmoError(_("The XML file is broken or truncated: %s") % exc) from exc
        # Not UTF-8 although it says so (or says nothing): legacy exports write Windows-1252.
        text = re.sub(r"^\s*<\?xml[^>]*\?>", "", xml.decode("cp1252", errors="replace"))
        try:
            return fromstring(text, forbid_dtd=True)
        except (ParseError, DefusedXmlException):
            raise OpenImmoError(_("The XML file is broken or truncated: %s") % exc) from exc


def _valid_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _strip_namespaces(root: Element) -> None:
    for el in root.iter():
        if isinstance(el.tag, str) and "}" in el.tag:
            el.tag = el.tag.split("}", 1)[1]
        el.tag = el.tag.lower() if isinstance(el.tag, str) else el.tag


def read_xml(xml: bytes) -> Package:
    """The listings of one OpenImmo document (pictures not attached: see `read_package`)."""
    if not xml.strip():
        raise OpenImmoError(_("The file is empty."))
    root = _parse(xml)
    _strip_namespaces(root)
    if root.tag == "openimmo_feedback":
        note = _("This is an OpenImmo feedback file (an inquiry from a portal), not listings.")
        return Package(kind="feedback", version=_text(root, "version"), listings=[], warnings=[note])
    if root.tag != "openimmo":
        raise OpenImmoError(_("This is not an OpenImmo file (its root element is <%s>).") % root.tag)
    transfer = root.find("uebertragung")
    version = transfer.get("version", "") if transfer is not None else ""
    warnings = [] if transfer is not None else [_("The file has no <uebertragung> element; read anyway.")]
    listings = []
    for provider in root.iter("anbieter"):
        name = _text(provider, "firma") or _text(provider, "anbieternr") or _text(provider, "openimmo_anid")
        for i, estate in enumerate(provider.iter("immobilie"), start=1):
            listings.append(_listing(estate, name, i))
    if not listings:
        warnings.append(_("The file contains no property."))
    return Package(kind="openimmo", version=version, listings=listings, warnings=warnings)


def _text(el: Element | None, path: str) -> str:
    if el is None:
        return ""
    found = el.find(path) if "/" in path else next(el.iter(path), None)
    return (found.text or "").strip() if found is not None and found.text else ""


def _true(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "ja", "yes"}


def _decimal(el: Element, tag: str, listing: Listing) -> Decimal | None:
    text = _text(el, tag).replace(" ", "")
    if not text:
        return None
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        listing.warnings.append(
            _("<%(tag)s> is not a number (“%(value)s”); left empty.") % {"tag": tag, "value": text}
        )
        return None
    return value if value.is_finite() and value >= 0 else None


def _listing(estate: Element, provider: str, position: int) -> Listing:
    tech = next(estate.iter("verwaltung_techn"), None)
    external_id = (
        _text(tech, "objektnr_extern") or _text(tech, "objektnr_intern") or _text(tech, "openimmo_obid")
    )
    action_el = next(tech.iter("aktion"), None) if tech is not None else None
    action = (action_el.get("aktionart") or "CHANGE").strip().upper() if action_el is not None else "CHANGE"
    listing = Listing(
        external_id=external_id, action="CHANGE" if action == "NEW" else action, data={}, provider=provider
    )
    if not external_id:
        listing.warnings.append(
            _("Property %s has no objektnr_extern; it cannot be recognised again.") % position
        )
    listing.data = _property_data(estate, listing)
    # the property's own attachments (not a contact person's photo further down)
    for att in [*estate.findall("anhaenge/anhang"), *estate.findall("anhang")]:
        path = _text(att, "pfad")
        if not path:
            continue
        remote = path.lower().startswith(("http://", "https://"))
        title, group = _text(att, "anhangtitel")[:200], (att.get("gruppe") or "").upper()
        listing.attachments.append(Attachment(path=path, title=title, group=group, remote=remote))
    return listing


TEXTS = (
    ("objekttitel", "title"),
    ("objektbeschreibung", "description"),
    ("lage", "location_text"),
    ("ausstatt_beschr", "features_text"),
    ("sonstige_angaben", "other_text"),
)


def _property_data(estate: Element, listing: Listing) -> dict[str, object]:
    data: dict[str, object] = {}
    category = next(estate.iter("objektkategorie"), None)
    if category is not None:
        marketing = next(category.iter("vermarktungsart"), None)
        if marketing is not None:
            chosen = [k.lower() for k, v in marketing.attrib.items() if _true(v)]
            data["marketing_type"] = chosen[0] if chosen else "kauf"
        usage = next(category.iter("nutzungsart"), None)
        if usage is not None:
            chosen = [k.lower() for k, v in usage.attrib.items() if _true(v)]
            if chosen:
                data["usage"] = chosen[0]
        kind = next(category.iter("objektart"), None)
        if kind is not None and len(kind):
            data["object_kind"] = kind[0].tag
    geo = next(estate.iter("geo"), None)
    if geo is not None:
        for tag, key in (("plz", "postal_code"), ("ort", "city"), ("strasse", "street"),
                         ("hausnummer", "house_number"), ("regionaler_zusatz", "district")):  # fmt: skip
            if value := _text(geo, tag):
                data[key] = value
        land = next(geo.iter("land"), None)
        if land is not None and land.get("iso_land"):
            data["country"] = land.get("iso_land", "").upper()[:3]
    texts = next(estate.iter("freitexte"), None)
    for tag, key in TEXTS:
        if value := _text(texts, tag):
            data[key] = value[:300] if key == "title" else value
    for group, pairs in (
        ("preise", (("kaufpreis", "purchase_price"), ("kaltmiete", "cold_rent"), ("warmmiete", "warm_rent"),
                    ("nebenkosten", "service_charges"), ("hausgeld", "hausgeld"))),
        ("flaechen", (("wohnflaeche", "living_area"), ("nutzflaeche", "usable_area"),
                      ("grundstuecksflaeche", "plot_area"), ("anzahl_zimmer", "rooms"))),
    ):  # fmt: skip
        parent = next(estate.iter(group), None)
        if parent is None:
            continue
        for tag, key in pairs:
            amount = _decimal(parent, tag, listing)
            if amount is not None:
                data[key] = amount
    # The building's year is `zustand_angaben/baujahr`; `energiepass/baujahr` only where it is missing.
    state = next(estate.iter("zustand_angaben"), None)
    year = next((c.text or "" for c in (state if state is not None else []) if c.tag == "baujahr"), "")
    year = year.strip() or _text(estate, "baujahr")
    if year.isdigit() and 1000 <= int(year) <= 2200:
        data["year_built"] = int(year)
    release = next(estate.iter("objektadresse_freigeben"), None)
    data["show_address"] = release is not None and _true(release.text)
    data.update(_more_data(estate, listing))
    return data


def _int(el: Element | None, tag: str) -> int | None:
    text = _text(el, tag).split(",")[0].split(".")[0]
    return int(text) if text.isdigit() and len(text) < 7 else None


def _chosen(el: Element | None, tag: str) -> str:
    """The first attribute set to true of `<tag a="true" b="false"/>`, lower-case ("" if none)."""
    found = next(el.iter(tag), None) if el is not None else None
    if found is None:
        return ""
    return next((k.lower() for k, v in found.attrib.items() if _true(v)), "")


def _more_data(estate: Element, listing: Listing) -> dict[str, object]:
    """What Maklerwerk's own export writes beyond the basics, so an exported package reads back
    with the same values (the import drops a value our fields do not know, with a warning)."""
    data: dict[str, object] = {}
    kind = next(estate.iter("objektart"), None)
    if kind is not None and len(kind) and kind[0].attrib:
        data["object_subtype"] = next(iter(kind[0].attrib.values())).strip()
    geo = next(estate.iter("geo"), None)
    coords = next(geo.iter("geokoordinaten"), None) if geo is not None else None
    if coords is not None:
        try:
            data["latitude"] = Decimal(coords.get("breitengrad", ""))
            data["longitude"] = Decimal(coords.get("laengengrad", ""))
        except InvalidOperation:
            data.pop("latitude", None)
    for parent_tag, pairs in (
        ("geo", (("etage", "floor"), ("anzahl_etagen", "floors_total"))),
        ("flaechen", (("anzahl_schlafzimmer", "bedrooms"), ("anzahl_badezimmer", "bathrooms"),
                      ("anzahl_stellplaetze", "parking_spaces"))),
    ):  # fmt: skip
        parent = next(estate.iter(parent_tag), None)
        for tag, key in pairs:
            if (number := _int(parent, tag)) is not None:
                data[key] = number
    prices = next(estate.iter("preise"), None)
    if prices is not None:
        if (deposit := _decimal(prices, "kaution", listing)) is not None:
            data["deposit"] = deposit
        required = next(prices.iter("provisionspflichtig"), None)
        if required is not None and required.text:
            data["commission_free"] = not _true(required.text)
        if courtage := _text(prices, "aussen_courtage"):
            data["buyer_commission_text"] = courtage[:200]
    equipment = next(estate.iter("ausstattung"), None)
    if heating := _chosen(equipment, "heizungsart"):
        data["heating_type"] = heating
    if carrier := _chosen(equipment, "befeuerung"):
        data["energy_carrier"] = carrier
    if condition := next((z.get("zustand_art", "") for z in estate.iter("zustand")), ""):
        data["condition"] = condition.lower()
    data.update(_energy_data(next(estate.iter("energiepass"), None), listing))
    return data


# energiepass/jahrgang → certificate status (2008/2014: there is one; the others say why not)
_JAHRGANG_STATUS = {"2008": "vorhanden", "2014": "vorhanden", "ohne": "ohne",
                    "nicht_noetig": "nicht_noetig", "bei_besichtigung": "bei_besichtigung"}  # fmt: skip


def _energy_data(epass: Element | None, listing: Listing) -> dict[str, object]:
    if epass is None:
        return {}
    data: dict[str, object] = {}
    if status := _JAHRGANG_STATUS.get(_text(epass, "jahrgang").lower()):
        data["energy_certificate_status"] = status
    if kind := _text(epass, "epart").lower():
        data["energy_certificate_type"] = kind
    value = _decimal(epass, "energieverbrauchkennwert", listing)
    value = value if value is not None else _decimal(epass, "endenergiebedarf", listing)
    if value is not None:
        data["energy_value"] = value
    hot_water = next(epass.iter("mitwarmwasser"), None)
    if hot_water is not None and hot_water.text:
        data["energy_hot_water_included"] = _true(hot_water.text)
    if carrier := _text(epass, "primaerenergietraeger").lower():
        data["energy_carrier"] = carrier
    for tag, key in (("stromwert", "energy_value_power"), ("waermewert", "energy_value_heat")):
        if (number := _decimal(epass, tag, listing)) is not None:
            data[key] = number
    if energy_class := _text(epass, "wertklasse").upper():
        data["energy_class"] = energy_class
    if (built := _int(epass, "baujahr")) is not None:
        data["energy_building_year"] = built
    if building := _text(epass, "gebaeudeart").lower():
        data["energy_building_type"] = building
    for tag, key in (("ausstelldatum", "energy_issue_date"), ("gueltig_bis", "energy_valid_until")):
        with contextlib.suppress(ValueError):
            if text := _text(epass, tag):
                data[key] = dt.date.fromisoformat(text[:10])
    return data


def _attach(att: Attachment, files: dict[str, bytes], listing: Listing, by_base: dict[str, str]) -> None:
    if att.remote:
        listing.warnings.append(
            _("Picture %s is on another server; the address is recorded, not fetched.") % att.path
        )
        return
    wanted = att.path.replace("\\", "/").lstrip("./")
    key = wanted if wanted in files else by_base.get(posixpath.basename(wanted).lower())
    if key is None:
        listing.warnings.append(_("Picture %s is missing in the package.") % att.path)
        return
    att.content = files[key]
