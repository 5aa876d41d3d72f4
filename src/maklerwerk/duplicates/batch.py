"""Finding duplicates among many records at once (the Dubletten page, `find_duplicates`, benchmarks).

Records are grouped by their blocking keys in memory; each pair sharing a key is scored once with
the same `score_pair` the single check uses. Pure Python over plain values: no database here.
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

import numpy as np

from maklerwerk.duplicates import blocking, bounds, errors
from maklerwerk.duplicates.normalize import Record, RecordTable
from maklerwerk.duplicates.scoring import CountsByKind, Frequencies, PairScore, score_pair


@dataclass(frozen=True, slots=True)
class Pair[K: (int, str)]:
    """Two records' ids (a < b): contact pks in the app, the data set's own ids in the benchmarks."""

    a: K
    b: K
    result: PairScore


def frequencies_of(records: Iterable[Record], col: blocking.Columns | None = None) -> Frequencies:
    """The counts `frequency_keys` would give, counted over the numbered columns (`col`, made here
    when not given): one count per distinct value, no text per record."""
    col = col or blocking.Columns(list(records))
    by_kind: dict[str, Counter[str]] = {}
    for prefix, attr in (("L", "last_t"), ("l", "last_ph"), ("F", "first_t"), ("f", "first_ph"),
                         ("P", "postal_code"), ("B", "birth")):  # fmt: skip
        by_kind[prefix] = Counter(col.counts(attr))
    return Frequencies(total=len(col.recs), counts=CountsByKind(by_kind))


def households_absent(col: blocking.Columns, runs: dict[str, blocking.Runs]) -> bool:
    """A list without households (each copy with its own typing errors), by the birth dates or,
    without enough of them, by the addresses (`errors`)."""
    test = errors.household_test_runs(col, runs["a"])
    if test.anchors < errors.MIN_ANCHORS:  # too few birth dates to tell: the address tells instead
        test = errors.address_household_test(col.recs)
    return test.errors_independent


def find_pairs[K: (int, str)](
    records: Mapping[K, Record],
    *,
    min_score: float,
    freq: Frequencies | None = None,
    source: Mapping[K, Any] | None = None,
    on_progress: Callable[[int, int], Any] | None = None,
) -> list[Pair[K]]:
    """All pairs scoring at least `min_score`. With `source`, only pairs from different sources
    are compared (linking two lists instead of de-duplicating one).

    Records are numbered in the order given; the candidate pairs of all blocks are collected
    without repeats before any is scored. Pairs found only by a broad key (the birth date alone,
    house number + PLZ, the names alone: in a million contacts mostly strangers) are scored only
    when something else agrees (`_worth_scoring`), which leaves out most of them cheaply.
    """
    return find_pairs_in(
        list(records),
        list(records.values()),
        min_score=min_score,
        freq=freq,
        source=source,
        on_progress=on_progress,
    )


def find_pairs_in[K: (int, str)](
    ids: Sequence[K],
    recs: Sequence[Record],
    *,
    min_score: float,
    freq: Frequencies | None = None,
    source: Mapping[K, Any] | None = None,
    on_progress: Callable[[int, int], Any] | None = None,
) -> list[Pair[K]]:
    """`find_pairs` over records given as a sequence (`recs[i]` is the record of `ids[i]`), such
    as a `normalize.RecordTable` of stored profile rows."""
    collecting = gc.isenabled()
    gc.disable()  # millions of small tuples and lists: the collector would walk them again and again
    try:
        return _find_pairs(ids, recs, min_score=min_score, freq=freq, source=source, on_progress=on_progress)
    finally:
        if collecting:
            gc.enable()


def _find_pairs[K: (int, str)](
    ids: Sequence[K],
    recs: Sequence[Record],
    *,
    min_score: float,
    freq: Frequencies | None,
    source: Mapping[K, Any] | None,
    on_progress: Callable[[int, int], Any] | None,
) -> list[Pair[K]]:
    side = [source[rid] for rid in ids] if source is not None else None
    col = blocking.Columns(recs)
    freq = freq or frequencies_of(recs, col)
    # Data without households (errors independent, see `errors`): more pairs are worth scoring,
    # and the pairs the guards hold back get a second, field-by-field look with this data's
    # error rates.
    tested: list[bool] = []

    def no_households(runs: dict[str, blocking.Runs]) -> bool:
        tested.append(households_absent(col, runs))
        return tested[0]

    first, second, runs = blocking.candidate_pairs(recs, side, no_households, col)
    second_look = tested[0]
    del runs
    if not second_look:  # every pair below the threshold is dropped: those that cannot reach it unscored
        keep = bounds.may_reach(col, freq, first, second, min_score)
        first, second = first[keep], second[keep]
    pool: Sequence[Record] | Mapping[int, Record] = recs
    if isinstance(recs, RecordTable):  # the rows compared, made at once
        pool = recs.records_at(blocking.unique_ints(np.concatenate((first, second))).tolist())
    candidates = zip(first.tolist(), second.tolist(), strict=True)
    pairs: list[Pair[K]] = []
    total = len(first)
    held_back: list[tuple[int, int, PairScore]] = []
    above: list[tuple[int, int]] = []
    for done, (a, b) in enumerate(candidates, 1):
        result = score_pair(pool[a], pool[b], freq)
        if result.score >= min_score:
            x, y = ids[a], ids[b]
            pairs.append(Pair(x, y, result) if x < y else Pair(y, x, result))
            if second_look:
                above.append((a, b))
        elif second_look:
            held_back.append((a, b, result))
        if on_progress and (done % 20000 == 0 or done == total):
            on_progress(done, total)
    if held_back:
        # The error rates from all candidate pairs: those held back, and an even sample of the rest.
        step = max(1, len(above) // errors.MODEL_SAMPLE)
        model, levels = errors.estimate(recs, [(a, b) for a, b, _r in held_back], above[::step], step, freq)
        held: PairScore
        for (a, b, held), pair_levels in zip(held_back, levels, strict=True):
            score = errors.independent_score(recs[a], recs[b], freq, model, pair_levels)
            if score >= min_score:
                rescored = PairScore(score, (*held.codes, errors.ERRORS_EXPLAIN), held.similarities)
                x, y = ids[a], ids[b]
                pairs.append(Pair(x, y, rescored) if x < y else Pair(y, x, rescored))
    pairs.sort(key=attrgetter("a", "b"))
    return pairs


def groups_of[K: (int, str)](links: Iterable[tuple[K, K]]) -> list[list[K]]:
    """Connected groups (union-find) of the linked ids (pairs of ids), each sorted, biggest first."""
    parent: dict[K, K] = {}

    def find(x: K) -> K:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in links:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    members: dict[K, list[K]] = {}
    for x in list(parent):
        members.setdefault(find(x), []).append(x)
    return sorted((sorted(m) for m in members.values()), key=lambda g: (-len(g), g[0]))
