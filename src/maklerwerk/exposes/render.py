"""The exposé: one HTML template, shown as preview in the browser and printed to PDF by WeasyPrint.

Photos are scaled down with Pillow before they go into the document (a 4000x3000 JPEG becomes a
~1600 px JPEG of a few hundred KB) and kept in a disk cache under the data dir, shared by every
worker. WeasyPrint may fetch nothing but `data:` URIs and those scaled images, so an office
template cannot make the server read files or call out to the network. The PDF of a property
version is rendered once and kept on disk too (`expose_pdf_for`).
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import hashlib
import importlib.metadata
import io
import os
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from maklerwerk.exposes.models import PropertyExposeSettings
from maklerwerk.mailing.placeholders import money, number
from maklerwerk.properties import media

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


IMAGE_SCHEME = "mw-image"  # how the PDF's HTML names a scaled image in the disk cache
CACHE_DAYS = 14  # cached PDFs and scaled photos nobody used for this long are removed
_last_sweep = 0.0  # per process: the sweep for unused files runs at most once an hour


def _cache_dir(kind: str) -> Path:
    path = Path(settings.DATA_DIR) / "cache" / kind
    path.mkdir(parents=True, exist_ok=True)
    return path


def _write_atomic(path: Path, data: bytes) -> None:
    """Write through a temporary file and rename: readers and concurrent writers of the same name
    only ever see a complete file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


@dataclass(frozen=True)
class Scaled:
    """A scaled copy of a stored image in the disk cache (shared by every worker process)."""

    path: Path
    width: int
    height: int
    mimetype: str

    @property
    def ref(self) -> str:
        return f"{IMAGE_SCHEME}:{self.path.name}"

    def data_uri(self) -> str:
        return f"data:{self.mimetype};base64," + base64.b64encode(self.path.read_bytes()).decode("ascii")


# Sizes of cached files by path (the path is the hash of source, stamp and box, so a size never
# changes): a cached exposé then costs no image header reads (12 photos: about 9 ms a render).
_SIZES: dict[Path, tuple[int, int]] = {}


def _scaled(storage: Any, name: str, box: tuple[int, int], fmt: str = "JPEG") -> Scaled:
    """The stored image `name` scaled into `box`, from the disk cache or made once and stored there.

    The key holds the stored file's size and time, so an upload that reuses a deleted file's name
    is scaled anew.
    """
    try:
        stamp = f"{storage.size(name)}-{storage.get_modified_time(name).timestamp()}"
    except NotImplementedError:  # remote storages without times: stored names are unique
        stamp = str(storage.size(name))
    ext, mimetype = ("png", "image/png") if fmt == "PNG" else ("jpg", "image/jpeg")
    raw = f"{name}\0{stamp}\0{box}\0{fmt}\0{JPEG_QUALITY}".encode()
    path = _cache_dir("expose-images") / f"{hashlib.sha256(raw).hexdigest()[:40]}.{ext}"
    try:
        os.utime(path)  # in use: the sweep keeps it (and raises if the file is gone)
        size = _SIZES.get(path)
        if size is None:
            with Image.open(path) as cached:  # reads the header only
                size = cached.size
            if len(_SIZES) >= 20_000:  # bounded: a worker of a large office stays small
                _SIZES.clear()
            _SIZES[path] = size
        return Scaled(path, size[0], size[1], mimetype)
    except OSError:
        pass  # not cached yet
    with storage.open(name, "rb") as fh, Image.open(fh) as opened:
        img: Image.Image = opened
        out = io.BytesIO()
        if fmt == "PNG":
            img.thumbnail(box)
            img.convert("RGBA").save(out, "PNG", optimize=True)
        else:
            img.draft("RGB", box)  # JPEG: decode at reduced size, far less memory
            img = ImageOps.exif_transpose(img)
            img.thumbnail(box, Image.Resampling.LANCZOS)
            if img.mode not in ("RGB", "L"):
                img = img.convert("RGB")
            img.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
        width, height = img.size
    _write_atomic(path, out.getvalue())
    return Scaled(path, width, height, mimetype)


