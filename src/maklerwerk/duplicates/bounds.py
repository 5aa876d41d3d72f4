"""An upper bound of `scoring.score_pair` for many pairs at once (numpy and rapidfuzz's `cpdist`).

The batch scores each candidate pair with the same Python function the single check uses, which
builds reasons and similarities for every pair. Most candidates of a big list (pairs that share
a broad key: a house number in a PLZ, a surname in a city) end far below the threshold. Here the
evidence of every field is bounded from above over arrays of pairs: the field comparisons
(addresses, PLZ, city, company, birth date) exactly as `score_pair` makes them, the names by the
most they could add. Pairs whose bound stays below the threshold cannot reach it (the guards of
`score_pair` only ever lower a score) and are not scored; the others are scored as before, so
every reported pair, score and reason is unchanged.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from rapidfuzz.distance import OSA, JaroWinkler
from rapidfuzz.fuzz import ratio
from rapidfuzz.process import cpdist

from maklerwerk.duplicates.blocking import Columns, Ints
from maklerwerk.duplicates.scoring import (
    BIRTH_DIFFERS,
    BIRTH_NEAR,
    BIRTH_SAME,
    MAX_NAME_BITS,
    POSTAL_NEAR,
    STREET_SAME,
    Frequencies,
)

Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]
MARGIN = 0.05  # bits: sums in another order, and the score's rounding to four decimals
NOT_AGREEING = 2.0  # the most a name adds that is neither the same, nor sounds, nor a typo apart


class Pairs:
    """Candidate pairs (record numbers `a`, `b`) over the batch's numbered columns."""

    def __init__(self, col: Columns, freq: Frequencies, a: Ints, b: Ints) -> None:
        self.col, self.freq, self.a, self.b = col, freq, a, b

    def both(self, name: str) -> Bools:
        column = self.col[name]
        return (column[self.a] >= 0) & (column[self.b] >= 0)

    def same(self, name: str) -> Bools:
        column = self.col[name]
        x = column[self.a]
        return (x >= 0) & (x == column[self.b])

    def per_value(self, name: str, fn: Callable[[str], float], side: str = "a") -> Floats:
        """`fn` of each pair's value of `name` (of record a or b); `fn('')` where missing."""
        table = np.array([*map(fn, self.col.values(name)), fn("")])
        return table[self.col[name][self.a if side == "a" else self.b]]

    def compare(self, name: str, scorer: Callable[..., float], mask: Bools, **kwargs: float) -> Floats:
        """`scorer(value a, value b)` for the pairs in `mask` (both values there), 0 elsewhere."""
        out = np.zeros(len(self.a))
        at = np.flatnonzero(mask)
        if len(at):
            values = np.array(self.col.values(name), dtype=object)
            codes = self.col[name]
            out[at] = cpdist(  # type: ignore[call-overload]  # the stubs type score_cutoff per scorer only
                values[codes[self.a[at]]], values[codes[self.b[at]]], scorer=scorer, workers=-1, **kwargs
            )
        return out


def _name_bound(p: Pairs, name: str, kind: str) -> Floats:
    """The most a name (`name` = "last" or "first") adds, as `_name_part` weighs it."""
    t, ph = f"{name}_t", f"{name}_ph"
    bits = p.per_value(t, lambda v: p.freq.of(kind, v))
    sound_bits = p.per_value(ph, lambda v: p.freq.of(kind.lower(), v) if v else 0.0)
    sound = np.where(p.same(ph), sound_bits - 1.5, -np.inf)
    both = p.both(name)
    t_same = p.col[t][p.a] == p.col[t][p.b]  # as Python compares: '' == '' too
    rest = both & ~t_same & p.both(t)
    typo = p.compare(t, OSA.distance, rest, score_cutoff=3) <= 2
    typo_bits = np.where(rest & typo, bits - 2.5, -np.inf)
    bound = np.maximum.reduce(
        [np.where(t_same, bits, -np.inf), sound, typo_bits, np.full(len(bits), NOT_AGREEING)]
    )
    return np.where(both, bound, 0.0)


