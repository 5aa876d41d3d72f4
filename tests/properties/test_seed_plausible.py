"""Demo data an agent believes (issue 16): no 50 m² Einfamilienhaus, no class A at 211 kWh."""

from __future__ import annotations

import random
from typing import Any

from maklerwerk.properties.seed import KINDS, RHEIN_MAIN, _property_values, _region_places

# GEG 2020, Anlage 10: the upper bound (exclusive) of each class in kWh/(m²·a).
GEG_UPPER = {"A+": 30, "A": 50, "B": 75, "C": 100, "D": 130, "E": 160, "F": 200, "G": 250, "H": 10_000}
GEG_LOWER = {"A+": 0, "A": 30, "B": 50, "C": 75, "D": 100, "E": 130, "F": 160, "G": 200, "H": 250}


def test_demo_properties_have_plausible_sizes_rooms_and_energy() -> None:
    rng = random.Random(7)
    seen_classes = set()
    for n in range(400):
        kind = KINDS[n % len(KINDS)]
        v = _property_values(rng, kind, RHEIN_MAIN[n % len(RHEIN_MAIN)], rich=True)
        if v["object_subtype"] == "EINFAMILIENHAUS":
            assert v["living_area"] >= 130 and v["plot_area"] >= 400
        if kind == "wohnung":
            assert 38 <= v["living_area"] <= 160 and v["plot_area"] is None
        if kind in {"einzelhandel", "buero_praxen"}:
            assert v["rooms"] is None
        if kind == "grundstueck":
            assert v["living_area"] is None and not v.get("energy_class")
            continue
        cls, value = v["energy_class"], v["energy_value"]
        assert GEG_LOWER[cls] <= value < GEG_UPPER[cls], (cls, value)
        seen_classes.add(cls)
    assert len(seen_classes) >= 5  # the demo shows good and poor buildings alike


def test_a_smaller_benchmark_map_keeps_the_density_of_places() -> None:
    """`seed_demo --map-places 200` (benchmark data): a tenth of the places on a tenth of the map,
    each place keeping its name and postal codes, so a search finds as much as on the whole map."""
    whole, small = _region_places(0, False), _region_places(0, False, 200)

    def area(places: list[tuple[Any, ...]]) -> float:
        lats, lons = [p[3] for p in places], [p[4] for p in places]
        return (max(lats) - min(lats)) * (max(lons) - min(lons))

    assert len(whole) == 2000 and len(small) == 200
    assert [p[:3] for p in small] == [p[:3] for p in whole[:200]]
    assert 0.07 < area(small) / area(whole) < 0.11  # the corner places of a sample span a bit less
