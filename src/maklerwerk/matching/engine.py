"""Matching a property against a search profile: pure functions over plain values, no database.

`evaluate(profile, prop, tolerance)` explains every criterion of the profile in German ("Preis 4 %
über Maximum") and returns None when a must criterion (K.O.) is missed. The selectors find the few
candidates with indexes first; this module decides and explains.
"""

from __future__ import annotations

import builtins
import functools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from maklerwerk.properties.geo import normalize_place

Status = Literal["met", "near_miss", "missed"]
ENERGY_ORDER = ["A+", "A", "B", "C", "D", "E", "F", "G", "H"]
EARTH_RADIUS_KM = 6371.0088

# How much each criterion counts in the score (0 to 100).
WEIGHTS = {
    "marketing_type": 1,
    "location": 3,
    "object_kind": 2,
    "price": 3,
    "living_area": 2,
    "rooms": 1,
    "plot_area": 1,
    "features": 1,
    "year_built": 1,
    "energy_class": 1,
}
_POINTS = {"met": 1.0, "near_miss": 0.5, "missed": 0.0}
# Translated when an explanation is read (see `Criterion`), not on every evaluation.
PRICE_LABEL = gettext_noop("Price")
LIVING_AREA_LABEL = gettext_noop("Living area")
ROOMS_LABEL = gettext_noop("Rooms")
PLOT_AREA_LABEL = gettext_noop("Plot area")


@dataclass(frozen=True)
class Tolerance:
    """Near-miss tolerances of the office: relative for price and areas, absolute for rooms."""

    price: float = 0.10
    area: float = 0.10
    rooms: float = 1.0


@dataclass(frozen=True)
class PropertyFacts:
    id: int
    marketing_type: str
    object_kind: str
    price: float | None = None
    living_area: float | None = None
    plot_area: float | None = None
    rooms: float | None = None
    postal_code: str = ""
    city: str = ""
    district: str = ""
    latitude: float | None = None
    longitude: float | None = None
    features: frozenset[str] = frozenset()
    year_built: int | None = None
    energy_class: str = ""


@dataclass(frozen=True)
class ProfileCriteria:
    id: int
    contact_id: int
    marketing_type: str
    object_kinds: tuple[str, ...] = ()
    price_min: float | None = None
    price_max: float | None = None
    living_area_min: float | None = None
    living_area_max: float | None = None
    rooms_min: float | None = None
    rooms_max: float | None = None
    plot_area_min: float | None = None
    postal_codes: tuple[str, ...] = ()
    cities: tuple[str, ...] = ()
    radius_km: float | None = None
    latitude: float | None = None
    longitude: float | None = None
    features: tuple[str, ...] = ()
    year_built_min: int | None = None
    energy_class_worst: str = ""
    must: frozenset[str] = frozenset({"object_kind", "price", "living_area"})


class Criterion:
    """One criterion's verdict. The German explanation is built only when read: formatting numbers
    and translating is most of the cost of matching, and lists often show only the first matches."""

    __slots__ = ("_detail", "must", "name", "status")

    def __init__(self, name: str, status: Status, must: bool, detail: str | Callable[[], str]) -> None:
        self.name, self.status, self.must, self._detail = name, status, must, detail

    @builtins.property
    def detail(self) -> str:
        if callable(self._detail):
            self._detail = self._detail()
        return self._detail

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "status": self.status, "must": self.must, "detail": self.detail}

    def __repr__(self) -> str:
        return f"Criterion({self.name!r}, {self.status!r}, must={self.must})"


@dataclass
class MatchResult:
    property_id: int
    search_profile_id: int
    contact_id: int
    score: int
    kind: Literal["match", "near_miss"]
    criteria: list[Criterion] = field(default_factory=list)


# --- helpers ---------------------------------------------------------------------------------------


def _f(value: Any) -> float | None:
    return None if value is None else float(value)


def _num(value: float, digits: int = 0) -> str:
    return number_format(
        Decimal(str(round(value, digits))), decimal_pos=digits, use_l10n=True, force_grouping=True
    )


