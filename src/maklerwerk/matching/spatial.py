"""Index look-ups for matching: which profiles want this place, which properties lie in this area.

Each function returns SQL for a set of ids, which the selectors read by primary key, so the
database answers from indexes and only the few candidates reach Python:

- postal codes and places of profiles: `SearchProfileArea` (B-tree on office, key; the key starts
  with the marketing type, "kauf|plz:60314");
- radius profiles containing a point: on SQLite an R*Tree virtual table `properties_profile_rtree`
  kept in sync by the services; on PostgreSQL a GiST index on the profile's bounding box (built-in
  `box` type, no extension); without either, a plain bounding-box range on the profile table;
- properties in a profile's area: B-trees (office, marketing type, status, postal code / place);
  for a radius the latitude band (`geo_band`, a tenth of a degree) + longitude, the index also
  carrying the columns of the must criteria so that rejected properties cost no row read.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Any

from django.db import connection

from maklerwerk.matching.engine import bounding_box
from maklerwerk.matching.models import SearchProfileArea
from maklerwerk.properties.geo import geo_band, normalize_place

if TYPE_CHECKING:
    from maklerwerk.matching.engine import PropertyFacts
    from maklerwerk.matching.models import SearchProfile

RTREE = "properties_profile_rtree"


@cache
def _has_rtree(alias_key: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = %s", [RTREE])
        return cursor.fetchone() is not None


def spatial_backend() -> str:
    """'rtree' (SQLite R*Tree), 'gist' (PostgreSQL) or 'bbox' (plain columns)."""
    if connection.vendor == "postgresql":
        return "gist"
    if connection.vendor == "sqlite" and _has_rtree(connection.settings_dict["NAME"]):
        return "rtree"
    return "bbox"


def profile_index_sync(profiles: list[SearchProfile]) -> None:
    """Bring the place keys and the spatial index of `profiles` up to date (after saving them)."""
    ids = [p.pk for p in profiles]
    SearchProfileArea.objects.filter(profile_id__in=ids).delete()
    SearchProfileArea.objects.bulk_create(
        [
            SearchProfileArea(office_id=p.office_id, profile_id=p.pk, key=key)
            for p in profiles
            if p.location_mode == p.LocationMode.AREAS
            for key in (area_key(p.marketing_type, place) for place in p.area_keys())
        ],
        batch_size=5000,
    )
    if spatial_backend() == "rtree":
        with connection.cursor() as cursor:
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                cursor.execute(f"DELETE FROM {RTREE} WHERE id IN ({','.join(['%s'] * len(chunk))})", chunk)  # noqa: S608
            rows = [
                (p.pk, p.min_lat, p.max_lat, p.min_lon, p.max_lon)
                for p in profiles
                if p.location_mode == p.LocationMode.RADIUS
            ]
            if rows:
                cursor.executemany(
                    f"INSERT INTO {RTREE} (id, min_lat, max_lat, min_lon, max_lon) VALUES (%s, %s, %s, %s, %s)",  # noqa: S608, E501
                    rows,
                )


def profile_index_delete(profile_id: int) -> None:
    if spatial_backend() == "rtree":
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {RTREE} WHERE id = %s", [profile_id])  # noqa: S608


def profiles_wanting_sql(*, office_id: int, prop: PropertyFacts) -> tuple[str, list[Any]]:
    """Ids of profiles whose location (places or radius) includes `prop`, or that have no location."""
    parts: list[str] = []
    params: list[Any] = []
    places = [f"plz:{prop.postal_code}"] if prop.postal_code else []
    places += [f"ort:{normalize_place(p)}" for p in (prop.city, prop.district) if p]
    if places:
        keys = [area_key(prop.marketing_type, place) for place in places]
        parts.append(
            "SELECT profile_id FROM properties_searchprofilearea WHERE office_id = %s "  # noqa: S608
            f"AND key IN ({', '.join(['%s'] * len(keys))})"
        )
        params += [office_id, *keys]
    if prop.latitude is not None and prop.longitude is not None:
        lat, lon = prop.latitude, prop.longitude
        backend = spatial_backend()
        if backend == "rtree":
            # (The marketing type as a third R*Tree dimension made look-ups ten times slower: a
            # dimension of zero width leaves the tree nothing to optimise, so it grows unordered.)
            parts.append(
                f"SELECT id FROM {RTREE} WHERE min_lat <= %s AND max_lat >= %s AND min_lon <= %s AND max_lon >= %s"  # noqa: S608, E501
            )
            params += [lat, lat, lon, lon]
        elif backend == "gist":
            parts.append(
                "SELECT id FROM properties_searchprofile WHERE location_mode = 'radius' "
                "AND marketing_type = %s AND box(point(min_lon, min_lat), point(max_lon, max_lat)) "
                "&& box(point(%s, %s), point(%s, %s))"
            )
            params += [prop.marketing_type, lon, lat, lon, lat]
        else:
            parts.append(
                "SELECT id FROM properties_searchprofile WHERE office_id = %s AND location_mode = 'radius' "
                "AND min_lat <= %s AND max_lat >= %s AND min_lon <= %s AND max_lon >= %s"
            )
            params += [office_id, lat, lat, lon, lon]
    parts.append(
        "SELECT id FROM properties_searchprofile WHERE office_id = %s AND location_mode = 'any' "
        "AND marketing_type = %s AND active = %s"
    )
    params += [office_id, prop.marketing_type, True]
    return " UNION ".join(parts), params


def area_key(marketing_type: str, place: str) -> str:
    """Index key of a wanted place: the marketing type first, as every look-up asks for one."""
    return f"{marketing_type}|{place}"


def properties_in_area_sql(
    *, office_id: int, profile: Any, status: str, must: tuple[list[str], list[Any]] = ([], [])
) -> tuple[str, list[Any]] | None:
    """Ids of properties in the profile's area; None when the profile has no location.

    `must` (conditions on plain columns, parameters) narrows each branch inside the index: the
    radius index carries the columns of the must criteria, so rejected properties cost no row read.
    """
    parts: list[tuple[str, list[Any]]] = []
    if profile.radius_km is not None and profile.latitude is not None and profile.longitude is not None:
        min_lat, max_lat, min_lon, max_lon = bounding_box(
            profile.latitude, profile.longitude, profile.radius_km
        )
        # Latitude bands turn the box into a few short index ranges on longitude instead of one
        # long range over every property in the latitude stripe across the whole country.
        bands = list(range(geo_band(min_lat), geo_band(max_lat) + 1))
        parts.append(
            (
                f"geo_band IN ({', '.join(['%s'] * len(bands))}) AND longitude >= %s AND longitude <= %s "
                "AND latitude >= %s AND latitude <= %s",
                [*bands, *(_dec(v) for v in (min_lon, max_lon, min_lat, max_lat))],
            )
        )
    else:
        if profile.postal_codes:
            codes = list(profile.postal_codes)
            parts.append((f"postal_code IN ({', '.join(['%s'] * len(codes))})", codes))
        places = [normalize_place(c) for c in profile.cities]
        if places:
            for column in ("city_key", "district_key"):
                parts.append((f"{column} IN ({', '.join(['%s'] * len(places))})", places))
    if not parts:
        return None
    head = "SELECT id FROM properties_property WHERE office_id = %s AND marketing_type = %s AND status = %s"
    tail = "".join(f" AND {condition}" for condition in must[0])
    sql = " UNION ".join(f"{head} AND {where}{tail}" for where, _ in parts)
    params = [
        value
        for _, values in parts
        for value in (office_id, profile.marketing_type, status, *values, *must[1])
    ]
    return sql, params


def _dec(value: float) -> Decimal:
    # Decimal, so PostgreSQL compares numeric with numeric and can use the index.
    return Decimal(str(round(value, 6)))
