"""Upload names are never trusted: helpers for the name we show and the extension we store."""

from __future__ import annotations

import os
import re
import unicodedata

_SAFE_EXT = re.compile(r"^\.[a-z0-9]{1,10}$")


def clean_upload_name(name: str) -> str:
    """The last path component, printable, without control characters or leading dots; "" if nothing is left.

    "../../etc/passwd" → "passwd", "C:\\\\Windows\\\\evil.bat" → "evil.bat", ".." → "".
    """
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/")
    name = name.rsplit("/", 1)[-1]
    name = "".join(c for c in name if c.isprintable() and c not in '<>:"|?*').strip().lstrip(".").strip()
    return name[:200]


def safe_extension(name: str) -> str:
    ext = os.path.splitext(clean_upload_name(name))[1].lower()
    return ext if _SAFE_EXT.match(ext) else ""
