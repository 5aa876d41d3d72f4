"""Coordinates from the address without internet: German places from GeoNames (CC BY 4.0, see NOTICE).

`data/de_places.tsv` holds the ~12,000 German places with 500 or more inhabitants (built by
scripts/build_de_places.py). A property gets its place's coordinates, or its district's when the
district is a place of its own near the city. Good enough for radius search and a map, never typed.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from maklerwerk.properties.geo import normalize_place

DATA = Path(__file__).resolve().parent / "data" / "de_places.tsv"
DISTRICT_RADIUS_KM = 15  # "Bornheim" in Frankfurt, not Bornheim near Bonn


@dataclass(frozen=True)
class Place:
    name: str
    latitude: float
    longitude: float
    population: int


@functools.cache
def _index() -> tuple[dict[str, list[Place]], dict[str, list[Place]]]:
    names: dict[str, list[Place]] = {}
    alternates: dict[str, list[Place]] = {}
    with DATA.open(encoding="utf-8") as rows:
        for line in rows:
            if line.startswith("#"):
                continue
            name, lat, lon, population, _admin1, alt = line.rstrip("\n").split("\t")
            place = Place(name, float(lat), float(lon), int(population))
            names.setdefault(normalize_place(name), []).append(place)
            for other in filter(None, alt.split("|")):
                alternates.setdefault(normalize_place(other), []).append(place)
    return names, alternates


def _candidates(name: str) -> list[Place]:
    names, alternates = _index()
    key = normalize_place(name)
    return names.get(key) or alternates.get(key) or []


def _km(a: Place, b: Place) -> float:
    """Equirectangular distance: exact enough within a city."""
    x = math.radians(b.longitude - a.longitude) * math.cos(math.radians((a.latitude + b.latitude) / 2))
    y = math.radians(b.latitude - a.latitude)
    return 6371 * math.hypot(x, y)


def place_coordinates(
    *, city: str, district: str = "", country: str = "DEU"
) -> tuple[Decimal, Decimal] | None:
    """(latitude, longitude) of the district or city, or None when the place is not known."""
    if (country or "").upper() not in {"DE", "DEU"} or not (city or "").strip():
        return None
    found = _candidates(city)
    if not found:
        return None
    place = max(found, key=lambda p: p.population)  # Frankfurt am Main, not a hamlet of that name
    near = [p for p in _candidates(district) if _km(p, place) <= DISTRICT_RADIUS_KM] if district else []
    if near:
        place = min(near, key=lambda p: _km(p, place))
    return Decimal(f"{place.latitude:.6f}"), Decimal(f"{place.longitude:.6f}")
