"""Pure geometry and place names the models need when saving (kept apart from `matching.spatial`,
which reads the models)."""

from __future__ import annotations

import math


def geo_band(latitude: float) -> int:
    """The tenth of a degree of latitude (about 11 km) a point lies in; indexed with the longitude."""
    return math.floor(latitude * 10)


def normalize_place(value: str) -> str:
    """A place name as the indexes compare it: lower case, single spaces."""
    return " ".join((value or "").lower().split())
