"""Finding duplicates among many records at once (the Dubletten page, `find_duplicates`, benchmarks).

Records are grouped by their blocking keys in memory; each pair sharing a key is scored once with
the same `score_pair` the single check uses. Pure Python over plain values: no database here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from itertools import combinations, product
from typing import Any

from maklerwerk.duplicates.normalize import Record, blocking_keys
from maklerwerk.duplicates.scoring import Frequencies, PairScore, score_pair

MAX_BLOCK = 60  # a key shared by more records (a very common name) is too vague to block on alone


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


def find_pairs(
    records: Mapping[Hashable, Record],
    *,
    min_score: float,
    freq: Frequencies | None = None,
    source: Mapping[Hashable, Any] | None = None,
    keys: Mapping[Hashable, list[str]] | None = None,
    on_progress: Callable[[int, int], Any] | None = None,
) -> list[Pair]:
    """All pairs scoring at least `min_score`. With `source`, only pairs from different sources
    are compared (linking two lists instead of de-duplicating one).

    Records are numbered in the order given; each block is a sorted list of numbers, so the
    candidate pairs of all blocks are collected (without repeats) by C-level `combinations` /
    `product` into one set before any is scored.
    """
    freq = freq or frequencies_of(records.values())
    ids = list(records)
    recs = list(records.values())
    blocks: dict[str, list[int]] = {}
    for n, record in enumerate(recs):
        for key in keys[ids[n]] if keys is not None else blocking_keys(record):
            block = blocks.get(key)
            if block is None:
                blocks[key] = [n]
            else:
                block.append(n)
    todo = [block for block in blocks.values() if 1 < len(block) <= MAX_BLOCK]
    del blocks
    candidates: set[tuple[int, int]] = set()
    if source is None:
        for block in todo:
            candidates.update(combinations(block, 2))
    else:
        side = [source[rid] for rid in ids]
        if len(set(side)) > 2:  # three or more lists: every pair across two of them
            for block in todo:
                candidates.update(p for p in combinations(block, 2) if side[p[0]] != side[p[1]])
        else:
            left_side = side[0] if side else None
            is_left = [value == left_side for value in side]
            for block in todo:  # a pair is always (left, right), so it cannot come twice reversed
                left = [n for n in block if is_left[n]]
                if left and len(left) < len(block):
                    candidates.update(product(left, [n for n in block if not is_left[n]]))
    pairs: list[Pair] = []
    total = len(candidates)
    for done, (a, b) in enumerate(candidates, 1):
        result = score_pair(recs[a], recs[b], freq)
        if result.score >= min_score:
            x, y = ids[a], ids[b]
            pairs.append(Pair(x, y, result) if x < y else Pair(y, x, result))  # type: ignore[operator]
        if on_progress and (done % 20000 == 0 or done == total):
            on_progress(done, total)
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
