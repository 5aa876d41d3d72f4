"""Property → OpenImmo listing, the export preflight, and the ZIP package (one XML + pictures, flat).

The writer (`integrations/openimmo/writer.py`) knows only OpenImmo; this module knows Maklerwerk's
property and decides what a portal gets: the contact person, the pictures (scaled to the portal's
limit, ASCII names `{Kennung}_{nn}.{ext}`), the energy certificate with its GEG `jahrgang`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
import shutil
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import IO

from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree
from PIL import Image

from maklerwerk.integrations.openimmo import mapping, writer
from maklerwerk.portals.models import Portal
from maklerwerk.properties import media
from maklerwerk.properties.choices import EnergyBuildingType, EnergyCertificateStatus
from maklerwerk.properties.models import Property, PropertyImage

GEG_2014 = dt.date(2014, 5, 1)  # certificates from this day on state an efficiency class
SENDER_VERSION = "0.1"


@dataclass(frozen=True)
class Picture:
    """A picture as it goes into the package: name in the ZIP, and where its bytes come from."""

    name: str
    image: PropertyImage
    source: str = ""  # a derived copy in the default storage (the 360° title image) instead


def ascii_name(text: str) -> str:
    """A file-name part portals accept: ASCII letters, digits, '-', '_'."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9_-]+", "_", plain).strip("_") or "x"


def preflight(prop: Property) -> list[str]:
    """Why the property cannot go to a portal, in German an agent can act on (empty: it can)."""
    problems = []
    if not prop.postal_code:
        problems.append(_("Postal code missing: portals need it to show the property."))
    if prop.marketing_type == "kauf" and prop.purchase_price is None:
        problems.append(_("Purchase price missing."))
    if prop.marketing_type != "kauf" and prop.cold_rent is None and prop.purchase_price is None:
        problems.append(_("Cold rent missing."))
    problems += energy_preflight(prop)
    return problems


def energy_preflight(prop: Property) -> list[str]:
    """What GEG §87 asks of an advertisement when there is a certificate, field by field."""
    if prop.energy_status != EnergyCertificateStatus.AVAILABLE:
        return []
    problems = []
    if not prop.energy_carrier:
        problems.append(_("Energy carrier missing: required by GEG §87 when there is a certificate."))
    if _building_type(prop) == EnergyBuildingType.NON_RESIDENTIAL:
        if prop.energy_value_heat is None and prop.energy_value is None:
            problems.append(_("Heat value missing: required by GEG §87 for a non-residential building."))
        if prop.energy_value_power is None:
            problems.append(
                _("Electricity value missing: required by GEG §87 for a non-residential building.")
            )
        return problems
    if prop.energy_value is None:
        problems.append(_("Energy value missing: required by GEG §87 when there is a certificate."))
    if not (prop.energy_building_year or prop.year_built):
        problems.append(_("Year of construction missing: required by GEG §87 for a residential building."))
    if _jahrgang(prop) == "2014" and not prop.energy_class:
        problems.append(
            _("Efficiency class missing: required by GEG §87 for certificates from 1 May 2014 on.")
        )
    return problems


def channel_of(portal: Portal) -> str:
    """The media channel of `portal` (`properties.media.portal_channel`): what it gets of a
    published virtual tour can be switched per portal."""
    kind = "is24" if portal.kind == Portal.Kind.IS24 else "openimmo"
    return media.portal_channel(kind, portal.pk)


def pictures(prop: Property, limit: int | None, channel: str = "openimmo") -> list[Picture]:
    images = list(prop.images.all().order_by("position", "pk"))
    if limit is not None:
        images = images[:limit]
    base = ascii_name(prop.external_id)
    out = []
    for n, image in enumerate(images, start=1):
        file_name = image.file.name or ""
        ext = (file_name.rsplit(".", 1)[-1] if "." in file_name else "jpg").lower()
        out.append(Picture(f"{base}_{n:02d}.{ascii_name(ext)}", image))
    banner = media.title_image(prop, channel)  # e.g. a published virtual tour's 360° banner
    title = next((i for i, pic in enumerate(out) if pic.image.kind == PropertyImage.Kind.PHOTO), None)
    if banner and title is not None:
        out[title] = Picture(f"{base}_{title + 1:02d}.jpg", out[title].image, banner)
    return out


def _group(image: PropertyImage, first_photo: bool) -> str:
    if image.kind == PropertyImage.Kind.FLOOR_PLAN:
        return mapping.GROUP_FLOOR_PLAN
    if image.kind == PropertyImage.Kind.MAP:
        return mapping.GROUP_MAP
    return mapping.GROUP_TITLE if first_photo else mapping.GROUP_PICTURE