@dataclass
class Picture:
    src: str
    caption: str
    width: int
    height: int
    scaled: Scaled | None = None

    @property
    def landscape(self) -> bool:
        return self.width >= self.height


def _picture(image: Any, max_edge: int, *, inline: bool = True, source: str | None = None) -> Picture | None:
    try:
        storage, name = (default_storage, source) if source else (image.file.storage, image.file.name)
        scaled = _scaled(storage, name, (max_edge, max_edge))
        src = scaled.data_uri() if inline else scaled.ref
    except (OSError, ValueError, Image.DecompressionBombError):
        return None  # a missing or broken file must not break the exposé
    return Picture(src=src, caption=image.caption, width=scaled.width, height=scaled.height, scaled=scaled)


def _logo(office: Any) -> Scaled | None:
    if not office.logo:
        return None
    try:
        return _scaled(office.logo.storage, office.logo.name, (600, 240), "PNG")
    except (OSError, ValueError, Image.DecompressionBombError):
        return None


def logo_data_uri(office: Any) -> str:
    """The office logo as a small PNG data URI (PDFs fetch nothing else), or ''."""
    logo = _logo(office)
    try:
        return logo.data_uri() if logo else ""
    except OSError:
        return ""


@lru_cache(maxsize=64)
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
    prop: Property, *, template: ExposeTemplate | None = None, preview: bool = False, inline: bool = True
) -> dict[str, Any]:
    """Everything the exposé template shows, as plain values (no model access in the template).

    `inline=False` names images by their disk-cache key instead of embedding them (for the PDF:
    the HTML stays small enough to hash as the version key).
    """

    settings_row = (
        PropertyExposeSettings.objects.filter(property_id=prop.pk).select_related("template").first()
    )
    if template is None and settings_row is not None:
        template = settings_row.template
    images = list(prop.images.all())
    photos = [i for i in images if i.kind == "bild"]
    plans = [i for i in images if i.kind in ("grundriss", "karten_lageplan")]
    banner = media.title_image(prop, "expose") if photos else None  # e.g. a published tour's 360° copy
    cover = _picture(photos[0], COVER_EDGE, inline=inline, source=banner) if photos else None
    gallery = [p for p in (_picture(i, GALLERY_EDGE, inline=inline) for i in photos[1:]) if p]
    floor_plans = [p for p in (_picture(i, PLAN_EDGE, inline=inline) for i in plans) if p]
    agent = prop.responsible_agent
    office = prop.office
    logo = _logo(office)
    assets = [p.scaled for p in [cover, *gallery, *floor_plans] if p and p.scaled] + ([logo] if logo else [])
    links = []
    if settings_row is not None and settings_row.virtual_tour_url:
        links.append(
            {
                "label": _("Virtual tour"),
                "url": settings_row.virtual_tour_url,
                "qr": _qr(settings_row.virtual_tour_url),
            }
        )
    for link in media.extra_links(prop, "expose"):
        links.append({"label": link.title, "url": link.url, "qr": _qr(link.url)})
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
        "logo": (logo.data_uri() if inline else logo.ref) if logo else "",
        "assets": {a.path.name: a for a in assets},
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


class _ExposeFetcher:
    """WeasyPrint's URL fetcher for the exposé: `data:` URIs and this render's own scaled images.

    Everything else (file:, http:, an office template's CSS pointing at the server) is refused.
    Not weasyprint's URLFetcher: that builds urllib handlers and an SSL context on every render
    (26–65 ms) for protocols the exposé may never use.
    """

    _fail_on_errors = False  # read by weasyprint.urls.fetch: a refused URL is skipped, not fatal

    def __init__(self, assets: dict[str, Scaled]) -> None:
        self.assets = assets

    def __call__(self, url: str) -> Any:
        from weasyprint.urls import URLFetcherResponse

        scheme, _sep, rest = url.partition(":")
        scheme = scheme.lower()
        if scheme == "data":
            request = urllib.request.Request(url)  # noqa: S310 - only data: gets here
            with urllib.request.DataHandler().data_open(request) as resp:
                return URLFetcherResponse(url, resp.read(), {"Content-Type": resp.headers["Content-type"]})
        if scheme == IMAGE_SCHEME and rest in self.assets:
            asset = self.assets[rest]
            return URLFetcherResponse(url, asset.path.read_bytes(), {"Content-Type": asset.mimetype})
        raise ValueError(f"URL not allowed in an exposé: {url[:80]}")