def _in_search_area(place: str) -> str:
    return _("%(place)s is in the search area") % {"place": place}


def _money(value: float) -> str:
    return f"{_num(value)} €"


def _area(value: float) -> str:
    return f"{_num(value)} m²"


def _rooms(value: float) -> str:
    return _num(value, 1).replace(",0", "").replace(".0", "")


def _percent(part: float, whole: float) -> int:
    return max(1, round(100 * part / whole)) if whole else 100


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(lat: float, lon: float, radius_km: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) of a circle, a little generous; exact check follows."""
    dlat = radius_km / 110.574 * 1.001
    cos_lat = max(0.01, math.cos(math.radians(min(89.0, abs(lat) + dlat))))
    dlon = min(180.0, radius_km / (111.320 * cos_lat) * 1.001)
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon


# --- criteria --------------------------------------------------------------------------------------


def _range_text(
    label: str,
    value: float | None,
    low: float | None,
    high: float | None,
    fmt: Callable[[float], str],
    relative: bool,
) -> str:
    """The explanation of a range criterion (built lazily, see `Criterion`)."""
    label = _(label)
    if value is None:
        return _("%(label)s: not stated") % {"label": label}
    if high is not None and value > high:
        if relative:
            return _("%(label)s %(percent)s %% above maximum") % {
                "label": label,
                "percent": _percent(value - high, high),
            }
        return _("%(label)s %(value)s, maximum %(limit)s") % {
            "label": label,
            "value": fmt(value),
            "limit": fmt(high),
        }
    if low is not None and value < low:
        if relative:
            return _("%(label)s %(percent)s %% below minimum") % {
                "label": label,
                "percent": _percent(low - value, low),
            }
        return _("%(label)s %(value)s, minimum %(limit)s") % {
            "label": label,
            "value": fmt(value),
            "limit": fmt(low),
        }
    if low is not None and high is not None:
        bounds = _("%(low)s to %(high)s") % {"low": fmt(low), "high": fmt(high)}
    elif high is not None:
        bounds = _("up to %(high)s") % {"high": fmt(high)}
    else:
        bounds = _("from %(low)s") % {"low": fmt(low)}  # type: ignore[arg-type]  # one bound is set
    return _("%(label)s %(value)s within range (%(bounds)s)") % {
        "label": label,
        "value": fmt(value),
        "bounds": bounds,
    }


def _range(
    name: str,
    label: str,
    value: float | None,
    low: float | None,
    high: float | None,
    must: bool,
    fmt: Callable[[float], str],
    relative: float | None = None,
    absolute: float | None = None,
) -> Criterion:
    """A range criterion (`low` or `high` set; the caller skips a range without either). `label` is
    untranslated (gettext_noop): translating it is part of the lazy text."""
    status: Status = "met"
    if value is None:
        status = "near_miss"
    elif high is not None and value > high:
        allowed = high * relative if relative is not None else absolute or 0
        status = "near_miss" if value - high <= allowed else "missed"
    elif low is not None and value < low:
        allowed = low * relative if relative is not None else absolute or 0
        status = "near_miss" if low - value <= allowed else "missed"
    return Criterion(
        name, status, must, lambda: _range_text(label, value, low, high, fmt, relative is not None)
    )


def _location(profile: ProfileCriteria, prop: PropertyFacts) -> Criterion | None:
    if profile.radius_km is not None and profile.latitude is not None and profile.longitude is not None:
        km = profile.radius_km
        radius = lambda: _num(km, 1 if km % 1 else 0)  # noqa: E731
        if prop.latitude is None or prop.longitude is None:
            return Criterion(
                "location", "missed", True, lambda: _("No coordinates, radius search not possible")
            )
        d = distance_km(profile.latitude, profile.longitude, prop.latitude, prop.longitude)
        if d <= profile.radius_km:
            return Criterion(
                "location",
                "met",
                True,
                lambda: (
                    _("%(distance)s km from the search point (radius %(radius)s km)")
                    % {"distance": _num(d, 1), "radius": radius()}
                ),
            )
        return Criterion(
            "location",
            "missed",
            True,
            lambda: (
                _("%(distance)s km from the search point, outside the radius of %(radius)s km")
                % {"distance": _num(d, 1), "radius": radius()}
            ),
        )
    if not profile.postal_codes and not profile.cities:
        return None
    if prop.postal_code and prop.postal_code in profile.postal_codes:
        return Criterion(
            "location",
            "met",
            True,
            lambda: _("Postal code %(code)s is in the search area") % {"code": prop.postal_code},
        )
    wanted = {normalize_place(c) for c in profile.cities}
    for place in (prop.city, prop.district):
        if place and normalize_place(place) in wanted:
            return Criterion(
                "location",
                "met",
                True,
                functools.partial(_in_search_area, place),
            )
    where = " ".join(p for p in (prop.postal_code, prop.city) if p) or "–"
    return Criterion(
        "location", "missed", True, lambda: _("%(place)s is outside the search area") % {"place": where}
    )


def _object_kind(
    profile: ProfileCriteria, prop: PropertyFacts, labels: Mapping[str, str]
) -> Criterion | None:
    if not profile.object_kinds:
        return None
    must = "object_kind" in profile.must
    label = labels.get(prop.object_kind, prop.object_kind)
    if prop.object_kind in profile.object_kinds:
        return Criterion(
            "object_kind", "met", must, lambda: _("Object kind %(kind)s is wanted") % {"kind": label}
        )
    return Criterion(
        "object_kind", "missed", must, lambda: _("Object kind %(kind)s is not wanted") % {"kind": label}
    )


def _features(profile: ProfileCriteria, prop: PropertyFacts, labels: Mapping[str, str]) -> Criterion | None:
    if not profile.features:
        return None
    must = "features" in profile.must
    missing = [f for f in profile.features if f not in prop.features]

    def names() -> str:
        return ", ".join(labels.get(f, f) for f in (missing or profile.features))

    if not missing:
        return Criterion("features", "met", must, lambda: _("Has %(features)s") % {"features": names()})
    partial = len(missing) < len(profile.features)
    status: Status = "near_miss" if partial and not must else "missed"
    return Criterion("features", status, must, lambda: _("Missing: %(features)s") % {"features": names()})


def _year_built(profile: ProfileCriteria, prop: PropertyFacts) -> Criterion | None:
    if profile.year_built_min is None:
        return None
    must = "year_built" in profile.must
    if prop.year_built is None:
        return Criterion("year_built", "near_miss", must, lambda: _("Year built not stated"))
    if prop.year_built >= profile.year_built_min:
        return Criterion(
            "year_built",
            "met",
            must,
            lambda: (
                _("Built %(year)s (from %(min)s)") % {"year": prop.year_built, "min": profile.year_built_min}
            ),
        )
    return Criterion(
        "year_built",
        "missed",
        must,
        lambda: (
            _("Built %(year)s, wanted from %(min)s")
            % {"year": prop.year_built, "min": profile.year_built_min}
        ),
    )


def _energy(profile: ProfileCriteria, prop: PropertyFacts) -> Criterion | None:
    if not profile.energy_class_worst:
        return None
    must = "energy_class" in profile.must
    if prop.energy_class not in ENERGY_ORDER:
        return Criterion("energy_class", "near_miss", must, lambda: _("Energy class not stated"))
    if ENERGY_ORDER.index(prop.energy_class) <= ENERGY_ORDER.index(profile.energy_class_worst):
        return Criterion(
            "energy_class",
            "met",
            must,
            lambda: (
                _("Energy class %(cls)s (at worst %(worst)s)")
                % {"cls": prop.energy_class, "worst": profile.energy_class_worst}
            ),
        )
    return Criterion(
        "energy_class",
        "missed",
        must,
        lambda: (
            _("Energy class %(cls)s is worse than %(worst)s")
            % {"cls": prop.energy_class, "worst": profile.energy_class_worst}
        ),
    )


def evaluate(
    profile: ProfileCriteria,
    prop: PropertyFacts,
    tolerance: Tolerance = Tolerance(),
    *,
    kind_labels: Mapping[str, str] | None = None,
    feature_labels: Mapping[str, str] | None = None,
    marketing_labels: Mapping[str, str] | None = None,
) -> MatchResult | None:
    """The explained match of `prop` for `profile`, or None if a must criterion is missed."""
    if profile.marketing_type != prop.marketing_type:
        return None
    m = profile.must
    mt_label = (marketing_labels or {}).get(prop.marketing_type, prop.marketing_type)
    # Built one by one, the absent criteria skipped before a call: this runs for every candidate.
    present = [
        Criterion("marketing_type", "met", True, lambda: _("Marketing type %(type)s") % {"type": mt_label})
    ]
    for found in (_location(profile, prop), _object_kind(profile, prop, kind_labels or {})):
        if found is not None:
            present.append(found)
    low, high = profile.price_min, profile.price_max
    if low is not None or high is not None:
        present.append(
            _range("price", PRICE_LABEL, prop.price, low, high, "price" in m, _money, tolerance.price, None)
        )
    low, high = profile.living_area_min, profile.living_area_max
    if low is not None or high is not None:
        present.append(
            _range("living_area", LIVING_AREA_LABEL, prop.living_area, low, high, "living_area" in m, _area,
                   tolerance.area, None)
        )  # fmt: skip
    low, high = profile.rooms_min, profile.rooms_max
    if low is not None or high is not None:
        present.append(
            _range("rooms", ROOMS_LABEL, prop.rooms, low, high, "rooms" in m, _rooms, None, tolerance.rooms)
        )
    if profile.plot_area_min is not None:
        present.append(
            _range("plot_area", PLOT_AREA_LABEL, prop.plot_area, profile.plot_area_min, None,
                   "plot_area" in m, _area, tolerance.area, None)
        )  # fmt: skip
    for found in (
        _features(profile, prop, feature_labels or {}),
        _year_built(profile, prop),
        _energy(profile, prop),
    ):
        if found is not None:
            present.append(found)
    total = points = 0.0
    near = False
    for c in present:  # one loop: this runs for every candidate of every match list
        if c.must and c.status != "met":
            if c.status == "missed":
                return None
            near = True
        weight = WEIGHTS[c.name]
        total += weight
        points += weight * _POINTS[c.status]
    score = round(100 * points / total) if total else 100
    return MatchResult(
        property_id=prop.id,
        search_profile_id=profile.id,
        contact_id=profile.contact_id,
        score=score,
        kind="near_miss" if near else "match",
        criteria=present,
    )


def rank(results: Iterable[MatchResult | None]) -> list[MatchResult]:
    """Exact matches first, then near misses; each by score, best first."""
    found = [r for r in results if r is not None]
    return sorted(found, key=lambda r: (r.kind != "match", -r.score, r.property_id, r.search_profile_id))


# --- conversion from database rows ----------------------------------------------------------------

PROPERTY_FIELDS = (
    "id",
    "marketing_type",
    "object_kind",
    "match_price",
    "living_area",
    "plot_area",
    "rooms",
    "postal_code",
    "city",
    "district",
    "latitude",
    "longitude",
    "features",
    "year_built",
    "energy_class",
)
PROFILE_FIELDS = (
    "id",
    "contact_id",
    "marketing_type",
    "object_kinds",
    "price_min",
    "price_max",
    "living_area_min",
    "living_area_max",
    "rooms_min",
    "rooms_max",
    "plot_area_min",
    "postal_codes",
    "cities",
    "radius_km",
    "latitude",
    "longitude",
    "features",
    "year_built_min",
    "energy_class_worst",
    "object_kinds_must",
    "price_must",
    "living_area_must",
    "rooms_must",
    "plot_area_must",
    "features_must",
    "year_built_must",
    "energy_class_must",
)


def _frozen(cls: type[Any], **fields: Any) -> Any:
    """An instance of the frozen dataclass `cls` from every one of its fields, without the generated
    `__init__`, which sets each field through `object.__setattr__` (4 µs of a profile's 7, and this
    runs for every candidate of every match list). Equal to `cls(**fields)` (tested)."""
    obj = object.__new__(cls)
    obj.__dict__.update(fields)
    return obj


def facts_from_row(row: Mapping[str, Any]) -> PropertyFacts:
    return facts_from_values([row[f] for f in PROPERTY_FIELDS])


def facts_from_values(values: Sequence[Any]) -> PropertyFacts:
    """A property's facts from its `PROPERTY_FIELDS` in order (a database row as it comes)."""
    (pk, marketing_type, object_kind, price, living_area, plot_area, rooms, postal_code, city, district,
     latitude, longitude, features, year_built, energy_class) = values  # fmt: skip
    return _frozen(
        PropertyFacts,
        id=pk,
        marketing_type=marketing_type,
        object_kind=object_kind,
        price=None if price is None else float(price),
        living_area=None if living_area is None else float(living_area),
        plot_area=None if plot_area is None else float(plot_area),
        rooms=None if rooms is None else float(rooms),
        postal_code=postal_code or "",
        city=city or "",
        district=district or "",
        latitude=None if latitude is None else float(latitude),
        longitude=None if longitude is None else float(longitude),
        features=frozenset(features or ()),
        year_built=year_built,
        energy_class=energy_class or "",
    )


