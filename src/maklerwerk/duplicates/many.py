"""Many new contacts at once (an import's batch): one check against the office, the pairs among
themselves, and their match keys written in bulk.

`check_many` gives every record the candidates `engine.check` would give it, with a fixed number
of queries for the whole batch instead of two per record: the keys of all records are looked up
together (at most `LIMIT_PER_KEY` contacts per key, in id order, cut per record to the limit
`engine.check` applies), the profiles of all candidates are read together, and the name counts
of all records come in one query; pairs that cannot reach the "possible" threshold are left
unscored (`bounds.may_reach`, an upper bound: the rest score exactly as in `engine.check`).
Pairs *within* the batch (the same person twice in one file) come from `batch.find_pairs` at
the office's "possible" threshold, with the batch's own names counted in as well.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import connection

from maklerwerk.duplicates import batch, blocking, bounds, engine
from maklerwerk.duplicates.models import DuplicatePair, MatchKey, MatchProfile, NameFrequency
from maklerwerk.duplicates.normalize import Record, blocking_keys, frequency_keys, record_from_row
from maklerwerk.duplicates.scoring import Frequencies, Level, PairScore, level_for, score_pair

QUERY_KEYS = engine.KEYS_PER_QUERY


@dataclass(frozen=True)
class Inner:
    """Records `a` < `b` of the batch (their positions) may be the same person."""

    a: int
    b: int
    result: PairScore
    level: Level


@dataclass(frozen=True)
class Checked:
    matches: list[list[engine.Match]]  # per record, against the office: best first
    inner: list[Inner]  # pairs within the batch


def _fetch(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _key_ids(office_id: int, keys: Sequence[str]) -> dict[str, list[int]]:
    """Contacts per key, at most `LIMIT_PER_KEY` each, in id order (one query per 400 keys)."""
    table = MatchKey._meta.db_table
    found: dict[str, list[int]] = {}
    for start in range(0, len(keys), QUERY_KEYS):
        part = list(keys[start : start + QUERY_KEYS])
        marks = ", ".join(["%s"] * len(part))
        limit = max(
            engine.LIMIT_PER_KEY, blocking.MAX_BLOCK + 1, *(n + 1 for n in blocking.BLOCK_LIMIT.values())
        )
        sql = (
            "SELECT key, contact_id FROM (SELECT key, contact_id, ROW_NUMBER() OVER "  # noqa: S608
            f"(PARTITION BY key ORDER BY contact_id) AS n FROM {table} "
            f"WHERE office_id = %s AND key IN ({marks})) k WHERE n <= %s ORDER BY key, contact_id"
        )
        for key, contact_id in _fetch(sql, [office_id, *part, limit]):
            found.setdefault(key, []).append(contact_id)
    return found


def _profiles(ids: Sequence[int]) -> dict[int, Record]:
    table = MatchProfile._meta.db_table
    columns = ", ".join(f"p.{c}" for c in engine._PROFILE_COLUMNS)
    out: dict[int, Record] = {}
    for start in range(0, len(ids), QUERY_KEYS):
        part = list(ids[start : start + QUERY_KEYS])
        marks = ", ".join(["%s"] * len(part))
        sql = f"SELECT {columns} FROM {table} p WHERE p.contact_id IN ({marks})"  # noqa: S608
        out.update((row[0], record_from_row(row[1:])) for row in _fetch(sql, part))
    return out


def _frequencies(office_id: int, records: Sequence[Record]) -> tuple[Frequencies, Frequencies]:
    """The office's counts of every name the batch needs, without and with the batch's own."""
    keys = list(dict.fromkeys(k for r in records for k in engine._lookup_keys(r)))
    table = NameFrequency._meta.db_table
    counts: Counter[str] = Counter()
    for start in range(0, len(keys), QUERY_KEYS):
        part = keys[start : start + QUERY_KEYS]
        marks = ", ".join(["%s"] * len(part))
        sql = f"SELECT key, occurrences FROM {table} WHERE office_id = %s AND key IN ({marks})"  # noqa: S608
        counts.update(dict(_fetch(sql, [office_id, *part])))
    total = max(0, counts.pop(engine.TOTAL_KEY, 0))
    office = Frequencies(total=total, counts=dict(counts))
    for record in records:
        counts.update(k[:150] for k in frequency_keys(record))
    return office, Frequencies(total=total + len(records), counts=dict(counts))


def _candidates(record: Record, found: dict[str, list[int]]) -> tuple[set[int], dict[int, set[str]]]:
    """As `engine.candidate_profiles`: contacts sure to be compared, and those found by broad keys."""
    checked = engine._checked_kinds(record)
    sure: set[int] = set()
    by_broad: dict[int, set[str]] = {}
    for key in blocking_keys(record):
        limit = engine._key_limit(key, checked)
        ids = found.get(key, [])[:limit]
        kind = key[:1]
        if kind not in checked:
            sure.update(ids)
        elif len(ids) < limit:
            for contact_id in ids:
                by_broad.setdefault(contact_id, set()).add(kind)
    return sure, by_broad


def check_many(office_id: int, records: Sequence[Record]) -> Checked:
    """Every record's matches in the office (as `engine.check`), and the pairs within `records`."""
    if not records:
        return Checked([], [])
    certain, possible = engine.thresholds(office_id)
    freq, with_batch = _frequencies(office_id, records)
    found = _key_ids(office_id, list(dict.fromkeys(k for r in records for k in blocking_keys(r))))
    per_record = [_candidates(r, found) for r in records]
    profiles = _profiles(sorted({i for sure, broad in per_record for i in (*sure, *broad)}))
    ids = sorted(profiles)
    at = {contact_id: len(records) + k for k, contact_id in enumerate(ids)}
    first: list[int] = []
    second: list[int] = []
    for k, (record, (sure, by_broad)) in enumerate(zip(records, per_record, strict=True)):
        for contact_id in sorted(sure | by_broad.keys()):
            candidate = profiles.get(contact_id)
            if candidate is None or (
                contact_id not in sure
                and not any(blocking.WORTH[kind](record, candidate) for kind in by_broad[contact_id])
            ):
                continue
            first.append(k)
            second.append(at[contact_id])
    # Pairs that cannot reach the "possible" threshold (an upper bound of the score over all
    # pairs at once, `bounds`) are not scored: `engine.check` would drop them after scoring.
    col = blocking.Columns([*records, *(profiles[i] for i in ids)])
    a, b = np.array(first, dtype=np.int64), np.array(second, dtype=np.int64)
    keep = bounds.may_reach(col, freq, a, b, possible) if len(a) else np.zeros(0, dtype=bool)
    matches: list[list[engine.Match]] = [[] for _r in records]
    for k, j in zip(a[keep].tolist(), b[keep].tolist(), strict=True):
        result = score_pair(records[k], col.recs[j], freq)
        level = level_for(result.score, certain=certain, possible=possible)
        if level:
            matches[k].append(engine.Match(ids[j - len(records)], result, level))
    for out in matches:
        out.sort(key=lambda m: (-m.result.score, m.contact_id))
    inner = []
    if len(records) > 1:
        for pair in batch.find_pairs(dict(enumerate(records)), min_score=possible, freq=with_batch):
            level = level_for(pair.result.score, certain=certain, possible=possible)
            if level:
                inner.append(Inner(pair.a, pair.b, pair.result, level))
    return Checked(matches, inner)


