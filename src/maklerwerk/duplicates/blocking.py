"""Candidate pairs for the batch search, by array operations (numpy) instead of Python loops.

The keys are those of `normalize.blocking_keys` (tests check both give the same groups); every
field value is numbered once (a dict look-up per value), keys of several fields are combined as
numbers, and records sharing a key are found by one sort per key kind. Pairs are numbered
`a * n + b` (a < b), so joining, de-duplicating and filtering them are set operations on arrays.
For a million contacts this replaces some 13 million dictionary operations and tens of millions
of tuples with a few sorts.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import count

import numpy as np
import numpy.typing as npt

from maklerwerk.duplicates.normalize import Record, RecordTable, column_of, translit

MAX_BLOCK = 60  # a key shared by more records (a very common name) is too vague to block on alone
# A birth date, or the first letters of names or street (common in German data: "han:mül"),
# shared by more contacts is too common to block on alone.
BLOCK_LIMIT = {"b": 10, "i": 10, "j": 10, "o": 10}
BROAD = (
    "b",
    "h",
    "n",
    "m",
    "k",
    "v",
    "r",
    "i",
    "j",
    "o",
    "g",
)  # key kinds whose pairs are scored only when something else agrees
KINDS = ("e", "p", "n", "l", "f", "d", "b", "h", "a", "s", "t", "m", "c", "g", "k", "v", "r", "i", "j", "o")
PREFIXES = {"first3": ("first_t", 3), "last3": ("last_t", 3), "street5": ("street", 5)}

Ints = npt.NDArray[np.int64]


def unique_ints(values: Ints) -> Ints:
    """The distinct values, ascending: one sort. (`np.unique` hashes integers first, which for
    millions of pair codes with few repeats takes ten times as long.)"""
    if not len(values):
        return values.astype(np.int64)
    ordered = np.sort(values, kind="stable")  # as fast on random codes; runs of sorted ones merge
    keep = np.empty(len(ordered), dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def dense_ranks(values: Ints) -> Ints:
    """Each value's place among the distinct values, ascending (as `np.unique(values,
    return_inverse=True)[1]`, which for plain integers also loads `numpy.ma` on first use)."""
    if not len(values):
        return values.astype(np.int64)
    order = np.argsort(values)
    ordered = values[order]
    ranks = np.empty(len(values), dtype=np.int64)
    ranks[0] = 0
    np.cumsum(ordered[1:] != ordered[:-1], out=ranks[1:])
    out = np.empty(len(values), dtype=np.int64)
    out[order] = ranks
    return out


def _numbered(values: Sequence[str], vocab: dict[str, int] | None = None) -> Ints:
    """Each value as a number (the same value, the same number); '' as -1 (missing).
    With `vocab`, numbers continue (and are shared with) an earlier numbering."""
    if not any(values):  # a field nobody filled in (the company in a list of people)
        return np.full(len(values), -1, dtype=np.int64)
    vocab = {"": -1} if vocab is None else vocab
    start = len(vocab)
    # One pass of dictionary look-ups (in C): each value's first position. The distinct values,
    # in the order first seen, are then numbered (continuing `vocab`), and positions turned into
    # numbers by arrays.
    seen: dict[str, int] = {}
    first_at = np.fromiter(map(seen.setdefault, values, count()), dtype=np.int64, count=len(values))
    new = [v for v in seen if v not in vocab]
    vocab.update(zip(new, range(start, start + len(new)), strict=True))
    distinct = np.empty(len(values), dtype=np.int64)
    distinct[np.fromiter(seen.values(), dtype=np.int64, count=len(seen))] = np.arange(len(seen))
    return np.fromiter(map(vocab.__getitem__, seen), dtype=np.int64, count=len(seen))[distinct[first_at]]


def _joined(*parts: Ints) -> Ints:
    """One number per combination of the parts' numbers; -1 where any part is missing."""
    key = parts[0].copy()
    missing = key < 0
    sizes = [int(part.max(initial=0)) + 1 for part in parts]
    # The numbers stay small enough for `_runs`'s single sort of key and record number (numbers
    # in the same order either way: renumbering keeps the order of the combinations).
    small = math.prod(sizes) < 2**62 // max(len(key), 1)
    for part, size in zip(parts[1:], sizes[1:], strict=True):
        missing |= part < 0
        key = key * size + part
        if len(parts) > 2 and not small:  # keep the numbers small before the next multiplication
            key = dense_ranks(key)
    key[missing] = -1
    return key


@dataclass(frozen=True, slots=True)
class Runs:
    """Records sharing a key: `members[start:start + size]` for each run, ascending."""

    members: Ints
    starts: Ints
    sizes: Ints

    def blocks(self) -> list[list[int]]:
        members = self.members.tolist()
        return [members[s : s + k] for s, k in zip(self.starts.tolist(), self.sizes.tolist(), strict=True)]

    def pairs(self, n: int) -> Ints:
        """Every two members of a run, as a * n + b."""
        out = [np.empty(0, dtype=np.int64)]
        for size in unique_ints(self.sizes).tolist():
            rows = self.members[self.starts[self.sizes == size][:, None] + np.arange(size)]
            first, second = np.triu_indices(size, 1)
            out.append((rows[:, first] * n + rows[:, second]).ravel())
        return np.concatenate(out)


def _runs(keys: Ints, limit: int | None, members: Ints | None = None) -> Runs:
    valid = keys >= 0
    keys = keys[valid]
    members = np.flatnonzero(valid) if members is None else members[valid]
    span = int(members.max(initial=0)) + 1
    if int(keys.max(initial=0)) < 2**62 // span:  # one plain sort of key and member as one number
        both = np.sort(keys * span + members)
        keys, members = both // span, both % span
    else:
        order = np.argsort(keys, kind="stable")  # stable: members stay ascending within a run
        keys, members = keys[order], members[order]
    change = np.flatnonzero(keys[1:] != keys[:-1]) + 1
    starts = np.concatenate(([0], change)).astype(np.int64)
    sizes = np.diff(np.concatenate((starts, [len(keys)]))).astype(np.int64)
    keep = (sizes >= 2) & (sizes <= (limit or len(keys))) if len(keys) else np.zeros(0, dtype=bool)
    return Runs(members.astype(np.int64), starts[keep], sizes[keep])


def _multi(col: Columns, attr: str, limit: int | None) -> Runs:
    """E-mails and phones: a record has several; it joins each value's run once."""
    owners, values = col.multi(attr)
    if not len(owners):
        return _runs(np.empty(0, dtype=np.int64), limit)
    n = len(col.recs)
    unique = unique_ints(values * n + owners)
    return _runs(unique // n, limit, members=unique % n)


class Columns:
    """The records' fields as numbers, made once and shared by every key kind.

    A field is numbered with one pass over the records; a cut of it (the first three letters, the
    birth year) is numbered over the field's distinct values only and looked up by number."""

    def __init__(self, recs: Sequence[Record]) -> None:
        self.recs = recs
        self._cache: dict[str, Ints] = {}
        self._vocabs: dict[str, dict[str, int]] = {}
        self._sounds: dict[str, int] = {"": -1}  # first and last names by sound share one numbering
        self._multis: dict[str, tuple[Ints, Ints]] = {}

    def __getitem__(self, name: str) -> Ints:
        column = self._cache.get(name)
        if column is None:
            column = self._cache[name] = self._make(name)
        return column

    def values(self, name: str) -> list[str]:
        """The distinct values of field `name` by number: `values(name)[k]` is numbered k
        (numbers start at 1: the first place, for '', is unused)."""
        self[name]
        return list(self._vocabs.get(name, {"": -1}))

    def counts(self, name: str) -> dict[str, int]:
        """How many records have each value of field `name` (missing values left out)."""
        column = self[name]
        values = self.values(name)
        counted = np.bincount(column[column >= 0], minlength=len(values)).tolist()
        return {v: k for v, k in zip(values, counted, strict=True) if k and v}

    def multi(self, attr: str) -> tuple[Ints, Ints]:
        """A field with several values per record (e-mails, phones): owners (record numbers,
        ascending) and the numbers of their values, record by record, value by value."""
        cached = self._multis.get(attr)
        if cached is None:
            cached = self._multis[attr] = self._make_multi(attr)
        return cached

    def _make_multi(self, attr: str) -> tuple[Ints, Ints]:
        recs = self.recs
        if not isinstance(recs, RecordTable):
            lists = column_of(recs, attr)
            owners = np.array([n for n, values in enumerate(lists) for _ in values], dtype=np.int64)
            return owners, _numbered([v for values in lists for v in values])
        # A table holds each record's values as one text ("a@x.de b@y.de"): split once per
        # distinct text, and numbered in the same order as value by value.
        joined: dict[str, int] = {"": -1}
        codes = _numbered(recs.joined(attr), joined)
        parts = [text.split() for text in list(joined)[1:]]
        per_text = np.zeros(len(joined), dtype=np.int64)  # by text number; 0 (unused) and -1: none
        per_text[1:] = [len(p) for p in parts]
        offset = np.zeros(len(joined), dtype=np.int64)
        offset[1:] = np.cumsum(per_text[1:]) - per_text[1:]
        value_codes = _numbered([v for p in parts for v in p])
        per_record = np.where(codes >= 0, per_text[np.maximum(codes, 0)], 0)
        owners = np.repeat(np.arange(len(codes), dtype=np.int64), per_record)
        before = np.cumsum(per_record) - per_record
        at = np.repeat(offset[np.maximum(codes, 0)] - before, per_record) + np.arange(len(owners))
        return owners, value_codes[at]

    def _make(self, name: str) -> Ints:
        if name in ("first_t", "last_t") and isinstance(self.recs, RecordTable):
            # A table's transliterated name is that of its name: once per distinct name.
            plain = self._vocabs[name] = {"": -1}
            whole = self[name[:-2]]
            return _numbered([translit(v) for v in self.values(name[:-2])] + [""], plain)[whole]
        if name in ("first_ph", "last_ph"):
            self._vocabs[name] = self._sounds
            return _numbered(column_of(self.recs, name), self._sounds)
        if name in PREFIXES:  # the start of a name or street: typos further in are tolerated
            attr, size = PREFIXES[name]
            return self._cut(attr, lambda v: v[:size] if len(v) >= size else "")
        if "/" in name:  # "city/3": the value cut as Python cuts it, city[:3]; "birth/5-": birth[5:]
            attr, cut = name.split("/")
            if cut.endswith("-"):
                return self._cut(attr, lambda v: v[int(cut[:-1]) :])
            return self._cut(attr, lambda v: v[: int(cut)])
        vocab: dict[str, int] = {"": -1}
        self._vocabs[name] = vocab
        return _numbered(column_of(self.recs, name), vocab)

    def _cut(self, attr: str, cut: Callable[[str], str]) -> Ints:
        """Field `attr` cut by `cut`, numbered through the field's own numbers."""
        whole = self[attr]
        table = _numbered([cut(v) for v in self.values(attr)] + [""])  # the last: missing (-1)
        return table[whole]


def key_runs(recs: Sequence[Record], col: Columns | None = None, *, limited: bool = True) -> dict[str, Runs]:
    """Per key kind, the runs of records sharing a key (within the kind's size limit)."""
    col = col or Columns(recs)
    first, last = col["first_ph"], col["last_ph"]
    keys = {
        "n": _joined(np.minimum(first, last), np.maximum(first, last)),  # either order; -1 if one is missing
        "l": _joined(last, col["postal_code"]),
        "f": _joined(first, col["birth"]),
        "d": _joined(last, col["birth"]),
        "b": col["birth"],
        "h": _joined(col["house_number"], col["postal_code"]),
        "a": _joined(col["street"], col["house_number"], col["postal_code"]),
        "s": _joined(col["street"], col["postal_code"]),
        "t": _joined(col["street"], col["house_number"], col["city"]),
        "m": _joined(last, col["city"]),
        "c": col["company"],
        "g": _joined(first, col["street"]),
        "k": _joined(col["street"], col["house_number"]),
        "v": _joined(first, col["postal_code"]),
        "r": _joined(last, col["house_number"]),
        "i": _joined(col["first3"], col["last3"]),
        "j": _joined(col["last3"], col["postal_code"]),
        "o": _joined(col["street5"], col["house_number"]),
    }
    out = {}
    for kind in KINDS:
        limit = BLOCK_LIMIT.get(kind, MAX_BLOCK) if limited else None
        if kind in "ep":
            out[kind] = _multi(col, "emails" if kind == "e" else "phones", limit)
        else:
            out[kind] = _runs(keys[kind], limit)
    return out


def _name(a: Record, b: Record) -> bool:
    """Names by sound agree, in either order."""
    return bool(
        (a.last_ph and (a.last_ph == b.last_ph or a.last_ph == b.first_ph))
        or (a.first_ph and (a.first_ph == b.first_ph or a.first_ph == b.last_ph))
    )


def _place(a: Record, b: Record) -> bool:
    """The region: first two digits of the PLZ, start of the city or of the street name."""
    return bool(
        (a.postal_code and a.postal_code[:2] == b.postal_code[:2])
        or (a.city and a.city[:3] == b.city[:3])
        or (a.street and a.street[:4] == b.street[:4])
    )


def _region(a: Record, b: Record) -> bool:
    """The region without the street (for keys that contain the street already): first two
    digits of the PLZ or start of the city. "Hauptstr. 12" is in every other town."""
    return bool(
        (a.postal_code and a.postal_code[:2] == b.postal_code[:2]) or (a.city and a.city[:3] == b.city[:3])
    )


def _other_than_place(a: Record, b: Record) -> bool:
    """For pairs sharing surname and city: the first name (its sound or first two letters), the
    street or house number, the birth year or day."""
    return bool(
        (a.first_ph and a.first_ph == b.first_ph)
        or (a.first_t and a.first_t[:2] == b.first_t[:2])
        or (a.street and a.street[:4] == b.street[:4])
        or (a.house_number and a.house_number == b.house_number)
        or (a.birth and (a.birth[:4] == b.birth[:4] or a.birth[5:] == b.birth[5:]))
    )


def _other_than_name(a: Record, b: Record) -> bool:
    """For pairs sharing first name and PLZ: the surname (its sound or first two letters), the
    street or house number, the birth year or day (not the first name again)."""
    return bool(
        (a.last_ph and a.last_ph == b.last_ph)
        or (a.last_t and a.last_t[:2] == b.last_t[:2])
        or (a.street and a.street[:4] == b.street[:4])
        or (a.house_number and a.house_number == b.house_number)
        or (a.birth and (a.birth[:4] == b.birth[:4] or a.birth[5:] == b.birth[5:]))
    )


# For pairs found only by a broad key: does anything else agree?
WORTH: dict[str, Callable[[Record, Record], bool]] = {
    "b": lambda a, b: _name(a, b) or _place(a, b),  # same birth date
    "h": lambda a, b: _name(a, b) or bool(a.street and a.street[:4] == b.street[:4]),  # number + PLZ
    "n": lambda a, b: _place(a, b) or bool(a.birth and a.birth[:4] == b.birth[:4]),  # names sound alike
    "m": _other_than_place,  # surname + city
    "k": lambda a, b: _name(a, b) or _region(a, b),  # street + number, PLZ and city mistyped
    "v": _other_than_name,  # first name + PLZ
    "r": _place,  # surname + house number
    "i": _place,  # first three letters of both names
    "j": _other_than_place,  # first three letters of the surname + PLZ
    "o": lambda a, b: _name(a, b) or _region(a, b),  # first five letters of the street + number
    "g": lambda a, b: _region(a, b) or bool(a.house_number and a.house_number == b.house_number),
}


Bools = npt.NDArray[np.bool_]


def _eq(column: Ints, a: Ints, b: Ints) -> Bools:
    """a's value is there and b has the same (as `a.x and a.x == b.x`)."""
    x = column[a]
    return (x >= 0) & (x == column[b])


def _name_arr(col: Columns, a: Ints, b: Ints) -> Bools:
    first, last = col["first_ph"], col["last_ph"]  # one numbering: crossed comparisons work
    la, fa = last[a], first[a]
    return ((la >= 0) & ((la == last[b]) | (la == first[b]))) | (
        (fa >= 0) & ((fa == first[b]) | (fa == last[b]))
    )


def _region_arr(col: Columns, a: Ints, b: Ints) -> Bools:
    return _eq(col["postal_code/2"], a, b) | _eq(col["city/3"], a, b)


def _place_arr(col: Columns, a: Ints, b: Ints) -> Bools:
    return _region_arr(col, a, b) | _eq(col["street/4"], a, b)


def _other_than_place_arr(col: Columns, a: Ints, b: Ints) -> Bools:
    return (
        _eq(col["first_ph"], a, b)
        | _eq(col["first_t/2"], a, b)
        | _eq(col["street/4"], a, b)
        | _eq(col["house_number"], a, b)
        | (_eq(col["birth/4"], a, b) | _eq(col["birth/5-"], a, b)) & (col["birth"][a] >= 0)
    )


# `WORTH` over arrays of pairs (record numbers a, b): the same answers, for the batch.
WORTH_ARRAYS: dict[str, Callable[[Columns, Ints, Ints], Bools]] = {
    "b": lambda col, a, b: _name_arr(col, a, b) | _place_arr(col, a, b),
    "h": lambda col, a, b: _name_arr(col, a, b) | _eq(col["street/4"], a, b),
    "n": lambda col, a, b: _place_arr(col, a, b) | _eq(col["birth/4"], a, b),
    "m": _other_than_place_arr,
    "k": lambda col, a, b: _name_arr(col, a, b) | _region_arr(col, a, b),
    "v": lambda col, a, b: (
        _eq(col["last_ph"], a, b)
        | _eq(col["last_t/2"], a, b)
        | _eq(col["street/4"], a, b)
        | _eq(col["house_number"], a, b)
        | (_eq(col["birth/4"], a, b) | _eq(col["birth/5-"], a, b)) & (col["birth"][a] >= 0)
    ),
    "r": _place_arr,
    "i": _place_arr,
    "j": _other_than_place_arr,
    "o": lambda col, a, b: _name_arr(col, a, b) | _region_arr(col, a, b),
    "g": lambda col, a, b: _region_arr(col, a, b) | _eq(col["house_number"], a, b),
}


# In a list without households (`errors`: each copy with its own typing errors) sharing first
# name and PLZ is itself evidence: a copy can have surname, street and number all mistyped.
# Where families live, it is not (the same first name in a PLZ is a stranger).
WORTH_NO_HOUSEHOLDS: dict[str, Callable[[Columns, Ints, Ints], Bools]] = {
    "v": lambda col, a, b: WORTH_ARRAYS["v"](col, a, b) | _eq(col["first_ph"], a, b),
}


def _not_in(values: Ints, ordered: Ints) -> Ints:
    """`values` not in `ordered` (ascending, distinct): a binary search each."""
    if not len(ordered):
        return values
    at = np.minimum(np.searchsorted(ordered, values), len(ordered) - 1)
    return values[ordered[at] != values]


def candidate_pairs(
    recs: Sequence[Record],
    side: Sequence[object] | None = None,
    no_households: Callable[[dict[str, Runs]], bool] | None = None,
    col: Columns | None = None,
) -> tuple[Ints, Ints, dict[str, Runs]]:
    """Record numbers (a, b), a < b, of every pair to score, ascending; and the runs by kind.

    With `side`, only pairs from different sides (linking lists instead of de-duplicating one).
    Pairs found only by a broad key (the birth date alone, house number + PLZ, the names alone:
    in a million contacts mostly strangers) are kept only when something else agrees.
    `no_households(runs)` says whether the data is a list without households (`errors`); then
    `WORTH_NO_HOUSEHOLDS` applies."""
    n = len(recs)
    col = col or Columns(recs)
    runs = key_runs(recs, col)
    sides = None if side is None else _numbered([str(s) for s in side])

    def across(codes: Ints) -> Ints:
        return codes if sides is None else codes[sides[codes // n] != sides[codes % n]]

    narrow = unique_ints(np.concatenate([across(runs[k].pairs(n)) for k in KINDS if k not in BROAD]))
    chosen = [narrow]
    worth = WORTH_ARRAYS
    if no_households is not None and no_households(runs):
        worth = {**WORTH_ARRAYS, **WORTH_NO_HOUSEHOLDS}
    for kind in BROAD:  # mostly strangers: kept only when something else agrees
        # A record has one key of a kind: a kind's pairs come once each. Asked first what else
        # agrees (most do not), so only the few kept are looked up among the narrow ones.
        broad = across(runs[kind].pairs(n))
        broad = broad[worth[kind](col, broad // n, broad % n)]
        chosen.append(_not_in(broad, narrow))
    codes = unique_ints(np.concatenate(chosen))
    return codes // n, codes % n, runs
