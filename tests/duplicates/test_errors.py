"""The batch search's error model: data without households gets a second look at the pairs the
family guards hold back; an office with families keeps the guards. No database."""

from __future__ import annotations

import random
from typing import Any

from maklerwerk.duplicates import batch, blocking, errors
from maklerwerk.duplicates.normalize import record_from_data
from maklerwerk.duplicates.reasons import reason_texts

FIRST = ["Anna", "Bernd", "Clara", "Dieter", "Emma", "Frank", "Greta", "Heinz", "Ida", "Jonas",
         "Karla", "Lukas", "Marta", "Norbert", "Olga", "Paul", "Rita", "Stefan", "Tina", "Uwe"]  # fmt: skip
LAST = [f"{stem}{end}" for stem in ("Brenn", "Kalt", "Lind", "Mohr", "Roth", "Stein", "Wald", "Zorn")
        for end in ("er", "mann", "bach", "huber", "eder", "inger", "hofer", "ow", "ke", "lein")]  # fmt: skip

SPOUSES = ["Zoe", "Yvonne", "Xenia", "Willi", "Quirin", "Sabine", "Ralf", "Petra", "Otto", "Nina"]


def _birth(rng: random.Random) -> str:
    return f"{rng.randint(1940, 2000)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def _typo(rng: random.Random, text: str) -> str:
    i = rng.randrange(1, len(text))
    return text[:i] + text[i + 1 :]


def _people(rng: random.Random, n: int) -> list[dict[str, Any]]:
    return [
        {
            "first_name": rng.choice(FIRST),
            "last_name": rng.choice(LAST),
            "street": f"{rng.choice(LAST)}straße",
            "house_number": str(i % 90 + 1),
            "postal_code": f"{10000 + i * 7:05d}",
            "city": rng.choice(["Köln", "Bonn", "Essen", "Trier", "Mainz"]),
            "birth_date": _birth(rng),
        }
        for i in range(n)
    ]


def _entered_again(rng: random.Random, p: dict[str, Any]) -> dict[str, Any]:
    """Errors as an imported list has them, each field on its own: a typo, or a value typed
    from another entry altogether."""
    d = dict(p)
    if rng.random() < 0.1:
        d["first_name"] = rng.choice([f for f in FIRST if f != p["first_name"]])
    if rng.random() < 0.1:
        d["birth_date"] = _birth(rng)
    if rng.random() < 0.2:
        d["last_name"] = _typo(rng, d["last_name"])
    if rng.random() < 0.2:
        d["street"] = _typo(rng, d["street"])
    return d


def _search(rows: list[dict[str, Any]]) -> dict[tuple[int, int], batch.Pair]:
    records = {i: record_from_data(row) for i, row in enumerate(rows)}
    return {(p.a, p.b): p for p in batch.find_pairs(records, min_score=0.5)}


def _data(with_families: bool) -> tuple[list[dict[str, Any]], int, list[tuple[int, int]]]:
    """600 people entered twice, and one whose copy has another first name and another birth
    date (both typed from elsewhere); with families, 300 more people share surname and address
    with one of them."""
    rng = random.Random(7)
    people = _people(rng, 600)
    rows = people + [_entered_again(rng, p) for p in people]
    target = len(rows)
    rows.append({**people[0], "first_name": "Xaver", "birth_date": "1901-01-01"})
    families = []
    if with_families:
        for i in range(1, 301):
            families.append((i, len(rows)))
            rows.append({**people[i], "first_name": rng.choice(SPOUSES), "birth_date": _birth(rng)})
    return rows, target, families


def test_data_without_households_finds_a_copy_with_two_fields_typed_from_elsewhere() -> None:
    rows, target, _ = _data(with_families=False)
    pairs = _search(rows)

    found = pairs.get((0, target))
    assert found is not None, "the copy with another first name and birth date was not found"
    assert 0.5 <= found.result.score <= errors.MAX_SCORE  # a possible duplicate, for review
    assert errors.ERRORS_EXPLAIN in found.result.codes
    assert "übrige Angaben stimmen überein, Abweichungen wie die üblichen Tippfehler dieser Daten" in (
        reason_texts(found.result.codes)
    )
    # and the copies with one field typed from elsewhere are found too
    assert sum((i, i + 600) in pairs for i in range(600)) >= 590


def test_an_office_with_families_keeps_the_guards_for_the_same_pair() -> None:
    rows, target, families = _data(with_families=True)
    pairs = _search(rows)

    assert (0, target) not in pairs  # two fields differ: here that is another family member
    assert not [f for f in families if f in pairs]  # no family member taken for a duplicate
    assert sum((i, i + 600) in pairs for i in range(600)) >= 500


def test_the_household_test_tells_the_two_kinds_of_data_apart() -> None:
    for with_families, independent in ((False, True), (True, False)):
        rows, _, _ = _data(with_families)
        recs = [record_from_data(row) for row in rows]
        test = errors.household_test(recs, blocking.key_runs(recs)["a"].blocks())
        assert test.errors_independent is independent, test
    # too little data to tell: the guards stay
    recs = [record_from_data(row) for row in _data(False)[0][:40]]
    assert not errors.household_test(recs, blocking.key_runs(recs)["a"].blocks()).errors_independent


def test_the_household_test_over_arrays_counts_as_the_test_pair_by_pair() -> None:
    """The batch runs the household test over its numbered columns (`household_test_runs`): the
    same pairs, counts and answer as `household_test` walking the address blocks."""
    answers = []
    for rows in (_data(False)[0], _data(True)[0], _data(False)[0][:40]):
        recs = [record_from_data(row) for row in rows]
        col = blocking.Columns(recs)
        runs = blocking.key_runs(recs, col)
        by_pairs = errors.household_test(recs, runs["a"].blocks())
        assert errors.household_test_runs(col, runs["a"]) == by_pairs
        answers.append(by_pairs.errors_independent)
    assert answers == [True, False, False]
