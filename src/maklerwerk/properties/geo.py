"""Pure geometry the models need when saving (kept apart from `spatial`, which reads the models)."""

from __future__ import annotations

import math


def geo_band(latitude: float) -> int:
    """The tenth of a degree of latitude (about 11 km) a point lies in; indexed with the longitude."""
    return math.floor(latitude * 10)