def _other_first_name(p: Pairs) -> Bools:
    """Pairs whose first names surely differ in `_name_part`'s sense ("differs" or "near"): both
    longer than an initial, spelled and sounding otherwise, not a typo apart, no double name."""
    both = p.both("first")
    long = p.per_value("first", lambda v: float(len(v) > 1), "a") * p.per_value(
        "first", lambda v: float(len(v) > 1), "b"
    )
    single = p.per_value("first_t", lambda v: float(" " not in v), "a") * p.per_value(
        "first_t", lambda v: float(" " not in v), "b"
    )
    t = p.col["first_t"]
    rest = both & (long > 0) & (single > 0) & (t[p.a] != t[p.b]) & ~p.same("first_ph") & p.both("first_t")
    return rest & (p.compare("first_t", OSA.distance, rest, score_cutoff=3) > 2)


def _names_bound(p: Pairs) -> tuple[Floats, Bools]:
    """The most the names add, and where the swapped order may count instead."""
    straight = _name_bound(p, "last", "L") + _name_bound(p, "first", "F")
    # Swapped first and surname count only when a swapped name agrees by sound or first letter.
    col, a, b = p.col, p.a, p.b
    letter = {
        (n, side): p.per_value(f"{n}_t", lambda v: float(ord(v[0])) if v else 0.0, side)
        for n in ("first", "last")
        for side in "ab"
    }
    fph, lph = col["first_ph"], col["last_ph"]  # one numbering; '' == '' as in Python
    crossed = (
        (letter["first", "a"] == letter["last", "b"])
        | (letter["last", "a"] == letter["first", "b"])
        | (fph[a] == lph[b])
        | (lph[a] == fph[b])
    )
    swap = p.both("first") & p.both("last") & crossed
    return np.where(swap, np.maximum(straight, 2 * MAX_NAME_BITS), straight), swap


def _channel_bound(p: Pairs, attr: str, agree: float) -> Floats:
    """E-mails or phones: `agree` bits when the pair may share one, -1 when both have others."""
    owners, values = p.col.multi(attr)
    if not len(owners):
        return np.zeros(len(p.a))
    counts = np.bincount(owners, minlength=len(p.col.recs))
    one = counts[owners] == 1
    single = np.full(len(counts), -1, dtype=np.int64)  # the number of a record's only value
    single[owners[one]] = values[one]
    ca, cb = counts[p.a], counts[p.b]
    both = (ca > 0) & (cb > 0)
    maybe = both & ((ca > 1) | (cb > 1) | (single[p.a] == single[p.b]))
    return np.where(maybe, agree, np.where(both, -1.0, 0.0))


def _birth_bound(p: Pairs) -> Floats:
    both = p.both("birth")
    same = p.same("birth")
    near = p.compare("birth", OSA.distance, both & ~same, score_cutoff=3) <= 2  # dashes: one more
    near |= p.same("birth/4")  # day and month swapped
    return np.where(both, np.where(same, BIRTH_SAME, np.where(near, BIRTH_NEAR, BIRTH_DIFFERS)), 0.0)


@dataclass(frozen=True, slots=True)
class Place:
    """Street, house number, PLZ and city: the bits `score_pair` gives, and what its guards read."""

    bits: Floats
    other_street: Bools  # both streets there, less than 0.85 alike
    same_address: Bools
    same_street: Bools
    maybe_same_place: Bools  # the same PLZ (or one typo apart) and no conflicting street


