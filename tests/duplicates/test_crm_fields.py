"""The batch search on the fields a CRM really has (names and address, no birth date): the household
test reads the addresses instead, and copies with surname and place mistyped together are found."""

from __future__ import annotations

import random
from typing import Any

import pytest

from maklerwerk.duplicates import batch, errors
from maklerwerk.duplicates.normalize import blocking_keys, record_from_data
from tests.duplicates.test_errors import FIRST, SPOUSES, _people, _typo


def _entered_again(rng: random.Random, p: dict[str, Any]) -> dict[str, Any]:
    """Errors as an imported list has them, each field on its own: a first name typed from another
    entry, typos in the surname and in the address."""
    d = dict(p)
    if rng.random() < 0.15:
        d["first_name"] = rng.choice([f for f in FIRST if f != p["first_name"]])
    if rng.random() < 0.2:
        d["last_name"] = _typo(rng, d["last_name"])
    if rng.random() < 0.25:
        d["street"] = _typo(rng, d["street"])
    if rng.random() < 0.15:
        d["postal_code"] = d["postal_code"][:3] + d["postal_code"][4] + d["postal_code"][3]
    return d


def _data(with_families: bool) -> tuple[list[dict[str, Any]], list[tuple[int, int]], list[tuple[int, int]]]:
    """600 people without birth dates entered twice; with families, 300 more people share surname
    and the exact address with one of them. Returns rows, true pairs, family pairs."""
    rng = random.Random(11)
    people = [{**p, "birth_date": ""} for p in _people(rng, 600)]
    rows = people + [_entered_again(rng, p) for p in people]
    truth = [(i, i + 600) for i in range(600)]
    families = []
    if with_families:
        for i in range(300):
            families.append((i, len(rows)))
            rows.append({**people[i], "first_name": rng.choice(SPOUSES)})
    return rows, truth, families


def _search(rows: list[dict[str, Any]]) -> dict[tuple[int, int], batch.Pair]:
    records = {i: record_from_data(row) for i, row in enumerate(rows)}
    return {(p.a, p.b): p for p in batch.find_pairs(records, min_score=0.5)}


def test_without_birth_dates_the_addresses_tell_whether_there_are_households() -> None:
    for with_families, independent in ((False, True), (True, False)):
        recs = [record_from_data(row) for row in _data(with_families)[0]]
        assert errors.household_test(recs, []).anchors < errors.MIN_ANCHORS  # no birth dates
        test = errors.address_household_test(recs)
        assert test.errors_independent is independent, test
    # addresses without any typo say nothing either way: the guards stay
    rows = _data(True)[0][:600]
    clean = [record_from_data(r) for r in rows + [{**r, "first_name": "Zoe"} for r in rows[:100]]]
    assert not errors.address_household_test(clean).errors_independent


def test_a_list_without_households_finds_copies_with_another_first_name() -> None:
    rows, truth, _ = _data(with_families=False)
    pairs = _search(rows)
    other_first = [t for t in truth if rows[t[0]]["first_name"] != rows[t[1]]["first_name"]]
    assert len(other_first) > 60
    found = [t for t in other_first if t in pairs]
    assert len(found) >= 0.85 * len(other_first)
    assert all(pairs[t].result.score <= errors.MAX_SCORE for t in found)  # for review, not certain


def test_an_office_with_families_and_no_birth_dates_keeps_the_guards() -> None:
    rows, truth, families = _data(with_families=True)
    pairs = _search(rows)
    assert not [f for f in families if f in pairs]  # no family member taken for a duplicate
    assert sum(t in pairs for t in truth) >= 500


def test_a_copy_with_surname_postal_code_and_city_mistyped_is_compared() -> None:
    anna = {"first_name": "Anna", "last_name": "Brenner", "street": "Lindenstraße", "house_number": "12",
            "postal_code": "50667", "city": "Köln"}  # fmt: skip
    copy = {**anna, "last_name": "Brennen", "postal_code": "50676", "city": "Kln"}
    a, b = record_from_data(anna), record_from_data(copy)
    assert set(blocking_keys(a)) & set(blocking_keys(b))  # found by the single check's keys too
    pairs = batch.find_pairs({1: a, 2: b}, min_score=0.0)
    assert [(p.a, p.b) for p in pairs] == [(1, 2)]


@pytest.mark.django_db
def test_the_migration_gives_existing_contacts_the_keys_a_save_gives(office: Any) -> None:
    import importlib

    from django.apps import apps

    from maklerwerk.duplicates.models import MatchKey
    from tests.duplicates.conftest import MUELLER, make_contact

    contacts = [make_contact(office, **MUELLER), make_contact(office, **{**MUELLER, "first_name": "Jürgen"})]
    saved = set(MatchKey.objects.values_list("contact_id", "key"))
    migration = importlib.import_module("maklerwerk.duplicates.migrations.0004_crm_field_keys")
    migration.remove_keys(apps, None)
    assert set(MatchKey.objects.values_list("contact_id", "key")) < saved  # the new kinds are gone
    migration.add_keys(apps, None)
    assert set(MatchKey.objects.values_list("contact_id", "key")) == saved
    assert any(key.startswith("i:") for _c, key in saved) and len(contacts) == 2


def test_copies_with_another_first_name_and_another_house_number_are_found() -> None:
    """Two fields typed from elsewhere in one copy: each field's error rate must be measured among
    pairs the other fields vouch for, not among pairs that already agree on it (which would make
    a different first name or house number look almost impossible)."""
    rng = random.Random(5)
    people = [{**p, "birth_date": ""} for p in _people(rng, 600)]
    copies = []
    for p in people:
        d = _entered_again(rng, p)
        if rng.random() < 0.15:
            d["house_number"] = str(int(p["house_number"]) + rng.randint(1, 9))
        copies.append(d)
    rows = people + copies
    pairs = _search(rows)
    both = [
        (i, i + 600)
        for i, p in enumerate(people)
        if p["first_name"] != copies[i]["first_name"] and p["house_number"] != copies[i]["house_number"]
    ]
    assert len(both) >= 8
    assert sum(t in pairs for t in both) >= 0.75 * len(both)
    assert all(pairs[t].result.score <= errors.MAX_SCORE for t in both if t in pairs)