_MUST_COLUMNS = tuple(
    (f"{name}_must", name.replace("object_kinds", "object_kind"))
    for name in (
        "object_kinds",
        "price",
        "living_area",
        "rooms",
        "plot_area",
        "features",
        "year_built",
        "energy_class",
    )
)


def criteria_from_row(row: Mapping[str, Any]) -> ProfileCriteria:
    return criteria_from_values([row[f] for f in PROFILE_FIELDS])


# The must flags close PROFILE_FIELDS, in the order of _MUST_COLUMNS; a row's flags → its must set.
_MUST_FROM = len(PROFILE_FIELDS) - len(_MUST_COLUMNS)
_MUST_SETS: dict[tuple[Any, ...], frozenset[str]] = {}


def criteria_from_values(values: Sequence[Any]) -> ProfileCriteria:
    """A profile's criteria from its `PROFILE_FIELDS` in order (a database row as it comes): this runs
    for every candidate of every match list, so it reads the row by position, not by name."""
    flags = tuple(values[_MUST_FROM:])
    must = _MUST_SETS.get(flags)
    if must is None:
        must = _MUST_SETS[flags] = frozenset(
            c for (_column, c), on in zip(_MUST_COLUMNS, flags, strict=True) if on
        )
    (pk, contact_id, marketing_type, object_kinds, price_min, price_max, living_area_min, living_area_max,
     rooms_min, rooms_max, plot_area_min, postal_codes, cities, radius_km, latitude, longitude, features,
     year_built_min, energy_class_worst) = values[:19]  # fmt: skip
    return _frozen(
        ProfileCriteria,
        id=pk,
        contact_id=contact_id,
        marketing_type=marketing_type,
        object_kinds=tuple(object_kinds or ()),
        price_min=None if price_min is None else float(price_min),
        price_max=None if price_max is None else float(price_max),
        living_area_min=None if living_area_min is None else float(living_area_min),
        living_area_max=None if living_area_max is None else float(living_area_max),
        rooms_min=None if rooms_min is None else float(rooms_min),
        rooms_max=None if rooms_max is None else float(rooms_max),
        plot_area_min=None if plot_area_min is None else float(plot_area_min),
        postal_codes=tuple(postal_codes or ()),
        cities=tuple(cities or ()),
        radius_km=None if radius_km is None else float(radius_km),
        latitude=None if latitude is None else float(latitude),
        longitude=None if longitude is None else float(longitude),
        features=tuple(features or ()),
        year_built_min=year_built_min,
        energy_class_worst=energy_class_worst or "",
        must=must,
    )
