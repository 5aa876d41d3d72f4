"""Finding duplicates among many records at once (the Dubletten page, `find_duplicates`, benchmarks).

Records are grouped by their blocking keys in memory; each pair sharing a key is scored once with
the same `score_pair` the single check uses. Pure Python over plain values: no database here.
"""

from __future__ import annotations

import gc
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from itertools import chain, combinations, product
from typing import Any

from maklerwerk.duplicates import errors
from maklerwerk.duplicates.normalize import Record
from maklerwerk.duplicates.scoring import Frequencies, PairScore, score_pair

MAX_BLOCK = 60  # a key shared by more records (a very common name) is too vague to block on alone
BLOCK_LIMIT = {"b": 10}  # a birth date shared by more contacts is too common to block on alone
BROAD = ("b", "h", "n", "m")  # key kinds whose pairs are scored only when something else agrees


@dataclass(frozen=True, slots=True)
class Pair:
    a: Hashable
    b: Hashable
    result: PairScore


def frequencies_of(records: Iterable[Record]) -> Frequencies:
    """The counts `frequency_keys` would give, counted column by column (C-level `Counter`)."""
    records = list(records)
    counts: Counter[str] = Counter()
    for prefix, attr in (("L", "last_t"), ("l", "last_ph"), ("F", "first_t"), ("f", "first_ph"),
                         ("P", "postal_code"), ("B", "birth")):  # fmt: skip
        column = Counter(getattr(r, attr) for r in records)
        column.pop("", None)
        counts.update({f"{prefix}:{value}"[:150]: n for value, n in column.items()})
    return Frequencies(total=len(records), counts=counts)


def _pairs_in(blocks: Iterable[list[int]], side: list[Any] | None, first_right: int) -> set[tuple[int, int]]:
    """Every pair of numbers sharing a block, once; with sides, only pairs across two sides.

    Blocks are ascending lists, so C-level `combinations` / `product` make each pair in one order.
    With two sides the records of the first side are numbered first (below `first_right`), so a
    block splits into its two sides by one bisection."""
    pairs: set[tuple[int, int]] = set()
    if side is None:
        for block in blocks:
            pairs.update(combinations(block, 2))
    elif first_right < 0:  # three or more lists: every pair across two of them
        for block in blocks:
            pairs.update(p for p in combinations(block, 2) if side[p[0]] != side[p[1]])
    else:
        for block in blocks:
            cut = bisect_left(block, first_right)
            if 0 < cut < len(block):
                pairs.update(product(block[:cut], block[cut:]))
    return pairs


def _key_columns(recs: list[Record]) -> dict[str, list[Any]]:
    """The blocking keys of `normalize.blocking_keys`, made column by column: per kind, one value
    per record (None when it has none; e-mails and phones as (record number, value) pairs). Tuples
    of the record's strings, so nothing is formatted or hashed anew; tests check both agree."""

    def both(x: str, y: str) -> tuple[str, str] | None:
        return (x, y) if x and y else None

    return {
        "e": [(n, e) for n, r in enumerate(recs) for e in r.emails],
        "p": [(n, p) for n, r in enumerate(recs) for p in r.phones],
        "n": [
            (min(r.first_ph, r.last_ph), max(r.first_ph, r.last_ph)) if r.first_ph and r.last_ph else None
            for r in recs
        ],
        "l": [both(r.last_ph, r.postal_code) for r in recs],
        "f": [both(r.first_ph, r.birth) for r in recs],
        "d": [both(r.last_ph, r.birth) for r in recs],
        "b": [r.birth or None for r in recs],
        "h": [both(r.house_number, r.postal_code) for r in recs],
        "a": [
            (r.street, r.house_number, r.postal_code)
            if r.street and r.house_number and r.postal_code
            else None
            for r in recs
        ],
        "s": [both(r.street, r.postal_code) for r in recs],
        "t": [
            (r.street, r.house_number, r.city) if r.street and r.house_number and r.city else None
            for r in recs
        ],
        "m": [both(r.last_ph, r.city) for r in recs],
        "c": [r.company or None for r in recs],
    }


def _blocks(recs: list[Record]) -> dict[str, list[list[int]]]:
    """Blocks (ascending record numbers sharing a key, at most the kind's limit) by key kind, in one
    pass per kind: a list is made only when a key comes a second time."""
    by_kind: dict[str, list[list[int]]] = {}
    for kind, column in _key_columns(recs).items():
        seen: dict[Any, int] = {}
        blocks: dict[Any, list[int]] = {}
        for n, key in column if kind in "ep" else enumerate(column):  # e, p: (record number, value)
            if key is None:
                continue
            first = seen.setdefault(key, n)
            if first != n:
                block = blocks.get(key)
                if block is None:
                    blocks[key] = [first, n]
                elif block[-1] != n:
                    block.append(n)
        limit = BLOCK_LIMIT.get(kind, MAX_BLOCK)
        by_kind[kind] = [block for block in blocks.values() if len(block) <= limit]
    return by_kind