@lru_cache(maxsize=1)
def _renderer_version() -> str:
    return "weasyprint " + importlib.metadata.version("weasyprint")


def _prune(folder: Path, prefix: str, keep: Path) -> None:
    """Remove the older versions of this exposé; once an hour, any cached PDF or scaled photo not
    used for CACHE_DAYS (deleted properties and photos)."""
    global _last_sweep
    for path in folder.glob(f"{prefix}*.pdf"):
        if path != keep:
            with contextlib.suppress(OSError):  # a concurrent pruner was first
                path.unlink()
    now = time.time()
    if now - _last_sweep < 3600:
        return
    _last_sweep = now
    for path in [*folder.iterdir(), *_cache_dir("expose-images").iterdir()]:
        with contextlib.suppress(OSError):
            if path.stat().st_mtime < now - CACHE_DAYS * 86400:
                path.unlink()


def expose_pdf_for(
    prop: Property, *, template: ExposeTemplate | None = None, language: str = "de"
) -> tuple[str, str, bytes]:
    """The exposé PDF of this version of the property as (filename, mimetype, bytes).

    Rendered once per version and then read from disk, for every recipient and worker. The version
    is the hash of the exposé's HTML with the images named by their cache keys: whatever changes
    the output (property, images, layout, office, agent, the "as of" date, the language, the code's
    template) changes the HTML, so nothing can be forgotten in a hand-kept list of timestamps.
    """
    with translation.override(language):
        context = expose_context(prop, template=template, inline=False)
        context["language"] = language
        html = render_to_string("exposes/expose.html", context)
    assets: dict[str, Scaled] = context["assets"]
    layout = context["template"]
    digest = hashlib.sha256(f"{_renderer_version()}\0{html}".encode()).hexdigest()[:40]
    folder = _cache_dir("exposes")
    prefix = f"{prop.pk}-{layout.pk if layout else 0}-{language}-"
    path = folder / f"{prefix}{digest}.pdf"
    name = expose_filename(prop, language)
    with contextlib.suppress(FileNotFoundError):
        pdf = path.read_bytes()
        with contextlib.suppress(OSError):
            os.utime(path)  # in use: the sweep keeps it
        return name, "application/pdf", pdf
    # One render per version: a second worker asking for the same exposé waits here and reads the
    # file instead of rendering it again.
    with open(folder / f"{prefix}render.lock", "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with contextlib.suppress(FileNotFoundError):
            return name, "application/pdf", path.read_bytes()
        from weasyprint import HTML

        pdf = HTML(string=html, base_url=None, url_fetcher=_ExposeFetcher(assets)).write_pdf()
        _write_atomic(path, pdf)
    _prune(folder, prefix, keep=path)
    return name, "application/pdf", pdf


class ExposePdfExporter:
    """Renders a property's exposé as PDF (identifier, verbose_name, render → filename, mimetype, bytes)."""

    identifier = "expose_pdf"
    verbose_name = "Exposé (PDF)"

    def render(
        self, prop: Property, *, template: ExposeTemplate | None = None, language: str = "de"
    ) -> tuple[str, str, bytes]:
        return expose_pdf_for(prop, template=template, language=language)


def expose_filename(prop: Property, language: str = "de") -> str:
    stem = "Expose" if language == "en" else "Exposé"
    ident = slugify(prop.external_id) or str(prop.pk)
    return f"{stem} {ident}.pdf"


def expose_pdf(prop: Property, *, template: ExposeTemplate | None = None, language: str = "de") -> bytes:
    return expose_pdf_for(prop, template=template, language=language)[2]
