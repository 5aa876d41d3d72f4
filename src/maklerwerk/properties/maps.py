"""The map on a property's overview: where it lies, drawn without asking anybody by default.

By default the page makes no request to a third party (an agent's browser would tell a tile server
which properties the office looks at): the map is a sketch drawn here from the packaged place list,
the neighbouring towns around the property's postcode area, district or city. When the office names a
tile server in its settings (OpenStreetMap's, or its own), the map is made of that server's tiles, and
only then the page's Content-Security-Policy allows images from that server.
The point is a postcode area's or a place's centre, never the address: both maps draw a circle.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponse
from django.utils.translation import gettext as _

from maklerwerk.properties.models import Property
from maklerwerk.properties.places import Level, locate, places_near

TILE = 256
# What the map shows around the point, by how precise the point is: zoom for tiles, km for the sketch,
# and the radius of the circle (metres) that says "somewhere here".
ZOOM = {Level.POSTCODE: 14, Level.DISTRICT: 13, Level.CITY: 12, None: 12}
SKETCH_KM = {Level.POSTCODE: 10.0, Level.DISTRICT: 12.0, Level.CITY: 18.0, None: 18.0}  # half the width
CIRCLE_M = {Level.POSTCODE: 900, Level.DISTRICT: 1500, Level.CITY: 3000, None: 3000}
SKETCH_W, SKETCH_H = 400, 280
TILES_W, TILES_H = 768, 320  # the tile block: wider than any column the map sits in, cut by CSS


@dataclass(frozen=True)
class Label:
    name: str
    x: float
    y: float
    r: float
    big: bool


def point_level(prop: Property) -> Level | None:
    """How precise the stored point is, or None when it was given (API, import), not derived."""
    found = locate(city=prop.city, district=prop.district, postal_code=prop.postal_code, country=prop.country)
    if found is None or (found.latitude, found.longitude) != (prop.latitude, prop.longitude):
        return None
    return found.level


def level_text(prop: Property, level: Level | None) -> str:
    if level is Level.POSTCODE:
        return _("approximate location: centre of postcode area %(code)s") % {"code": prop.postal_code}
    if level is Level.DISTRICT:
        return _("approximate location: district %(name)s") % {"name": prop.district}
    if level is Level.CITY:
        return _("approximate location: centre of %(name)s") % {"name": prop.city}
    return _("coordinates as given")


def _sketch(lat: float, lon: float, level: Level | None) -> dict[str, Any]:
    """Neighbouring places as labelled dots around the point, in SVG user units."""
    km = SKETCH_KM[level]
    scale = (SKETCH_W / 2) / km  # units per km
    labels: list[Label] = []
    boxes: list[tuple[float, float, float, float]] = [(0, SKETCH_H - 32, 90, SKETCH_H)]  # the scale bar
    for place, _distance in places_near(lat, lon, km=km * 1.2, limit=30):
        x = SKETCH_W / 2 + (place.longitude - lon) * 111.32 * math.cos(math.radians(lat)) * scale
        y = SKETCH_H / 2 - (place.latitude - lat) * 110.57 * scale
        big = place.population >= 50_000
        width = len(place.name) * (6.6 if big else 5.6)
        box = (x - 4, y - 14, x + 5 + width, y + 4)
        if box[0] < 0 or box[1] < 0 or box[2] > SKETCH_W or box[3] > SKETCH_H:
            continue  # a name cut at the edge reads as another place
        if any(b[0] < box[2] and box[0] < b[2] and b[1] < box[3] and box[1] < b[3] for b in boxes):
            continue  # a label over another one helps nobody
        boxes.append(box)
        labels.append(Label(place.name, round(x, 1), round(y, 1), 3.5 if big else 2.2, big))
    bar_km = next(k for k in (0.5, 1, 2, 5, 10) if k * scale >= 40)
    return {
        "width": SKETCH_W,
        "height": SKETCH_H,
        "labels": labels,
        "circle": round(CIRCLE_M[level] / 1000 * scale, 1),
        "bar_km": bar_km,
        "bar_px": round(bar_km * scale, 1),
    }


def _tiles(lat: float, lon: float, level: Level | None, url: str) -> dict[str, Any]:
    """The tiles around the point at the level's zoom, placed in pixels relative to the point."""
    zoom = ZOOM[level]
    n = 2**zoom
    px = (lon + 180) / 360 * n * TILE
    py = (1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n * TILE
    tiles = []
    for ty in range(math.floor((py - TILES_H / 2) / TILE), math.floor((py + TILES_H / 2) / TILE) + 1):
        for tx in range(math.floor((px - TILES_W / 2) / TILE), math.floor((px + TILES_W / 2) / TILE) + 1):
            src = url.replace("{z}", str(zoom)).replace("{x}", str(tx % n)).replace("{y}", str(ty))
            tiles.append({"src": src, "left": round(tx * TILE - px), "top": round(ty * TILE - py)})
    metres_per_px = 156_543.03 * math.cos(math.radians(lat)) / n
    radius = round(CIRCLE_M[level] / metres_per_px)
    return {"tiles": tiles, "circle": radius, "diameter": 2 * radius, "zoom": zoom}


def map_context(prop: Property, *, tile_url: str) -> dict[str, Any] | None:
    """What `properties/_map.html` draws, or None when the property has no coordinates."""
    if prop.latitude is None or prop.longitude is None:
        return None
    lat, lon = float(prop.latitude), float(prop.longitude)
    level = point_level(prop)
    context: dict[str, Any] = {
        "level_text": level_text(prop, level),
        "osm_link": f"https://www.openstreetmap.org/?mlat={lat:.4f}&mlon={lon:.4f}#map={ZOOM[level]}/{lat:.4f}/{lon:.4f}",
        "tile_host": urlsplit(tile_url).netloc if tile_url else "",
    }
    if tile_url:
        context["tiles"] = _tiles(lat, lon, level, tile_url)
    else:
        context["sketch"] = _sketch(lat, lon, level)
    return context


def allow_tiles(response: HttpResponse, tile_url: str) -> HttpResponse:
    """Let the page load images from the office's tile server (and from nowhere else new)."""
    if tile_url:
        parts = urlsplit(tile_url)
        config = {**settings.SECURE_CSP}
        sources = cast(list[str], config.get("img-src", []))
        config["img-src"] = [*sources, f"{parts.scheme}://{parts.netloc}"]
        response._csp_config = config  # type: ignore[attr-defined]  # read by Django's CSP middleware
    return response
