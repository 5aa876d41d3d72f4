"""The pure matching functions: decisions and German explanations, no database."""

from __future__ import annotations

from typing import Any

from maklerwerk.matching.engine import (
    MatchResult,
    ProfileCriteria,
    PropertyFacts,
    Tolerance,
    bounding_box,
    distance_km,
    evaluate,
    rank,
)

FLAT = PropertyFacts(
    id=1, marketing_type="kauf", object_kind="wohnung", price=416_000, living_area=80, rooms=3,
    postal_code="60318", city="Frankfurt am Main", district="Nordend", latitude=50.126, longitude=8.694,
    features=frozenset({"balkon"}), year_built=1998, energy_class="C",
)  # fmt: skip


def profile(**kw: Any) -> ProfileCriteria:
    base: dict[str, Any] = {
        "id": 7,
        "contact_id": 3,
        "marketing_type": "kauf",
        "cities": ("Frankfurt am Main",),
    }
    base.update(kw)
    return ProfileCriteria(**base)


def detail(result: MatchResult | None, name: str) -> str:
    assert result is not None
    return next(c.detail for c in result.criteria if c.name == name)


def test_it_explains_a_price_just_above_the_maximum_as_a_near_miss() -> None:
    result = evaluate(profile(price_max=400_000), FLAT)
    assert result is not None
    assert result.kind == "near_miss"
    assert detail(result, "price") == "Preis 4 % über Maximum"
    assert result.score < 100


def test_it_lists_an_exact_match_with_every_criterion_met() -> None:
    result = evaluate(
        profile(price_max=450_000, living_area_min=70, rooms_min=3, object_kinds=("wohnung",)), FLAT
    )
    assert result is not None and result.kind == "match" and result.score == 100
    assert {c.status for c in result.criteria} == {"met"}
    assert detail(result, "price") == "Preis 416.000 € im Rahmen (bis 450.000 €)"
    assert detail(result, "location") == "Frankfurt am Main liegt im Suchgebiet"


def test_it_excludes_a_missed_must_but_keeps_a_missed_wish() -> None:
    assert evaluate(profile(price_max=300_000), FLAT) is None
    wish = evaluate(profile(price_max=300_000, must=frozenset()), FLAT)
    assert wish is not None and wish.kind == "match"
    assert next(c for c in wish.criteria if c.name == "price").status == "missed"
    assert wish.score < 80


def test_it_respects_the_office_tolerance() -> None:
    assert evaluate(profile(price_max=400_000), FLAT, Tolerance(price=0.03)) is None
    assert evaluate(profile(price_max=400_000), FLAT, Tolerance(price=0.05)) is not None


def test_it_allows_one_room_less_as_a_near_miss() -> None:
    result = evaluate(profile(rooms_min=4, must=frozenset({"rooms"})), FLAT)
    assert result is not None and result.kind == "near_miss"
    assert detail(result, "rooms") == "Zimmer 3, Minimum 4"
    assert evaluate(profile(rooms_min=5, must=frozenset({"rooms"})), FLAT) is None


def test_it_checks_the_radius_by_real_distance() -> None:
    inside = evaluate(profile(cities=(), radius_km=5, latitude=50.11, longitude=8.68), FLAT)
    assert inside is not None
    assert "km vom Suchpunkt (Umkreis 5 km)" in detail(inside, "location")
    assert evaluate(profile(cities=(), radius_km=1, latitude=50.11, longitude=8.68), FLAT) is None


def test_it_matches_postal_codes_and_districts() -> None:
    assert (
        detail(evaluate(profile(cities=(), postal_codes=("60318",)), FLAT), "location")
        == "PLZ 60318 liegt im Suchgebiet"
    )
    assert evaluate(profile(cities=("nordend",)), FLAT) is not None
    assert evaluate(profile(cities=("Offenbach am Main",)), FLAT) is None


def test_it_never_matches_another_marketing_type_or_kind() -> None:
    assert evaluate(profile(marketing_type="miete_pacht"), FLAT) is None
    assert evaluate(profile(object_kinds=("haus",)), FLAT) is None


def test_it_explains_features_year_and_energy_class() -> None:
    result = evaluate(
        profile(features=("balkon", "garten"), year_built_min=2000, energy_class_worst="B"), FLAT
    )
    assert result is not None and result.kind == "match"
    assert detail(result, "features") == "Es fehlt: garten"
    assert detail(result, "year_built") == "Baujahr 1998, gewünscht ab 2000"
    assert detail(result, "energy_class") == "Energieklasse C schlechter als B"


def test_it_ranks_exact_matches_before_near_misses() -> None:
    near = evaluate(profile(id=1, price_max=400_000), FLAT)
    exact = evaluate(profile(id=2, price_max=500_000, features=("garten",)), FLAT)
    ranked = rank([near, None, exact])
    assert [r.search_profile_id for r in ranked] == [2, 1]


def test_the_bounding_box_contains_the_whole_circle() -> None:
    min_lat, max_lat, min_lon, max_lon = bounding_box(50.0, 8.0, 10)
    for lat, lon in ((min_lat, 8.0), (max_lat, 8.0), (50.0, min_lon), (50.0, max_lon)):
        assert distance_km(50.0, 8.0, lat, lon) >= 10
