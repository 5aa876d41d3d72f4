"""Virtual-tour providers: recognised from a pasted link or id, never refused.

A provider is a registry-style record, not a table: its URL patterns (the tour id is the
pattern's `id` group), how its embed URL is built and whether its embed reports the current room.
An unknown link is kept as "generic" with the link itself as the open and embed URL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

GENERIC = "generic"


@dataclass(frozen=True)
class Provider:
    key: str
    label: str
    patterns: tuple[re.Pattern[str], ...]
    embed: str  # format string with {id}; "" = the link itself
    reports_rooms: bool = False


def _p(*patterns: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, re.I) for p in patterns)


PROVIDERS: tuple[Provider, ...] = (
    Provider(
        "matterport",
        "Matterport",
        _p(
            r"^https?://(?:my\.)?matterport\.com/(?:show|discover/space)/?\?(?:[^#]*&)?m=(?P<id>[A-Za-z0-9]{11})"
        ),
        "https://my.matterport.com/show/?m={id}&play=1",
        reports_rooms=True,
    ),
    Provider(
        "immoviewer",
        "immoviewer",
        _p(
            r"^https?://(?:[a-z0-9-]+\.)?immoviewer\.com/(?:[a-z]{2}/)?(?:tour|portal/tour|ppt)/(?P<id>[A-Za-z0-9_-]+)"
        ),
        "https://app.immoviewer.com/tour/{id}",
    ),
    Provider(
        "ogulo",
        "Ogulo",
        _p(r"^https?://(?:[a-z0-9-]+\.)?ogulo\.(?:com|de)/(?:tour/|view/|)(?P<id>[A-Za-z0-9_-]+)"),
        "https://tour.ogulo.com/{id}",
    ),
    Provider(
        "3dvista",
        "3DVista",
        _p(
            r"^https?://(?:[a-z0-9-]+\.)?3dvista\.com/(?:tours?/)?(?P<id>[A-Za-z0-9_-]+)",
            r"^https?://(?:[a-z0-9-]+\.)?3dvista-?hosting\.com/(?P<id>[A-Za-z0-9_/-]+?)/?(?:index\.htm)?$",
        ),
        "",
    ),
    Provider(
        "giraffe360",
        "Giraffe360",
        _p(r"^https?://(?:[a-z0-9-]+\.)?giraffe360\.com/(?:[a-z0-9-]+/)*(?P<id>[A-Za-z0-9_-]{6,})/?$"),
        "",
    ),
)
BY_KEY: dict[str, Provider] = {p.key: p for p in PROVIDERS}
CHOICES: list[tuple[str, str]] = [(p.key, p.label) for p in PROVIDERS] + [(GENERIC, "Andere (generisch)")]
MATTERPORT_ID = re.compile(r"^[A-Za-z0-9]{11}$")


@dataclass(frozen=True)
class Recognised:
    provider: str
    external_id: str
    open_url: str
    embed_url: str


def is_web_url(text: str) -> bool:
    parts = urlsplit(text)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not any(c.isspace() for c in text)


def recognise(text: str, *, provider: str = "") -> Recognised:
    """The provider, its tour id and the URLs for a pasted link or id.

    A link no pattern knows becomes "generic" (the link is both open and embed URL). A bare id
    needs `provider` (e.g. a Matterport model id); with none it is kept as a generic id.
    """
    value = (text or "").strip()
    if is_web_url(value):
        for p in PROVIDERS:
            for pattern in p.patterns:
                m = pattern.match(value)
                if m:
                    ident = m.group("id").strip("/")
                    embed = p.embed.format(id=ident) if p.embed else value
                    return Recognised(p.key, ident, value, embed)
        return Recognised(GENERIC, "", value, value)
    known = BY_KEY.get(provider)
    if known is None and MATTERPORT_ID.match(value) and provider in ("", "matterport"):
        known = BY_KEY["matterport"]
    if known is not None and known.embed and value:
        url = known.embed.format(id=value)
        return Recognised(known.key, value, url, url)
    return Recognised(provider if provider in BY_KEY else GENERIC, value, "", "")


def label(key: str) -> str:
    return dict(CHOICES).get(key, key)
