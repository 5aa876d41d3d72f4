"""How this data goes wrong: an error model estimated from the records themselves (batch only).

`score_pair` guards against families and namesakes: a different first name, or two birth dates
that are not one typo apart, mean another person. That is right for German offices, where
husband and wife share the surname, the address and the landline. Some data has no households
at all (an imported list where every person occurs once, each entry with its own typing errors):
there the guards throw away duplicates whose first name or birth date was mistyped beyond one
slip.

Which kind of data this is can be measured. Errors hit fields independently, so among pairs
sharing surname and full address, "first name differs AND birth date differs" happens about
m(first) x m(birth) times as often as such a pair occurs, with m(field) the share of a field's
disagreements among pairs that agree on everything else. Another person at the same address
differs in both at once, so households show up as a large excess over that expectation. Only
when the excess is small (and there is enough data to tell) does the batch score the pairs the
guards held back a second time, field by field with the estimated error rates (Fellegi-Sunter with
independent fields, as probabilistic record-linkage tools do). Such a pair is at most a
"mögliche Dublette" and says why (`ERRORS_EXPLAIN`).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz.distance import OSA, JaroWinkler
from rapidfuzz.fuzz import ratio
from rapidfuzz.process import cpdist

from maklerwerk.duplicates.blocking import Bools, Columns, Ints, Runs, _eq, _runs
from maklerwerk.duplicates.normalize import Record, column_of
from maklerwerk.duplicates.scoring import AGREE, OTHER, Frequencies, _birth_dates, name_parts

ERRORS_EXPLAIN = "errors_explain"

MAX_HOUSEHOLD_EXCESS = 10.0  # German data with families: 145x to 578x; FEBRL (no households): under 1x
MIN_HOUSEHOLD_PAIRS = 50  # pairs sharing surname and address needed to tell
MIN_ANCHORS = 30  # pairs estimating each of the two error rates
MODEL_SAMPLE = 300  # pairs above the threshold sampled for the error rates (all below count)
MAX_SCORE = 0.8  # a possible duplicate at most: a person reviews it
FIELDS = ("first", "last", "birth", "street", "number", "postal", "city")
MIN_RATE, MAX_RATE = 0.005, 0.5


MAX_ADDRESS_EXCESS = 2.0  # the test without birth dates (address_household_test): FEBRL 0.9x-1.4x


@dataclass(frozen=True, slots=True)
class HouseholdTest:
    pairs: int  # pairs sharing surname, street, house number and PLZ
    both_differ: int  # ... whose first name and birth date (or its absence) both differ
    expected: float  # ... expected from independent errors
    anchors: int  # fewest pairs behind one of the two error rates
    max_excess: float = MAX_HOUSEHOLD_EXCESS

    @property
    def excess(self) -> float:
        return self.both_differ / max(self.expected, 1.0)

    @property
    def errors_independent(self) -> bool:
        """Enough data, and no more double differences than typing errors explain: no households."""
        return (
            self.pairs >= MIN_HOUSEHOLD_PAIRS
            and self.anchors >= MIN_ANCHORS
            and self.excess <= self.max_excess
        )


def _same_first(a: Record, b: Record) -> bool:
    return (
        a.first_t == b.first_t
        or (a.first_ph != "" and a.first_ph == b.first_ph)
        or (a.first_t[0] == b.first_t[0] and OSA.distance(a.first_t, b.first_t, score_cutoff=1) <= 1)
    )


def _birth_near(a: str, b: str) -> bool:
    return a == b or OSA.distance(a, b, score_cutoff=1) <= 1


def household_test(recs: Sequence[Record], address_blocks: Iterable[Sequence[int]]) -> HouseholdTest:
    """Pairs sharing surname, street, house number and PLZ (`address_blocks`: record numbers
    sharing street, house number and PLZ): how often do first name and birth date both differ,
    against how often independent errors would make them differ?"""
    groups: list[list[int]] = []
    for block in address_blocks:
        by_last: dict[str, list[int]] = {}
        for n in block:
            if recs[n].last_t:
                by_last.setdefault(recs[n].last_t, []).append(n)
        groups.extend(g for g in by_last.values() if len(g) > 1)
    pairs = both_differ = 0
    birth_same = first_differs_of_birth_same = 0
    first_same = birth_differs_of_first_same = 0
    dated = undated = 0  # pairs whose first names are known, with both birth dates or not
    for members in groups:
        for i, x in enumerate(members):
            a = recs[x]
            for y in members[i + 1 :]:
                b = recs[y]
                pairs += 1
                if not (a.first_t and b.first_t):
                    continue
                first_ok = _same_first(a, b)
                if a.birth and b.birth:
                    dated += 1
                    birth_ok = _birth_near(a.birth, b.birth)
                    if a.birth == b.birth:
                        birth_same += 1
                        first_differs_of_birth_same += not first_ok
                    if first_ok:
                        first_same += 1
                        birth_differs_of_first_same += not birth_ok
                else:
                    undated += 1
                    birth_ok = False  # a missing birth date vouches for nothing
                if not first_ok and not birth_ok:
                    both_differ += 1
    m_first = (first_differs_of_birth_same + 1) / (birth_same + 2)
    m_birth = (birth_differs_of_first_same + 1) / (first_same + 2)
    # without a birth date on both, the first name's error alone makes the pair count
    expected = dated * m_first * m_birth + undated * m_first
    return HouseholdTest(pairs, both_differ, expected, min(birth_same, first_same))


def _near(col: Columns, name: str, a: Ints, b: Ints) -> Bools:
    """Values of field `name` of records a and b at most one slip apart (OSA distance <= 1)."""
    if not len(a):
        return np.zeros(0, dtype=bool)
    values = np.array(col.values(name), dtype=object)
    codes = col[name]
    distance = cpdist(values[codes[a]], values[codes[b]], scorer=OSA.distance, score_cutoff=1)
    return np.asarray(distance) <= 1


def household_test_runs(col: Columns, address: Runs) -> HouseholdTest:
    """`household_test` over the numbered columns, for many records: the pairs sharing surname
    and address by one sort, their comparisons as arrays. The same counts, so the same answer."""
    n = len(col.recs)
    sizes = address.sizes
    run = np.repeat(np.arange(len(sizes), dtype=np.int64), sizes)
    at = np.repeat(address.starts, sizes) + np.arange(len(run)) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    members = address.members[at]
    last = col["last_t"][members]
    named = last >= 0
    groups = _runs(run[named] * (int(last.max(initial=0)) + 1) + last[named], None, members[named])
    codes = groups.pairs(n)
    a, b = codes // n, codes % n
    first = col["first_t"]
    has_first = (first[a] >= 0) & (first[b] >= 0)
    a, b = a[has_first], b[has_first]
    initial = _eq(col["first_t/1"], a, b)
    first_ok = (first[a] == first[b]) | _eq(col["first_ph"], a, b)
    typo = initial & ~first_ok
    first_ok[typo] = _near(col, "first_t", a[typo], b[typo])
    birth = col["birth"]
    dated = (birth[a] >= 0) & (birth[b] >= 0)
    birth_same = dated & (birth[a] == birth[b])
    birth_ok = birth_same.copy()
    near = dated & ~birth_same
    birth_ok[near] = _near(col, "birth", a[near], b[near])
    n_birth_same = int(birth_same.sum())
    n_first_same = int((dated & first_ok).sum())
    m_first = (int((birth_same & ~first_ok).sum()) + 1) / (n_birth_same + 2)
    m_birth = (int((dated & first_ok & ~birth_ok).sum()) + 1) / (n_first_same + 2)
    n_dated = int(dated.sum())
    expected = n_dated * m_first * m_birth + (len(a) - n_dated) * m_first
    both_differ = int((~first_ok & ~birth_ok).sum())
    return HouseholdTest(len(codes), both_differ, expected, min(n_birth_same, n_first_same))


def _address_typo(a: Record, b: Record) -> bool | None:
    """Same house number and street, PLZ and city equal (False) or one of them with a typo (True);
    None for another address or one not fully known."""
    if not (a.street and b.street and a.postal_code and b.postal_code) or a.house_number != b.house_number:
        return None
    typo = False
    if a.street != b.street:
        if ratio(a.street, b.street) < 85:
            return None
        typo = True
    if a.postal_code != b.postal_code:
        if OSA.distance(a.postal_code, b.postal_code, score_cutoff=1) > 1:
            return None
        typo = True
    if a.city and b.city and a.city != b.city:
        if JaroWinkler.normalized_similarity(a.city, b.city) < 0.9:
            return None
        typo = True
    return typo


def address_household_test(recs: Sequence[Record], max_block: int = 60) -> HouseholdTest:
    """The household test for data without (enough) birth dates. A family lives at exactly the same
    address; a copy's typing errors hit its first name and its address independently. So among
    pairs sharing surname and house number, first names differ about as often whether the address
    is exact or has a typo (street, PLZ or city) when there are no households, and far more often
    at exact addresses when there are (FEBRL: 0.9x-1.4x). Across a typo, two addresses count once
    and as "first name differs" only when no one at the one shares a first name with someone at
    the other (else a family member and the mistyped copy of their spouse would count as
    differing). Data whose addresses never have typos gives no evidence either way (too few
    anchors): the guards stay."""
    by_key: dict[tuple[str, str], list[int]] = {}
    lasts, numbers, firsts = (column_of(recs, name) for name in ("last_t", "house_number", "first_t"))
    for n, (last, number, first) in enumerate(zip(lasts, numbers, firsts, strict=True)):
        if last and number and first:
            by_key.setdefault((last, number), []).append(n)
    exact = exact_differ = 0
    across: dict[tuple[int, str, str], bool] = {}  # two addresses across a typo: all differ?
    for block, members in enumerate(by_key.values()):
        if not 1 < len(members) <= max_block:
            continue
        for i, x in enumerate(members):
            a = recs[x]
            for y in members[i + 1 :]:
                b = recs[y]
                kind = _address_typo(a, b)
                if kind is None:
                    continue
                differs = not _same_first(a, b)
                if kind:
                    ka, kb = sorted(
                        (f"{a.street}|{a.postal_code}|{a.city}", f"{b.street}|{b.postal_code}|{b.city}")
                    )
                    key = (block, ka, kb)
                    across[key] = across.get(key, True) and differs
                else:
                    exact += 1
                    exact_differ += differs
    typo, typo_differ = len(across), sum(across.values())
    expected = exact * (typo_differ + 1) / (typo + 2)
    return HouseholdTest(exact, exact_differ, expected, typo, MAX_ADDRESS_EXCESS)


@dataclass(frozen=True, slots=True)
class ErrorModel:
    """Per field the log2 evidence of a disagreement (the same person's error rate over the
    chance that two different people differ), and value counts for agreement weights."""

    differs: dict[str, float]
    counts: dict[str, Counter[str]]  # per address field: how often each value occurs
    total: int

    def agree_bits(self, name: str, value: str) -> float:
        u = (self.counts[name].get(value, 0) + 1) / (self.total + 10)
        return min(16.0, math.log2(0.95 / u))


def _levels(q: Record, c: Record, freq: Frequencies) -> dict[str, tuple[str, float]]:
    """Per field present on both: ("agree" | "near" | "differs", evidence bits of agreement)."""
    out: dict[str, tuple[str, float]] = {}
    (lw, lcode, _), (fw, fcode, _), _swapped = name_parts(q, c, freq, strict_swap=False)
    for name, bits, code in (("last", lw, lcode), ("first", fw, fcode)):
        if code in AGREE:
            out[name] = ("agree", bits)
        elif code == "initial":
            out[name] = ("near", bits)
        elif code in OTHER:
            out[name] = ("differs", 0.0)
    if q.birth and c.birth:
        bits, sim = _birth_dates(q.birth, c.birth, freq)
        out["birth"] = ("agree", bits) if sim == 1.0 else ("near", bits) if sim > 0 else ("differs", 0.0)
    return out


def _address_levels(q: Record, c: Record, model: ErrorModel | None) -> dict[str, tuple[str, float]]:
    def agree(name: str, value: str) -> float:
        return model.agree_bits(name, value) if model else 0.0

    out: dict[str, tuple[str, float]] = {}
    if q.street and c.street:
        sim = 1.0 if q.street == c.street else ratio(q.street, c.street) / 100
        out["street"] = ("agree", agree("street", q.street) - (sim < 1)) if sim >= 0.85 else ("differs", 0.0)
    if q.house_number and c.house_number:
        same = q.house_number == c.house_number
        out["number"] = ("agree", agree("number", q.house_number)) if same else ("differs", 0.0)
    if q.postal_code and c.postal_code:
        if q.postal_code == c.postal_code:
            out["postal"] = ("agree", agree("postal", q.postal_code))
        elif OSA.distance(q.postal_code, c.postal_code, score_cutoff=1) == 1:
            out["postal"] = ("near", 2.0)
        else:
            out["postal"] = ("differs", 0.0)
    if q.city and c.city:
        sim = JaroWinkler.normalized_similarity(q.city, c.city)
        out["city"] = ("agree", agree("city", q.city) - (sim < 1)) if sim >= 0.9 else ("differs", 0.0)
    return out


Levels = dict[str, tuple[str, float]]
ANCHOR_BITS = 6.6  # the other fields alone make the pair 99 % the same person
START_RATE = 0.1  # the error rate every field starts from before the data corrects it
ESTIMATE_ROUNDS = 2


def levels_of(q: Record, c: Record, freq: Frequencies, model: ErrorModel | None) -> Levels:
    """Per field present on both: ("agree" | "near" | "differs", evidence bits of agreement)."""
    return _levels(q, c, freq) | _address_levels(q, c, model)


def estimate(
    recs: Sequence[Record],
    held_back: Sequence[tuple[int, int]],
    others: Sequence[tuple[int, int]],
    others_weight: int,
    freq: Frequencies,
) -> tuple[ErrorModel, list[Levels]]:
    """Error rates per field from the candidate pairs, and the levels of the `held_back` pairs.

    `held_back` are all pairs the guarded score left below the threshold, `others` an even sample
    (1 in `others_weight`) of the rest, so every candidate pair counts alike. A field's error rate
    is counted only among pairs that the *other* fields already make the same person (leave one
    field out): pairs chosen because they agree on a field never show how often that field is
    mistyped (the guarded score needs the first name and the address to agree, so its confident
    pairs would put those error rates near zero). Two rounds, starting from `START_RATE` for every
    field, as the evidence of the other fields depends on their rates."""
    columns = {"street": "street", "number": "house_number", "postal": "postal_code", "city": "city"}
    counts = {name: Counter(column_of(recs, attr)) for name, attr in columns.items()}
    model = ErrorModel(dict.fromkeys(FIELDS, math.log2(START_RATE / 0.99)), counts, len(recs))
    levels = [levels_of(recs[a], recs[b], freq, model) for a, b in held_back]
    weighted = levels + [levels_of(recs[a], recs[b], freq, model) for a, b in others]
    # One row per pair, one column per field: agreement bits, "differs", "present" (arrays: the
    # rounds below are then a few array operations instead of a loop over pairs).
    column = {name: i for i, name in enumerate(FIELDS)}
    agree = np.zeros((len(weighted), len(FIELDS)))
    differs = np.zeros((len(weighted), len(FIELDS)), dtype=bool)
    present = np.zeros((len(weighted), len(FIELDS)), dtype=bool)
    for row, pair in enumerate(weighted):
        for name, (level, field_bits) in pair.items():
            i = column[name]
            present[row, i] = True
            if level == "differs":
                differs[row, i] = True
            else:
                agree[row, i] = field_bits
    weight = np.ones(len(weighted))
    weight[len(levels) :] = others_weight
    for _round in range(ESTIMATE_ROUNDS):
        bits = np.where(differs, np.array([model.differs[name] for name in FIELDS]), agree)
        total = freq.prior_bits + bits.sum(axis=1, keepdims=True)
        anchored = present & (total - bits >= ANCHOR_BITS)  # the other fields make it the same person
        n_anchored = (anchored * weight[:, None]).sum(axis=0)
        n_differs = ((anchored & differs) * weight[:, None]).sum(axis=0)
        rates = np.clip((n_differs + 1) / (n_anchored + 2), MIN_RATE, MAX_RATE)
        model = ErrorModel(
            {name: math.log2(float(rate) / 0.99) for name, rate in zip(FIELDS, rates, strict=True)},
            counts,
            len(recs),
        )
    return model, levels


def independent_score(
    q: Record, c: Record, freq: Frequencies, model: ErrorModel, levels: Levels | None = None
) -> float:
    """Fellegi-Sunter over independent fields with this data's error rates (0..MAX_SCORE)."""
    bits = freq.prior_bits
    if levels is None:
        levels = levels_of(q, c, freq, model)
    for name, (level, agree_bits) in levels.items():
        bits += model.differs[name] if level == "differs" else agree_bits
    if q.emails and c.emails:
        bits += 14.0 if any(e in c.emails for e in q.emails) else -1.0
    if q.phones and c.phones:
        bits += 11.0 if any(p in c.phones for p in q.phones) else -1.0
    if q.company and c.company and q.company != c.company:
        bits -= 2.0
    if bits < -60:
        return 0.0
    return min(MAX_SCORE, round(1.0 / (1.0 + 2.0 ** (-bits)), 4))
