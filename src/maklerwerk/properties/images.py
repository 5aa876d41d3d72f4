"""Checking and preparing uploaded pictures with Pillow, before anything is written.

Every file of an upload is read completely first (size limit, real image, decompression bombs),
EXIF orientation is applied and the metadata dropped (no GPS position of the photographer leaves
the office), and a thumbnail is made. Only when all files passed does the service store them.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from maklerwerk.core.exceptions import ApplicationError

# 60 megapixels is far above any camera photo; beyond it Pillow warns, beyond twice it refuses.
# We treat the warning as an error too (see `prepare_image`).
Image.MAX_IMAGE_PIXELS = 60_000_000
ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
THUMBNAIL_SIZE = (480, 360)
MAX_EDGE = 4000


@dataclass
class PreparedImage:
    name: str
    content: bytes
    thumbnail: bytes
    width: int
    height: int


def max_image_bytes() -> int:
    return min(settings.MAX_UPLOAD_BYTES, 20 * 1024 * 1024)


def prepare_image(upload: Any) -> PreparedImage:
    """Validate one uploaded file and return the stored and thumbnail versions; ApplicationError if bad."""
    name = getattr(upload, "name", "bild") or "bild"
    limit = max_image_bytes()
    if (getattr(upload, "size", 0) or 0) > limit:
        raise ApplicationError(
            _("%(name)s is too large (at most %(mb)s MB).") % {"name": name, "mb": limit // (1024 * 1024)},
            extra={"field": "files"},
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            upload.seek(0)
            probe = Image.open(upload)
            probe.verify()
            upload.seek(0)
            image = Image.open(upload)
            if image.format not in ALLOWED_FORMATS:
                raise ApplicationError(
                    _("%(name)s is not a supported image (JPEG, PNG, WebP or GIF).") % {"name": name},
                    extra={"field": "files"},
                )
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ApplicationError(
            _("%(name)s has too many pixels and was refused.") % {"name": name}, extra={"field": "files"}
        ) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ApplicationError(
            _("%(name)s is not an image or is damaged.") % {"name": name}, extra={"field": "files"}
        ) from exc
    fmt = image.format or "JPEG"
    image = ImageOps.exif_transpose(image)  # type: ignore[assignment]  # an Image from here on
    if max(image.size) > MAX_EDGE:
        image.thumbnail((MAX_EDGE, MAX_EDGE))
    out_format = "PNG" if fmt in {"PNG", "GIF"} else "JPEG"
    content = _encode(image, out_format)
    thumb = image.copy()
    thumb.thumbnail(THUMBNAIL_SIZE)
    stem = name.rsplit("/", 1)[-1].rsplit(".", 1)[0][:80] or "bild"
    return PreparedImage(
        name=f"{stem}.{'png' if out_format == 'PNG' else 'jpg'}",
        content=content,
        thumbnail=_encode(thumb, "JPEG"),
        width=image.width,
        height=image.height,
    )


def _encode(image: Image.Image, fmt: str) -> bytes:
    buf = io.BytesIO()
    if fmt == "JPEG":
        if image.mode not in ("RGB", "L"):
            background = Image.new("RGB", image.size, "white")
            rgba = image.convert("RGBA")
            background.paste(rgba, mask=rgba.split()[-1])
            image = background
        image.save(buf, "JPEG", quality=85, optimize=True)
    else:
        image.save(buf, "PNG", optimize=True)
    return buf.getvalue()