def _links(prop: Property, channel: str) -> tuple[writer.Attachment, ...]:
    """Links other apps publish with the property (a virtual tour): anhang gruppe LINKS, REMOTE."""
    return tuple(
        writer.Attachment(link.url, "text/html", "LINKS", link.title[:100], location="REMOTE")
        for link in media.extra_links(prop, channel)
    )


def _attachments(pics: list[Picture]) -> tuple[writer.Attachment, ...]:
    out = []
    title_done = False
    for pic in pics:
        group = _group(pic.image, not title_done and pic.image.kind == PropertyImage.Kind.PHOTO)
        title_done = title_done or group == mapping.GROUP_TITLE
        ext = pic.name.rsplit(".", 1)[-1]
        mime = "image/png" if ext == "png" else "image/jpeg"
        modified = timezone.localtime(pic.image.created_at).replace(tzinfo=None)
        out.append(writer.Attachment(pic.name, mime, group, pic.image.caption[:100], modified))
    return tuple(out)


def _contact(prop: Property) -> writer.Contact:
    office = prop.office
    agent = prop.responsible_agent
    if agent is not None and (agent.last_name or agent.get_full_name()):
        return writer.Contact(
            last_name=agent.last_name or agent.get_full_name(),
            first_name=agent.first_name,
            company=office.name,
            email_central=office.email,
            email_direct=agent.email,
            phone_central=office.phone,
            phone_mobile=agent.phone,
        )
    return writer.Contact(
        last_name=office.name, company=office.name, email_central=office.email, phone_central=office.phone
    )


def _building_type(prop: Property) -> str:
    if prop.energy_building_type:
        return prop.energy_building_type
    return EnergyBuildingType.RESIDENTIAL if prop.usage == "wohnen" else EnergyBuildingType.NON_RESIDENTIAL


def _jahrgang(prop: Property) -> str:
    """energiepass/jahrgang: the certificate's law by its issue date, or why there is none."""
    status = prop.energy_status
    if status == EnergyCertificateStatus.AVAILABLE:
        issued = prop.energy_issue_date
        return "2008" if issued is not None and issued < GEG_2014 else "2014"
    why_none: dict[str, str] = {
        EnergyCertificateStatus.NOT_REQUIRED: mapping.JAHRGANG_NOT_REQUIRED,
        EnergyCertificateStatus.AT_VIEWING: mapping.JAHRGANG_AT_VIEWING,
    }
    return why_none.get(status, mapping.JAHRGANG_NONE)


def _energy(prop: Property) -> writer.EnergyCertificate:
    jahrgang = _jahrgang(prop)
    if jahrgang not in ("2008", "2014"):
        return writer.EnergyCertificate(jahrgang=jahrgang)
    building_type = _building_type(prop)
    non_residential = building_type == EnergyBuildingType.NON_RESIDENTIAL
    return writer.EnergyCertificate(
        jahrgang=jahrgang,
        kind=prop.energy_certificate_type.upper(),
        valid_until=prop.energy_valid_until,
        value=prop.energy_value,
        with_hot_water=prop.energy_hot_water_included
        if prop.energy_certificate_type == "verbrauch"
        else None,
        carrier=prop.energy_carrier.upper(),
        power_value=prop.energy_value_power if non_residential else None,
        heat_value=prop.energy_value_heat if non_residential else None,
        energy_class=prop.energy_class,
        building_year=prop.energy_building_year or prop.year_built,
        issued_on=prop.energy_issue_date,
        building_type=building_type,
    )


def _available_from(prop: Property) -> str:
    if prop.vacancy == "datum" and prop.vacant_from:
        return prop.vacant_from.strftime("%d.%m.%Y")
    return prop.get_vacancy_display() if prop.vacancy else ""


