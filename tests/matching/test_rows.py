"""What the matching queries read is what the profile and the property say: the fast row readers
(by position, lists parsed once and shared) give the same criteria and facts as the plain constructors."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from maklerwerk.matching import selectors
from maklerwerk.matching.engine import (
    PROFILE_FIELDS,
    PROPERTY_FIELDS,
    ProfileCriteria,
    PropertyFacts,
    criteria_from_values,
    facts_from_values,
)

pytestmark = pytest.mark.django_db


def _read(table: str, columns: str, fields: tuple[str, ...], pk: int) -> list[Any]:
    sql = f"SELECT {columns} FROM {table} p WHERE p.id = %s"  # noqa: S608
    return selectors._rows(sql, [pk], fields)


def test_a_profile_read_for_matching_has_the_criteria_it_was_saved_with(make_profile: Any) -> None:
    saved = make_profile(
        postal_codes=["60318", "60316"],
        cities=[],
        features=["balkon", "garten"],
        features_must=True,
        rooms_must=True,
        price_min=Decimal("250000"),
    )
    twin = make_profile(postal_codes=["60318", "60316"], cities=[], features=["balkon", "garten"])
    rows = [
        _read("properties_searchprofile", selectors.PROFILE_COLUMNS, PROFILE_FIELDS, p.pk)
        for p in (saved, twin)
    ]
    got = criteria_from_values(rows[0][0])
    expected = ProfileCriteria(
        id=saved.pk, contact_id=saved.contact_id, marketing_type="kauf", object_kinds=("wohnung",),
        price_min=250000.0, price_max=420000.0, living_area_min=70.0, rooms_min=3.0,
        postal_codes=("60316", "60318"), features=("balkon", "garten"),
        must=frozenset({"object_kind", "price", "living_area", "rooms", "features"}),
    )  # fmt: skip
    assert got == expected and hash(got) == hash(expected)
    other = criteria_from_values(rows[1][0])
    # The twin's lists are the same parsed values; its must criteria are the defaults.
    assert other.postal_codes == got.postal_codes and other.must == frozenset(
        {"object_kind", "price", "living_area"}
    )
    with pytest.raises(AttributeError):
        got.postal_codes.append("99999")  # type: ignore[attr-defined]  # shared lists cannot change


def test_a_property_read_for_matching_has_its_facts(make_property: Any) -> None:
    prop = make_property(district="", features=["keller", "balkon"])
    row = _read("properties_property", selectors.PROPERTY_COLUMNS, PROPERTY_FIELDS, prop.pk)[0]
    assert facts_from_values(row) == PropertyFacts(
        id=prop.pk, marketing_type="kauf", object_kind="wohnung", price=400000.0, living_area=80.0,
        rooms=3.0, postal_code="60318", city="Frankfurt am Main", latitude=float(prop.latitude),
        longitude=float(prop.longitude), features=frozenset({"balkon", "keller"}), year_built=1998,
        energy_class="C",
    )  # fmt: skip
    assert selectors.property_facts(prop) == facts_from_values(row)
