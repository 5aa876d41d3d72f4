"""Finding duplicates among many records at once (the Dubletten page, `find_duplicates`, benchmarks).

Records are grouped by their blocking keys in memory; each pair sharing a key is scored once with
the same `score_pair` the single check uses. Pure Python over plain values: no database here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from maklerwerk.duplicates.normalize import Record, blocking_keys, frequency_keys
from maklerwerk.duplicates.scoring import Frequencies, PairScore, score_pair

MAX_BLOCK = 60  # a key shared by more records (a very common name) is too vague to block on alone


@dataclass(frozen=True, slots=True)
class Pair:
    a: Hashable
    b: Hashable
    result: PairScore


def frequencies_of(records: Iterable[Record]) -> Frequencies:
    counts: Counter[str] = Counter()
    total = 0
    for record in records:
        counts.update(frequency_keys(record))
        total += 1
    return Frequencies(total=total, counts=counts)


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
    are compared (linking two lists instead of de-duplicating one)."""
    freq = freq or frequencies_of(records.values())
    blocks: dict[str, list[Hashable]] = {}
    for rid, record in records.items():
        for key in keys[rid] if keys is not None else blocking_keys(record):
            blocks.setdefault(key, []).append(rid)
    seen: set[tuple[Hashable, Hashable]] = set()
    pairs: list[Pair] = []
    todo = [ids for ids in blocks.values() if 1 < len(ids) <= MAX_BLOCK]
    total = len(todo)
    for done, ids in enumerate(todo, 1):
        for i, a in enumerate(ids):
            ra = records[a]
            for b in ids[i + 1 :]:
                pair = (a, b) if a < b else (b, a)  # type: ignore[operator]
                if pair in seen:
                    continue
                seen.add(pair)
                if source is not None and source[a] == source[b]:
                    continue
                result = score_pair(ra, records[b], freq)
                if result.score >= min_score:
                    pairs.append(Pair(pair[0], pair[1], result))
        if on_progress and (done % 2000 == 0 or done == total):
            on_progress(done, total)
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
