"""What other apps add to a property's media where it is published (exposé, portals).

The virtual-tour app registers a `MediaExtra` in its ready(): the open tour link and a title
picture with a "360°" banner. Exposés and portal exporters ask here, so they need not know the
apps built on them (no import circle). `channel` is "expose", or a portal's channel
"openimmo:<portal id>" / "is24:<portal id>" (`portal_channel`); plain "openimmo" names any OpenImmo feed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from maklerwerk.core.registry import Registry

if TYPE_CHECKING:
    from maklerwerk.properties.models import Property


@dataclass(frozen=True)
class ExternalLink:
    url: str
    title: str
    kind: str = "tour"  # virtual tour: OpenImmo geo/virtuelletour and anhang gruppe="LINKS"


@dataclass(frozen=True)
class MediaExtra:
    key: str
    links: Callable[[Property, str], list[ExternalLink]]
    # The name (in the default storage) of the JPEG that replaces the title picture in
    # `channel`, or None for the original.
    title_image: Callable[[Property, str], str | None]
    order: int = 50


MEDIA_EXTRAS: Registry[MediaExtra] = Registry("property media extras")


def portal_channel(kind: str, portal_id: int | None) -> str:
    """The channel of one portal: its kind ("openimmo" or "is24") and its id, so an extra can be
    switched off per portal."""
    return f"{kind}:{portal_id}" if portal_id else kind


def extra_links(prop: Property, channel: str) -> list[ExternalLink]:
    return [link for extra in MEDIA_EXTRAS for link in extra.links(prop, channel)]


def title_image(prop: Property, channel: str) -> str | None:
    for extra in MEDIA_EXTRAS:
        name = extra.title_image(prop, channel)
        if name is not None:
            return name
    return None