def _worth_scoring(recs: list[Record]) -> dict[str, Callable[[tuple[int, int]], bool]]:
    """For pairs found only by a broad key: does anything else agree? (names by sound, either
    order; the region: first two digits of the PLZ, start of the city or street name; birth year).
    Precomputed per record, so a pair costs a few list look-ups, not a scoring."""
    last = [r.last_ph for r in recs]
    first = [r.first_ph for r in recs]
    region = [r.postal_code[:2] for r in recs]
    city = [r.city[:3] for r in recs]
    street = [r.street[:4] for r in recs]
    year = [r.birth[:4] for r in recs]

    def name(p: tuple[int, int]) -> bool:
        a, b = p
        return bool(
            (last[a] and (last[a] == last[b] or last[a] == first[b]))
            or (first[a] and (first[a] == first[b] or first[a] == last[b]))
        )

    def place(p: tuple[int, int]) -> bool:
        a, b = p
        return bool(
            (region[a] and region[a] == region[b])
            or (city[a] and city[a] == city[b])
            or (street[a] and street[a] == street[b])
        )

    number = [r.house_number for r in recs]
    day = [r.birth[5:] for r in recs]
    first_start = [r.first_t[:2] for r in recs]

    def other_than_place(p: tuple[int, int]) -> bool:
        """For pairs sharing the surname and the city: the first name (its sound or first two
        letters), the street or house number, the birth year or day."""
        a, b = p
        return bool(
            (first[a] and first[a] == first[b])
            or (first_start[a] and first_start[a] == first_start[b])
            or (street[a] and street[a] == street[b])
            or (number[a] and number[a] == number[b])
            or (year[a] and year[a] == year[b])
            or (day[a] and day[a] == day[b])
        )

    return {
        "b": lambda p: name(p) or place(p),  # same birth date
        "h": lambda p: name(p) or (street[p[0]] != "" and street[p[0]] == street[p[1]]),  # number + PLZ
        "n": lambda p: place(p) or (year[p[0]] != "" and year[p[0]] == year[p[1]]),  # names sound alike
        "m": other_than_place,  # surname + city
    }


def find_pairs(
    records: Mapping[Hashable, Record],
    *,
    min_score: float,
    freq: Frequencies | None = None,
    source: Mapping[Hashable, Any] | None = None,
    on_progress: Callable[[int, int], Any] | None = None,
) -> list[Pair]:
    """All pairs scoring at least `min_score`. With `source`, only pairs from different sources
    are compared (linking two lists instead of de-duplicating one).

    Records are numbered in the order given; the candidate pairs of all blocks are collected
    without repeats before any is scored. Pairs found only by a broad key (the birth date alone,
    house number + PLZ, the names alone: in a million contacts mostly strangers) are scored only
    when something else agrees (`_worth_scoring`), which leaves out most of them cheaply.
    """
    collecting = gc.isenabled()
    gc.disable()  # millions of small tuples and lists: the collector would walk them again and again
    try:
        return _find_pairs(records, min_score=min_score, freq=freq, source=source, on_progress=on_progress)
    finally:
        if collecting:
            gc.enable()


def _find_pairs(
    records: Mapping[Hashable, Record],
    *,
    min_score: float,
    freq: Frequencies | None,
    source: Mapping[Hashable, Any] | None,
    on_progress: Callable[[int, int], Any] | None,
) -> list[Pair]:
    freq = freq or frequencies_of(records.values())
    ids = list(records)
    side, first_right = None, -1
    if source is not None:
        side = [source[rid] for rid in ids]
        sides = set(side)
        if len(sides) == 2:  # number the first side's records first
            first = side[0]
            ids = [rid for rid, s in zip(ids, side, strict=True) if s == first] + [
                rid for rid, s in zip(ids, side, strict=True) if s != first
            ]
            first_right = side.count(first)
            side = [source[rid] for rid in ids]
    recs = [records[rid] for rid in ids]
    by_kind = _blocks(recs)
    candidates = _pairs_in(
        chain.from_iterable(v for k, v in by_kind.items() if k not in BROAD), side, first_right
    )
    # Data without households (errors independent, see `errors`): the pairs the guards hold back
    # get a second, field-by-field look with this data's error rates.
    second_look = errors.household_test(recs, by_kind["a"]).errors_independent
    worth = _worth_scoring(recs)
    for kind in BROAD:
        broad = _pairs_in(by_kind.pop(kind, []), side, first_right)
        broad -= candidates
        candidates.update(filter(worth[kind], broad))
    del by_kind, worth
    pairs: list[Pair] = []
    total = len(candidates)
    held_back: list[tuple[int, int]] = []
    confident: list[tuple[int, int]] = []
    for done, (a, b) in enumerate(candidates, 1):
        result = score_pair(recs[a], recs[b], freq)
        if result.score >= min_score:
            x, y = ids[a], ids[b]
            pairs.append(Pair(x, y, result) if x < y else Pair(y, x, result))  # type: ignore[operator]
            if second_look and result.score >= 0.9:
                confident.append((a, b))
        elif second_look:
            held_back.append((a, b))
        if on_progress and (done % 20000 == 0 or done == total):
            on_progress(done, total)
    if held_back:
        model = errors.estimate(recs, confident, freq)
        for a, b in held_back:
            score = errors.independent_score(recs[a], recs[b], freq, model)
            if score >= min_score:
                result = score_pair(recs[a], recs[b], freq)
                result = PairScore(score, (*result.codes, errors.ERRORS_EXPLAIN), result.similarities)
                x, y = ids[a], ids[b]
                pairs.append(Pair(x, y, result) if x < y else Pair(y, x, result))  # type: ignore[operator]
    pairs.sort(key=lambda p: (p.a, p.b))  # type: ignore[operator]
    return pairs


def groups_of(pairs: Iterable[Pair]) -> list[list[Hashable]]:
    """Connected groups (union-find) of the paired ids, each sorted, biggest first."""
    parent: dict[Hashable, Hashable] = {}

    def find(x: Hashable) -> Hashable:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for pair in pairs:
        ra, rb = find(pair.a), find(pair.b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)  # type: ignore[type-var]
    members: dict[Hashable, list[Hashable]] = {}
    for x in list(parent):
        members.setdefault(find(x), []).append(x)
    return sorted((sorted(m) for m in members.values()), key=lambda g: (-len(g), g[0]))  # type: ignore[type-var]
