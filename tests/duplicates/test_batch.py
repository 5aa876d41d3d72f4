"""The batch search (Dubletten page, find_duplicates) on awkward input and on linked lists. No database."""

from __future__ import annotations

from typing import Any

from maklerwerk.duplicates import batch
from maklerwerk.duplicates.normalize import record_from_data
from tests.duplicates import conftest

MUELLER: dict[str, Any] = {**conftest.MUELLER, "birth_date": "1970-03-21"}


def _pairs(rows: list[dict[str, Any]], source: dict[int, Any] | None = None) -> set[tuple[int, int]]:
    records = {i: record_from_data(row) for i, row in enumerate(rows)}
    return {(p.a, p.b) for p in batch.find_pairs(records, min_score=0.5, source=source)}


def test_bad_input_neither_crashes_the_search_nor_pairs_strangers() -> None:
    rows: list[dict[str, Any]] = [
        {},
        {},
        {"first_name": "A", "last_name": "B"},
        {"first_name": "A", "last_name": "B"},
        {"emails": ["ohne-domain@"], "phones": ["12"]},
        {"emails": ["ohne-domain@"], "phones": ["12"]},
        {"first_name": "Иван", "last_name": "Иванов", "postal_code": "10115", "birth_date": "1980-01-02"},
        {"first_name": "Иван", "last_name": "Иванов", "postal_code": "10115", "birth_date": "1980-01-02"},
        {"first_name": "Müller" * 2000, "street": "x" * 10_000, "phones": ["+49 (0) 221 / 12-34-56" * 50]},
        {"birth_date": "31.02.1970", "postal_code": "ABC-123", "house_number": "12-14 a"},
        MUELLER,
        {**MUELLER, "last_name": "Mueller", "street": "Hauptstr."},
    ]
    pairs = _pairs(rows)
    assert (6, 7) in pairs  # the same Cyrillic name, place and birth date
    assert (10, 11) in pairs  # Müller / Mueller, Straße / Str.
    assert not {p for p in pairs if set(p) & {0, 1, 2, 3, 4, 5, 8, 9}}  # nothing to go on: no pair


def test_linking_three_lists_pairs_only_across_lists() -> None:
    rows = [MUELLER, {**MUELLER, "last_name": "Mueller"}, {**MUELLER, "street": "Hauptstr."}]
    assert _pairs(rows) == {(0, 1), (0, 2), (1, 2)}
    assert _pairs(rows, source={0: "a", 1: "a", 2: "b"}) == {(0, 2), (1, 2)}
    assert _pairs(rows, source={0: "a", 1: "b", 2: "c"}) == {(0, 1), (0, 2), (1, 2)}


def test_the_batch_asks_what_else_agrees_as_the_check_at_save_does() -> None:
    """The batch answers "does anything else agree?" over arrays of pairs; the check at save asks
    it pair by pair. Both must give the same answer for every broad key kind."""
    import random

    import numpy as np

    from maklerwerk.duplicates import blocking
    from maklerwerk.duplicates.normalize import record_from_data
    from tests.duplicates.test_errors import _people

    rng = random.Random(3)
    rows = _people(rng, 150)
    rows += [{**r, "birth_date": "", "city": "", "first_name": r["last_name"]} for r in rows[:40]]
    rows += [{**r, "postal_code": "", "street": r["street"][:3], "house_number": ""} for r in rows[40:80]]
    recs = [record_from_data(r) for r in rows]
    col = blocking.Columns(recs)
    pairs = [(a, b) for a in range(len(recs)) for b in range(len(recs)) if a != b]
    a = np.array([p[0] for p in pairs])
    b = np.array([p[1] for p in pairs])
    for kind in blocking.BROAD:
        together = blocking.WORTH_ARRAYS[kind](col, a, b).tolist()
        assert together == [blocking.WORTH[kind](recs[x], recs[y]) for x, y in pairs], kind
        assert any(together) and not all(together), kind


def test_pairs_left_unscored_could_never_reach_the_threshold() -> None:
    """The batch scores only the candidates whose upper bound (`bounds`) reaches the threshold.
    On German data with households, namesakes, e-mails, phones and companies, every pair it
    leaves out scores below the threshold when scored, and it leaves out most of those."""
    from bench.german_duplicates import dataset
    from maklerwerk.duplicates import blocking, bounds
    from maklerwerk.duplicates.scoring import score_pair

    rows, _truth = dataset(2500, seed=5)
    for i, row in enumerate(rows[::7]):
        row["company_name"] = ["Müller GmbH", "Mueller GmbH", "Schmidt & Söhne KG", ""][i % 4]
    recs = [record_from_data(r) for r in rows]
    col = blocking.Columns(recs)
    freq = batch.frequencies_of(recs, col)
    a, b, _runs = blocking.candidate_pairs(recs, col=col)
    scores = [score_pair(recs[x], recs[y], freq).score for x, y in zip(a.tolist(), b.tolist(), strict=True)]
    for min_score in (0.5, 0.8, 0.9):
        keep = bounds.may_reach(col, freq, a, b, min_score).tolist()
        below = [s for s, k in zip(scores, keep, strict=True) if s < min_score]
        assert all(k for s, k in zip(scores, keep, strict=True) if s >= min_score), min_score
        assert sum(not k for k in keep) > len(below) / 2, min_score


def test_stored_profiles_read_as_a_table_give_the_same_pairs_scores_and_reasons() -> None:
    """The Dubletten search reads an office's stored profiles as columns (`RecordTable`: a record
    is made only for the rows it compares). On German data with households, namesakes, e-mails
    (some contacts with several) and phones it reports exactly the pairs, scores and reasons of
    the search over one record per profile."""
    from bench.german_duplicates import dataset
    from maklerwerk.duplicates.engine import profile_values
    from maklerwerk.duplicates.normalize import PROFILE_FIELDS, RecordTable, record_from_row

    rows, _truth = dataset(2500, seed=5)
    for i, row in enumerate(rows[::6]):
        row["emails"] = [*row["emails"], f"buero{i % 40}@example.de"]
    stored = [tuple(profile_values(record_from_data(r))[f] for f in PROFILE_FIELDS) for r in rows]
    table = RecordTable.from_rows(stored)
    assert [table[i] for i in range(len(table))] == [record_from_row(row) for row in stored]

    expected = batch.find_pairs({i: record_from_row(row) for i, row in enumerate(stored)}, min_score=0.5)
    found = batch.find_pairs_in(list(range(len(table))), RecordTable.from_rows(stored), min_score=0.5)
    assert found == expected
    assert len(found) > 300
    assert any("same_email" in p.result.codes for p in found)