def listing_for(
    prop: Property, action: str, pics: list[Picture], channel: str = "openimmo"
) -> writer.Listing:
    """The property in OpenImmo vocabulary."""
    commission = prop.buyer_commission_text or (
        f"{prop.buyer_commission_percent} %" if prop.buyer_commission_percent is not None else ""
    )
    links = _links(prop, channel)
    return writer.Listing(
        action=action,
        external_id=prop.external_id,
        internal_id=str(prop.pk),
        usage=prop.usage.upper(),
        marketing_type=prop.marketing_type.upper(),
        object_kind=prop.object_kind,
        object_subtype=prop.object_subtype,
        contact=_contact(prop),
        updated_on=timezone.localdate(prop.updated_at),
        postal_code=prop.postal_code,
        city=prop.city,
        street=prop.street,
        house_number=prop.house_number,
        district=prop.district,
        country=prop.country or "DEU",
        latitude=prop.latitude,
        longitude=prop.longitude,
        floor=prop.floor,
        floors_total=prop.floors_total,
        purchase_price=prop.purchase_price,
        cold_rent=prop.cold_rent,
        warm_rent=prop.warm_rent,
        service_charges=prop.service_charges,
        hausgeld=prop.hausgeld,
        deposit=prop.deposit,
        commission_required=not prop.commission_free,
        buyer_commission=commission,
        living_area=prop.living_area,
        usable_area=prop.usable_area,
        plot_area=prop.plot_area,
        rooms=prop.rooms,
        bedrooms=prop.bedrooms,
        bathrooms=prop.bathrooms,
        parking_spaces=prop.parking_spaces,
        heating_type=prop.heating_type.upper(),
        carrier=prop.energy_carrier.upper(),
        year_built=prop.year_built,
        condition=prop.condition.upper(),
        energy=_energy(prop),
        title=prop.title,
        description=prop.description,
        location_text=prop.location_text,
        features_text=prop.features_text,
        other_text=prop.other_text,
        attachments=_attachments(pics) + links,
        virtual_tour=bool(links),
        show_address=prop.show_address,
        available_from=_available_from(prop),
    )


def data_hash(listing: writer.Listing) -> str:
    """What the portal has seen of the property: the same data gives the same hash on any day."""
    neutral = replace(listing, action=mapping.ACTION_CHANGE, updated_on=dt.date(2000, 1, 1))
    return hashlib.sha256(etree.tostring(writer.immobilie(neutral))).hexdigest()


def package_name(portal: Portal, when: dt.datetime) -> str:
    stamp = timezone.localtime(when).strftime("%Y%m%d%H%M%S")
    name = portal.filename_pattern.format(
        portal=ascii_name(portal.key), anbieternr=ascii_name(portal.anbieternr or "0"), timestamp=stamp
    )
    return name if name.endswith(".zip") else f"{name}.zip"


def transfer_header(portal: Portal, when: dt.datetime, *, full: bool) -> writer.Transfer:
    return writer.Transfer(
        full=full,
        provider_number=portal.anbieternr,
        company=portal.office.name,
        openimmo_anid=portal.openimmo_anid or portal.anbieternr or "MAKLERWERK",
        sender_version=SENDER_VERSION,
        timestamp=timezone.localtime(when),
        techn_email=portal.techn_email,
    )


def picture_bytes(image: PropertyImage, max_kb: int, source: str = "") -> bytes:
    """The picture's file (or its derived copy `source`), scaled down (never refused) until it fits
    the portal's size limit."""
    with default_storage.open(source, "rb") if source else image.file.open("rb") as f:
        data = f.read()
    limit = max(50, max_kb) * 1024
    if len(data) <= limit:
        return data
    with Image.open(io.BytesIO(data)) as img:
        picture = img.convert("RGB")
    side = max(picture.size)
    while True:
        side = int(side * 0.8)
        scaled = picture.copy()
        scaled.thumbnail((side, side))
        out = io.BytesIO()
        scaled.save(out, "JPEG", quality=85)
        if out.tell() <= limit or side < 200:
            return out.getvalue()


def write_package(
    out: IO[bytes],
    header: writer.Transfer,
    xml_name: str,
    items: Iterable[tuple[writer.Listing, list[Picture]]],
    max_kb: int,
) -> int:
    """The ZIP: `xml_name` plus every picture it names, flat in the root. Streams item by item:
    each listing's pictures go into the ZIP as the listing is written to a temporary file, which
    becomes the ZIP's XML entry at the end, so memory stays flat however large the portfolio."""
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf, tempfile.TemporaryFile() as tmp:

        def listings() -> Iterator[writer.Listing]:
            for listing, pics in items:
                for pic in pics:
                    data = picture_bytes(pic.image, max_kb, pic.source)
                    zf.writestr(zipfile.ZipInfo(pic.name), data, zipfile.ZIP_STORED)
                yield listing

        count = writer.write_document(tmp, header, listings())
        tmp.seek(0)
        with zf.open(xml_name, "w", force_zip64=True) as xml:
            shutil.copyfileobj(tmp, xml, 1 << 20)
    return count
