"""A published tour in the exposé, the portals and mails: the open link and the 360° title image.

The banner copy is derived from the original title picture every time it is asked for and cached
by the hash of the original's bytes (and the banner's version), so re-exports never stack banners
and the original is never touched. It lives in the default storage under `tours/banners/`.
"""

from __future__ import annotations

import hashlib
import io
from typing import TYPE_CHECKING

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw, ImageFont, ImageOps

from maklerwerk.mailing.placeholders import FieldUnavailable, MailContext
from maklerwerk.properties.media import ExternalLink
from maklerwerk.tours.models import Tour

if TYPE_CHECKING:
    from maklerwerk.contacts.models import Contact
    from maklerwerk.properties.models import Property

BANNER_VERSION = "1"
BANNER_TEXT = "360°"
TOUR_LINK_FIELD = "objekt.rundgang_link"
MAX_EDGE = 2400


def goes_to(tour: Tour, channel: str) -> bool:
    """Does the published tour go to `channel`? "expose", "openimmo", "is24", or a portal's own
    channel "openimmo:<portal id>" / "is24:<portal id>", which the tour's switch "portal:<id>" and the
    switch of its kind ("openimmo", "is24") both keep out."""
    kind, _sep, portal_id = channel.partition(":")
    off = tour.channels_off
    return kind not in off and not (portal_id and f"portal:{portal_id}" in off)


def published_tour(prop: Property, channel: str) -> Tour | None:
    """The property's first published tour that goes to `channel` (None: nothing to add)."""
    for tour in Tour.objects.filter(property_id=prop.pk, published=True).order_by("pk"):
        if tour.open_url and goes_to(tour, channel):
            return tour
    return None


def published_links(prop: Property, channel: str) -> list[ExternalLink]:
    tour = published_tour(prop, channel)
    if tour is None:
        return []
    return [ExternalLink(url=tour.open_url, title=_("Virtual tour (360°)"), kind="tour")]


def _title_photo(prop: Property) -> object | None:
    return prop.images.filter(kind="bild").order_by("position", "pk").first()


def banner_bytes(original: bytes) -> bytes:
    """The picture with a "360°" banner in the top left corner, as JPEG, same size (≤ MAX_EDGE)."""
    with Image.open(io.BytesIO(original)) as opened:
        img = ImageOps.exif_transpose(opened).convert("RGB")
    img.thumbnail((MAX_EDGE, MAX_EDGE))
    width, height = img.size
    size = max(14, min(width, height) // 9)
    font = ImageFont.load_default(size=size)
    draw = ImageDraw.Draw(img, "RGBA")
    left, top, right, bottom = draw.textbbox((0, 0), BANNER_TEXT, font=font)
    pad = size // 2
    box = (pad, pad, pad + (right - left) + 2 * pad, pad + (bottom - top) + 2 * pad)
    draw.rounded_rectangle(box, radius=pad, fill=(29, 39, 59, 215))
    draw.text((box[0] + pad - left, box[1] + pad - top), BANNER_TEXT, font=font, fill=(255, 255, 255, 255))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=88)
    return out.getvalue()


def banner_name(original: bytes) -> str:
    digest = hashlib.sha256(original + BANNER_VERSION.encode()).hexdigest()[:40]
    return f"tours/banners/{digest}.jpg"


def title_image(prop: Property, channel: str) -> str | None:
    """The storage name of the banner copy of the title picture, or None (not published, no photo)."""
    if published_tour(prop, channel) is None:
        return None
    photo = _title_photo(prop)
    if photo is None:
        return None
    try:
        with photo.file.open("rb") as fh:  # type: ignore[attr-defined]  # a PropertyImage
            original = fh.read()
        name = banner_name(original)
        if not default_storage.exists(name):
            name = default_storage.save(name, ContentFile(banner_bytes(original)))
    except (OSError, ValueError, Image.DecompressionBombError):
        return None  # a broken picture: the original goes out as it is
    return name


def tour_link_for_mail(ctx: MailContext, contact: Contact, prop: Property) -> str:
    """`{{ objekt.rundgang_link }}`: the open link of the property's published tour."""
    tour = published_tour(prop, "expose")
    if tour is None:
        raise FieldUnavailable(_("the property has no published virtual tour"))
    return tour.open_url
