"""The exposé: one HTML template, shown as preview in the browser and printed to PDF by WeasyPrint.

Photos are scaled down with Pillow before they go into the document (a 4000x3000 JPEG becomes a
~1600 px JPEG of a few hundred KB), and WeasyPrint may fetch nothing but `data:` URIs, so an
office template cannot make the server read files or call out to the network.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from maklerwerk.mailing.placeholders import money, number

if TYPE_CHECKING:
    from maklerwerk.exposes.models import ExposeTemplate
    from maklerwerk.properties.models import Property

COVER_EDGE = 1800
GALLERY_EDGE = 1100
PLAN_EDGE = 1600
JPEG_QUALITY = 78

# GEG residential classes: upper bound of kWh/(m²·a) and the colour of the familiar scale.
ENERGY_SCALE: list[tuple[str, int, str]] = [
    ("A+", 30, "#00a651"),
    ("A", 50, "#4cb848"),
    ("B", 75, "#a6ce39"),
    ("C", 100, "#d7df23"),
    ("D", 130, "#fff200"),
    ("E", 160, "#fdb913"),
    ("F", 200, "#f58220"),
    ("G", 250, "#ef4136"),
    ("H", 275, "#be1e2d"),
]
SCALE_MAX = 275


@lru_cache(maxsize=256)
def _scaled(name: str, max_edge: int, media_root: str) -> tuple[str, int, int]:
    """Data URI of the stored image `name`, scaled to `max_edge`; cached (stored names are unique)."""
    from maklerwerk.properties.models import PropertyImage

    storage = PropertyImage._meta.get_field("file").storage  # type: ignore[attr-defined]
    with storage.open(name, "rb") as fh, Image.open(fh) as img:
        img.draft("RGB", (max_edge, max_edge))  # JPEG: decode at reduced size, far less memory
        img = ImageOps.exif_transpose(img)
        img.thumbnail((max_edge, max_edge), Image.Resampling.LANCZOS)
        if img.mode not in ("RGB", "L"):
            img = img.convert("RGB")
        out = io.BytesIO()
        img.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
        width, height = img.size
    return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode("ascii"), width, height


@dataclass
class Picture:
    src: str
    caption: str
    width: int
    height: int

    @property
    def landscape(self) -> bool:
        return self.width >= self.height


def _picture(image: Any, max_edge: int) -> Picture | None:
    try:
        src, w, h = _scaled(image.file.name, max_edge, str(settings.MEDIA_ROOT))
    except (OSError, ValueError, Image.DecompressionBombError):
        return None  # a missing or broken file must not break the exposé
    return Picture(src=src, caption=image.caption, width=w, height=h)


def logo_data_uri(office: Any) -> str:
    """The office logo as a small PNG data URI (PDFs fetch nothing else), or ''."""
    if not office.logo:
        return ""
    try:
        with office.logo.open("rb") as fh, Image.open(fh) as img:
            img.thumbnail((600, 240))
            out = io.BytesIO()
            img.convert("RGBA").save(out, "PNG", optimize=True)
    except (OSError, ValueError):
        return ""
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def _qr(url: str) -> str:
    import segno

    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=4, border=1, dark="#1d273b")
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def _facts(prop: Property) -> list[tuple[str, str]]:
    facts: list[tuple[str, str]] = []

    def add(label: str, value: str) -> None:
        if value:
            facts.append((label, value))

    if prop.marketing_type == "kauf":
        add(_("Purchase price"), money(prop.purchase_price))
    else:
        add(_("Cold rent"), money(prop.cold_rent, cents=True))
    add(_("Living area"), number(prop.living_area, "m²"))
    add(_("Rooms"), number(prop.rooms))
    add(_("Plot area"), number(prop.plot_area, "m²"))
    add(_("Usable area"), number(prop.usable_area, "m²"))
    add(_("Object kind"), str(prop.get_object_kind_display()))
    add(_("Year built"), str(prop.year_built or ""))
    add(_("Floor"), "" if prop.floor is None else str(prop.floor))
    add(_("Bedrooms"), str(prop.bedrooms or ""))
    add(_("Bathrooms"), str(prop.bathrooms or ""))
    add(_("Condition"), str(prop.get_condition_display()) if prop.condition else "")
    add(_("Parking spaces"), str(prop.parking_spaces or ""))
    return facts


def _prices(prop: Property) -> list[tuple[str, str]]:
    rows = [
        (_("Purchase price"), money(prop.purchase_price)),
        (_("Cold rent"), money(prop.cold_rent, cents=True)),
        (_("Service charges"), money(prop.service_charges, cents=True)),
        (_("Warm rent"), money(prop.warm_rent, cents=True)),
        (_("Deposit"), money(prop.deposit)),
    ]
    commission = prop.buyer_commission_text
    if prop.buyer_commission_percent is not None:
        pct = _("%(p)s %% incl. VAT") % {"p": number(prop.buyer_commission_percent)}
        commission = f"{commission} ({pct})" if commission and pct not in commission else commission or pct
    rows.append((_("Buyer's commission"), commission))
    return [(k, v) for k, v in rows if v]


def _energy(prop: Property) -> dict[str, Any] | None:
    if not (prop.energy_certificate_type or prop.energy_class or prop.energy_value is not None):
        return None
    value = prop.energy_value
    marker = None
    if value is not None:
        marker = float(min(Decimal(SCALE_MAX), value)) * 100 / SCALE_MAX
    lower = 0
    bands = []
    for code, upper, colour in ENERGY_SCALE:
        bands.append(
            {
                "code": code,
                "colour": colour,
                "width": (upper - lower) * 100 / SCALE_MAX,
                "active": code == prop.energy_class,
            }
        )
        lower = upper
    return {
        "type": prop.get_energy_certificate_type_display() if prop.energy_certificate_type else "",
        "value": number(value, "kWh/(m²·a)") if value is not None else "",
        "class": prop.energy_class,
        "carrier": prop.get_energy_carrier_display() if prop.energy_carrier else "",
        "building_year": prop.energy_building_year or prop.year_built or "",
        "valid_until": prop.energy_valid_until,
        "issued": prop.energy_issue_date,
        "marker": marker,
        "bands": bands,
    }


def expose_context(
    prop: Property, *, template: ExposeTemplate | None = None, preview: bool = False
) -> dict[str, Any]:
    """Everything the exposé template shows, as plain values (no model access in the template)."""
    from maklerwerk.exposes.models import PropertyExposeSettings

    settings_row = (
        PropertyExposeSettings.objects.filter(property_id=prop.pk).select_related("template").first()
    )
    if template is None and settings_row is not None:
        template = settings_row.template
    images = list(prop.images.all())
    photos = [i for i in images if i.kind == "bild"]
    plans = [i for i in images if i.kind in ("grundriss", "karten_lageplan")]
    cover = _picture(photos[0], COVER_EDGE) if photos else None
    gallery = [p for p in (_picture(i, GALLERY_EDGE) for i in photos[1:]) if p]
    floor_plans = [p for p in (_picture(i, PLAN_EDGE) for i in plans) if p]
    agent = prop.responsible_agent
    office = prop.office
    links = []
    if settings_row is not None and settings_row.virtual_tour_url:
        links.append(
            {
                "label": _("Virtual tour"),
                "url": settings_row.virtual_tour_url,
                "qr": _qr(settings_row.virtual_tour_url),
            }
        )
    texts = [
        (_("Description"), prop.description),
        (_("Features"), prop.features_text),
        (_("Location"), prop.location_text),
        (_("Other information"), prop.other_text),
    ]
    place = " ".join(p for p in (prop.postal_code, prop.city) if p)
    address = place + (f" – {prop.district}" if prop.district else "")
    if prop.show_address and prop.street:
        address = f"{prop.street} {prop.house_number}".strip() + ", " + address
    return {
        "prop": prop,
        "title": prop.title or prop.external_id,
        "address": address,
        "marketing_label": prop.get_marketing_type_display(),
        "cover": cover,
        "facts": _facts(prop),
        "prices": _prices(prop),
        "features": prop.get_features_display(),
        "texts": [(label, text) for label, text in texts if text and text.strip()],
        "gallery": gallery,
        "floor_plans": floor_plans,
        "energy": _energy(prop),
        "agent": agent,
        "office": office,
        "logo": logo_data_uri(office),
        "links": links,
        "template": template,
        "accent": (template.accent_color if template else "#1f4e79"),
        "generated": timezone.localdate(),
        "footer_text": css_string(f"{office.name} · {prop.external_id}"),
        "custom_css": (template.css if template else "").replace("</", "<\\/"),
        "preview": preview,
    }


def css_string(text: str) -> str:
    """Text for a CSS string literal (margin-box content): no quotes, backslashes or tags escape it."""
    out = []
    for ch in " ".join(text.split()):
        out.append(f"\\{ord(ch):x} " if ch in '"\\<>&' or ord(ch) > 126 else ch)
    return "".join(out)


def expose_html(
    prop: Property, *, template: ExposeTemplate | None = None, language: str = "de", preview: bool = False
) -> str:
    with translation.override(language):
        context = expose_context(prop, template=template, preview=preview)
        context["language"] = language
        return render_to_string("exposes/expose.html", context)


class ExposePdfExporter:
    """Renders a property's exposé as PDF (identifier, verbose_name, render → filename, mimetype, bytes)."""

    identifier = "expose_pdf"
    verbose_name = "Exposé (PDF)"

    def render(
        self, prop: Property, *, template: ExposeTemplate | None = None, language: str = "de"
    ) -> tuple[str, str, bytes]:
        from weasyprint import HTML
        from weasyprint.urls import URLFetcher

        html = expose_html(prop, template=template, language=language)
        fetcher = URLFetcher(allowed_protocols={"data"}, timeout=1)
        pdf = HTML(string=html, base_url=None, url_fetcher=fetcher).write_pdf()
        return expose_filename(prop, language), "application/pdf", pdf


def expose_filename(prop: Property, language: str = "de") -> str:
    stem = "Expose" if language == "en" else "Exposé"
    ident = slugify(prop.external_id) or str(prop.pk)
    return f"{stem} {ident}.pdf"


def expose_pdf(prop: Property, *, template: ExposeTemplate | None = None, language: str = "de") -> bytes:
    return ExposePdfExporter().render(prop, template=template, language=language)[2]
