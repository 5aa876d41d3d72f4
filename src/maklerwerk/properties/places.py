"""Coordinates from the address without internet, never typed (see NOTICE for both data sets).

`data/de_places.tsv` holds the ~12,000 German places with 500 or more inhabitants (GeoNames, CC BY 4.0;
scripts/build_de_places.py), `data/de_postcodes.tsv` the centre of each of the ~8,200 postcode areas
(OpenStreetMap, ODbL; scripts/build_de_postcodes.py). A property gets, in this order, its postcode
area's centre (when that lies near the city: a typo in the PLZ does not move a flat to another town),
its district's point when the district is a place of its own near the city, or its city's point.
A postcode area is a city district in a city (60385 is Frankfurt-Bornheim) and a village or two in the
country: good enough for radius search and a map of the neighbourhood, never an address.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from pathlib import Path

from maklerwerk.properties.geo import normalize_place

DATA = Path(__file__).resolve().parent / "data" / "de_places.tsv"
POSTCODES = DATA.with_name("de_postcodes.tsv")
DISTRICT_RADIUS_KM = 15  # "Bornheim" in Frankfurt, not Bornheim near Bonn
POSTCODE_RADIUS_KM = 25  # Berlin's outer postcodes lie ~20 km from its centre point


class Level(StrEnum):
    """How precise derived coordinates are: what a map may draw and the page says."""

    POSTCODE = "postcode"
    DISTRICT = "district"
    CITY = "city"


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


@functools.cache
def _postcodes() -> dict[str, Place]:
    found: dict[str, Place] = {}
    with POSTCODES.open(encoding="utf-8") as rows:
        for line in rows:
            if not line.startswith("#"):
                code, lat, lon = line.rstrip("\n").split("\t")
                found[code] = Place(code, float(lat), float(lon), 0)
    return found


def _candidates(name: str) -> list[Place]:
    names, alternates = _index()
    key = normalize_place(name)
    return names.get(key) or alternates.get(key) or []


def _km(a: Place, b: Place) -> float:
    """Equirectangular distance: exact enough within a city."""
    x = math.radians(b.longitude - a.longitude) * math.cos(math.radians((a.latitude + b.latitude) / 2))
    y = math.radians(b.latitude - a.latitude)
    return 6371 * math.hypot(x, y)


@dataclass(frozen=True)
class Located:
    latitude: Decimal
    longitude: Decimal
    level: Level


def locate(*, city: str, district: str = "", postal_code: str = "", country: str = "DEU") -> Located | None:
    """The most precise point the address gives (postcode area, district, city), or None."""
    if (country or "").upper() not in {"DE", "DEU"}:
        return None
    found = _candidates(city) if (city or "").strip() else []
    town = max(found, key=lambda p: p.population) if found else None  # Frankfurt am Main, not a hamlet
    area = _postcodes().get((postal_code or "").strip())
    if area is not None and (town is None or _km(area, town) <= POSTCODE_RADIUS_KM):
        return _located(area, Level.POSTCODE)
    if town is None:
        return None
    near = [p for p in _candidates(district) if _km(p, town) <= DISTRICT_RADIUS_KM] if district else []
    if near:
        return _located(min(near, key=lambda p: _km(p, town)), Level.DISTRICT)
    return _located(town, Level.CITY)


def _located(place: Place, level: Level) -> Located:
    return Located(Decimal(f"{place.latitude:.6f}"), Decimal(f"{place.longitude:.6f}"), level)


def place_coordinates(
    *, city: str, district: str = "", postal_code: str = "", country: str = "DEU"
) -> tuple[Decimal, Decimal] | None:
    """(latitude, longitude) of the postcode area, district or city, or None when none is known."""
    found = locate(city=city, district=district, postal_code=postal_code, country=country)
    return None if found is None else (found.latitude, found.longitude)


def places_near(latitude: float, longitude: float, *, km: float, limit: int) -> list[tuple[Place, float]]:
    """The largest places within `km` of a point with their distance, for a sketch of the area."""
    centre = Place("", latitude, longitude, 0)
    names, _alternates = _index()
    around = {
        (p.name, p.latitude, p.longitude): p
        for group in names.values()
        for p in group
        if abs(p.latitude - latitude) < km / 100 and _km(centre, p) <= km
    }
    largest = sorted(around.values(), key=lambda p: -p.population)[:limit]
    return [(p, _km(centre, p)) for p in largest]


def locate_text(text: str) -> tuple[Located, str] | None:
    """A point for what an agent types as the centre of a radius: "50667", "50667 Köln", "Köln",
    "Köln-Ehrenfeld" or "Ehrenfeld, Köln"; with the name the page shows back. None when unknown."""
    value = " ".join((text or "").replace(",", ", ").split())
    code = next((w for w in value.split() if w.isdigit() and len(w) == 5), "")
    words = " ".join(w for w in value.split() if w != code).strip(" ,")
    if code and code in _postcodes():
        area = _postcodes()[code]
        place = locate(city=words, postal_code=code) if words else _located(area, Level.POSTCODE)
        if place is not None:
            return place, f"{code} {words}".strip()
    if not words:
        return None
    found = locate(city=words)
    if found is not None:
        return found, words
    # "Köln-Ehrenfeld", "Ehrenfeld, Köln": the larger place is the city (Frankfurt, not Bornheim near
    # Bonn); the district's point where it is a place of its own, else the city's.
    for sep in (",", "-"):
        head, _, tail = (part.strip() for part in words.partition(sep))
        orders = [(city, district) for city, district in ((head, tail), (tail, head)) if city and district]
        orders.sort(key=lambda order: -max((p.population for p in _candidates(order[0])), default=-1))
        for city, district in orders:
            found = locate(city=city, district=district)
            if found is not None:
                return found, words
    return None


def place_name_near(latitude: float, longitude: float) -> str:
    """How to show a stored radius centre: its postcode or place when it is one's point (what
    `locate_text` gave), else the nearest known place; "" when none lies near."""
    exact = (round(latitude, 4), round(longitude, 4))
    for code, area in _postcodes().items():
        if (round(area.latitude, 4), round(area.longitude, 4)) == exact:
            return code
    near = places_near(latitude, longitude, km=8, limit=50)
    return min(near, key=lambda found: found[1])[0].name if near else ""