def _insert(model: type[Any], columns: Sequence[str], rows: Sequence[tuple[Any, ...]]) -> None:
    """Plain INSERTs of many rows (psycopg pipelines `executemany`): tens of thousands of keys
    without building a model instance each."""
    if not rows:
        return
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) VALUES ({marks})"  # noqa: S608
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[start : start + 5000])


def keys_add_many(office_id: int, saved: Sequence[tuple[int, Record]]) -> None:
    """Profiles, keys and name counts of new contacts (`(contact id, record)`) in bulk."""
    names = engine._PROFILE_COLUMNS[1:]
    profiles = []
    for cid, record in saved:
        values = engine.profile_values(record)
        profiles.append((cid, office_id, *(values[c] for c in names)))
    _insert(MatchProfile, ("contact_id", "office_id", *names), profiles)
    _insert(
        MatchKey,
        ("office_id", "contact_id", "key"),
        [(office_id, cid, key) for cid, r in saved for key in blocking_keys(r)],
    )
    deltas: Counter[str] = Counter()
    for _cid, record in saved:
        deltas.update(frequency_keys(record))
    deltas[engine.TOTAL_KEY] += len(saved)
    engine._apply_deltas(office_id, deltas)


def review_add_many(
    office_id: int, pairs: Sequence[tuple[int, int, float, list[str], dict[str, float]]]
) -> None:
    """List pairs (new contact, candidate, score, codes, similarities) on the Dubletten page."""
    DuplicatePair.objects.bulk_create(
        DuplicatePair(
            office_id=office_id,
            contact_a_id=min(a, b),
            contact_b_id=max(a, b),
            score=score,
            codes=codes,
            similarities=similarities,
        )
        for a, b, score, codes, similarities in pairs
    )