def _place(p: Pairs) -> Place:
    both_street, both_postal = p.both("street"), p.both("postal_code")
    street_sim = np.where(p.same("street"), 1.0, p.compare("street", ratio, both_street) / 100)
    number_same = p.col["house_number"][p.a] == p.col["house_number"][p.b]  # '' == '' too
    postal_same = p.same("postal_code")
    postal_near = both_postal & ~postal_same
    postal_near &= p.compare("postal_code", OSA.distance, postal_near) == 1
    close = both_street & (street_sim >= 0.85)
    full = close & number_same & (postal_same | ~both_postal)
    moved = close & number_same & ~full  # same street and number, PLZ mistyped
    same_address = full | moved
    same_street = close & ~same_address & (postal_same | postal_near)
    conflict = both_street & (street_sim < 0.7)
    p_bits = p.per_value("postal_code", lambda v: p.freq.of("P", v) if v else 0.0)
    bits = np.where(
        full, np.where(postal_same, p_bits, 3.0) + 7.0 - np.where(street_sim == 1.0, 0.0, 1.5), 0.0
    )
    bits += np.where(moved, 5.0, 0.0) + np.where(same_street, STREET_SAME, 0.0) - np.where(conflict, 1.5, 0.0)
    postal = np.where(postal_same, p_bits, np.where(postal_near, POSTAL_NEAR, -2.0))
    bits += np.where(both_postal & ~same_address, postal, 0.0)
    both_city = p.both("city")
    city_sim = np.where(p.same("city"), 1.0, p.compare("city", JaroWinkler.normalized_similarity, both_city))
    city = np.where(city_sim >= 0.9, np.where(~both_postal | postal_near, 2.0, 0.0), -1.0)
    bits += np.where(both_city, city, 0.0)
    other_street = both_street & (street_sim < 0.85)
    return Place(bits, other_street, same_address, same_street, ~conflict & (postal_same | postal_near))


def _company_bound(p: Pairs) -> Floats:
    both = p.both("company")
    if not both.any():
        return np.zeros(len(p.a))
    sim = np.where(p.same("company"), 100.0, p.compare("company", ratio, both))
    return np.where(both, np.where(sim == 100.0, 9.0, np.where(sim >= 90.0, 6.0, -2.0)), 0.0)


def may_reach(col: Columns, freq: Frequencies, a: Ints, b: Ints, min_score: float) -> Bools:
    """Which pairs (a[i], b[i]) could score at least `min_score`: the others surely score less."""
    if min_score <= 0.0:
        return np.ones(len(a), dtype=bool)
    p = Pairs(col, freq, a, b)
    names, swap = _names_bound(p)
    email, phone = _channel_bound(p, "emails", 14.0), _channel_bound(p, "phones", 11.0)
    birth, company, place = _birth_bound(p), _company_bound(p), _place(p)
    bound = freq.prior_bits + names + email + phone + birth + place.bits + company
    odds = min(min_score, 0.9999)
    reach = bound >= math.log2(odds / (1.0 - odds)) - MARGIN
    if min_score <= 0.45:
        return reach
    # The guards of `score_pair` that cap a score at 0.45 (or 0.85 with a shared e-mail), where
    # they surely apply: another first name and birth dates neither the same nor a typo apart;
    first_guard = ~swap & (birth < BIRTH_NEAR) & _other_first_name(p) & ((email <= 0) | (min_score > 0.85))
    # two birth dates that are not a typo apart, with nothing that could excuse it;
    excused = (email > 0) | place.same_address | place.same_street | place.maybe_same_place
    birth_guard = (birth == BIRTH_DIFFERS) & ~excused
    # a namesake in another street with nothing strong in common, spelled otherwise or reachable
    # on other channels.
    strong = (email > 0) | (phone > 0) | (birth == BIRTH_SAME) | place.same_address | (company > 0)
    t_first, t_last = p.col["first_t"], p.col["last_t"]
    spelled_alike = (t_first[a] == t_first[b]) & (t_last[a] == t_last[b])
    namesake = place.other_street & ~strong & ((email < 0) | (phone < 0) | ~spelled_alike)
    return reach & ~first_guard & ~birth_guard & ~namesake
