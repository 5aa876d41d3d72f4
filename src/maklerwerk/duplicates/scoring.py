"""Scoring a pair of records: pure functions over plain values, no database.

The score is a probabilistic record-linkage score (Fellegi-Sunter): each field adds or subtracts
evidence in bits (log2 of how much likelier this agreement is for the same person than for two
different people); the sum plus a prior becomes a probability in 0..1.

Name agreement is weighted by how common the name is in the office's own data: agreeing on
"Müller" says far less than agreeing on "Nüßlebaum". The prior is the chance that a given contact
is the one among the office's N contacts, so a big office needs more evidence for the same score.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal

from rapidfuzz.distance import OSA, JaroWinkler
from rapidfuzz.fuzz import ratio

from maklerwerk.duplicates.normalize import Record

# Population frequency assumed for a name the office has (almost) never seen, and how many
# contacts' worth of weight that assumption carries (smoothing for small offices).
# "B" is a birth date: one in ~20,000 days, but placeholder dates (01.01.1900) pile up.
PRIOR_U = {"L": 1 / 1000, "l": 1 / 700, "F": 1 / 150, "f": 1 / 120, "P": 1 / 30, "B": 1 / 20000}
PSEUDO_COUNT = 2000
MIN_POPULATION = 2000
MAX_NAME_BITS = 16.0
BIRTH_SAME = 14.0
BIRTH_NEAR = 6.0
BIRTH_DIFFERS = -6.0
FIRST_DIFFERS = -4.0
STREET_SAME = 2.0
POSTAL_NEAR = 0.0
OTHER = frozenset({"differs", "near"})  # first or last name of someone else
AGREE = frozenset({"same", "sound", "similar"})
AGREE_OR_UNKNOWN = AGREE | {"initial", ""}

# Reason codes; `reason_texts` turns them into German sentences.
SAME_EMAIL = "same_email"
SAME_PHONE = "same_phone"
SAME_NAME = "same_name"
NAME_SOUNDS_SAME = "name_sounds_same"
NAME_SIMILAR = "name_similar"
NAMES_SWAPPED = "names_swapped"
SAME_FIRST_NAME_OTHER_LAST = "same_first_other_last"
SAME_LAST_NAME = "same_last_name"
SAME_BIRTH_DATE = "same_birth_date"
SAME_ADDRESS = "same_address"
SAME_POSTAL_CODE = "same_postal_code"
SAME_CITY = "same_city"
SAME_COMPANY = "same_company"
OTHER_PERSON_SAME_PLACE = "other_person_same_place"


# The office thresholds: "sicher Dublette" / "mögliche Dublette".
Level = Literal["certain", "possible"]


class CountsByKind(Mapping[str, int]):
    """Frequency counts read as "L:mueller" keys from one `Counter` per kind: counting a column
    needs no key text per value."""

    def __init__(self, by_kind: dict[str, Counter[str]]) -> None:
        self.by_kind = by_kind

    def __getitem__(self, key: str) -> int:
        column = self.by_kind.get(key[:1])
        if column is None or key[1:2] != ":" or key[2:] not in column:
            raise KeyError(key)
        return column[key[2:]]

    def get(self, key: str, default: int | None = None) -> int | None:  # type: ignore[override]  # one shape
        column = self.by_kind.get(key[:1])
        if column is None or key[1:2] != ":":
            return default
        return column.get(key[2:], default)

    def __iter__(self) -> Iterator[str]:
        return (f"{kind}:{value}" for kind, column in self.by_kind.items() for value in column)

    def __len__(self) -> int:
        return sum(len(column) for column in self.by_kind.values())


@dataclass(frozen=True, slots=True)
class Frequencies:
    """How often names (and PLZ) occur in the office: counts by frequency key, and the contact total."""

    total: int = 0
    counts: Mapping[str, int] = field(default_factory=dict)
    _bits: dict[object, float] = field(default_factory=dict, compare=False, repr=False)

    def of(self, kind: str, value: str) -> float:
        """Evidence in bits, log2(m / u), of agreeing on a name ("L", "l", "F", "f"), a birth date
        ("B", the pair itself left out) or a PLZ ("P", at most 8 bits). u is the smoothed share of
        contacts with the value: the chance two different people agree on it. Remembered by
        (kind, value), as a batch asks for the same names often."""
        cached = self._bits.get((kind, value))
        if cached is None:  # counts by kind (the batch) are read without building the key text
            counts = self.counts
            if isinstance(counts, CountsByKind) and kind in counts.by_kind:
                count = counts.by_kind[kind].get(value, 0)
            else:
                count = counts.get(f"{kind}:{value}", 0)
            count = max(0, count - (kind == "B"))  # a birth date: the pair's own left out
            u = (count + PSEUDO_COUNT * PRIOR_U[kind]) / (self.total + PSEUDO_COUNT)
            cached = min(MAX_NAME_BITS, math.log2((0.9 if kind == "P" else 0.95) / u))
            if kind == "P":
                cached = min(8.0, cached)
            self._bits[kind, value] = cached
        return cached

    @property
    def prior_bits(self) -> float:
        cached = self._bits.get("#")
        if cached is None:
            cached = self._bits["#"] = -math.log2(max(self.total, MIN_POPULATION))
        return cached


@dataclass(slots=True)  # not frozen: a batch makes millions, and frozen ones are slower to make
class PairScore:
    score: float
    codes: tuple[str, ...]
    similarities: dict[str, float]


def _r3(x: float) -> float:
    """A similarity (0..1) to three decimals for showing; cheaper than round(x, 3)."""
    return int(x * 1000 + 0.5) / 1000


def _typo_like(a: str, b: str) -> bool:
    """One slip of the keyboard (two in a long name): a left-out, doubled, swapped or wrong letter.

    A different first letter is not a typo but another name (Lina / Nina, Jan / Jon is a sound
    match instead): German data almost never gets the first letter wrong, families often differ there.
    """
    if a[0] != b[0]:
        return False
    limit = 1 if min(len(a), len(b)) < 8 else 2
    return OSA.distance(a, b, score_cutoff=limit) <= limit


def _name_part(
    a: str, b: str, ta: str, tb: str, a_ph: str, b_ph: str, kind: str, freq: Frequencies
) -> tuple[float, str, float]:
    """Evidence (bits), agreement ("same", "sound", "similar", "initial", "near", "differs", "") and
    similarity of two names (`ta`, `tb`: transliterated). "near" is a similar-looking but different
    name (Marie / Manfred, Lina / Nina)."""
    if not a or not b:
        return 0.0, "", -1.0
    if len(a) == 1 or len(b) == 1:  # an initial says little
        return (1.0, "initial", 1.0) if a[0] == b[0] else (-1.0, "differs", 0.0)
    if a == b:
        return freq.of(kind, ta), "same", 1.0
    if ta == tb:  # Müller / Mueller
        return freq.of(kind, ta) - 0.5, "sound", 1.0
    sim = JaroWinkler.normalized_similarity(ta, tb)
    # Short codes ignore too much (Ida / Otto are both "02"): they count only with the same first letter.
    if a_ph and a_ph == b_ph and (len(a_ph) > 2 or ta[0] == tb[0]):
        return freq.of(kind.lower(), a_ph) - 1.5, "sound", max(sim, 0.9)
    if _typo_like(ta, tb):
        # The rarer spelling is (usually) the typo; the evidence is that of the common one.
        return min(freq.of(kind, ta), freq.of(kind, tb)) - 2.5, "similar", sim
    if kind == "F" and (ta.startswith(tb + " ") or tb.startswith(ta + " ")):  # "hans" / "hans peter"
        return 2.0, "similar", sim
    if sim >= 0.85:
        return (0.0 if kind == "F" else 1.0), "near", sim
    return (FIRST_DIFFERS if kind == "F" else -3.0), "differs", sim


NamePart = tuple[float, str, float]  # evidence in bits, agreement code, similarity (see _name_part)


def name_parts(
    q: Record, c: Record, freq: Frequencies, *, strict_swap: bool = True
) -> tuple[NamePart, NamePart, bool]:
    """Surname and first name compared in the straight or swapped order (whichever fits better),
    and whether swapped. `strict_swap` (the guarded score): a swap counts only when one of the two
    swapped names agrees, and a swapped pair with one name changed counts as another first name,
    so the household guard applies."""
    last = _name_part(q.last, c.last, q.last_t, c.last_t, q.last_ph, c.last_ph, "L", freq)
    first = _name_part(q.first, c.first, q.first_t, c.first_t, q.first_ph, c.first_ph, "F", freq)
    if not (q.first and q.last and c.first and c.last) or (last[1] not in OTHER and first[1] not in OTHER):
        return last, first, False
    if (
        strict_swap
        and (
            q.first == q.last
            # Swapped, a name must agree (same, sound, typo, initial: all but a sound start with the
            # same letter), or the straight order stands: most pairs are ruled out without comparing.
            or not (
                q.first_t[:1] == c.last_t[:1]
                or q.last_t[:1] == c.first_t[:1]
                or q.first_ph == c.last_ph
                or q.last_ph == c.first_ph
            )
        )
    ):
        return last, first, False
    s_last = _name_part(q.first, c.last, q.first_t, c.last_t, q.first_ph, c.last_ph, "L", freq)
    s_first = _name_part(q.last, c.first, q.last_t, c.first_t, q.last_ph, c.first_ph, "F", freq)
    if s_last[0] + s_first[0] <= last[0] + first[0] + 2:
        return last, first, False
    if not strict_swap:
        return s_last, s_first, True
    if s_last[1] in OTHER and s_first[1] in OTHER:
        return last, first, False
    if s_last[1] in OTHER:  # the changed name counts as the first name
        (lw, lcode, lsim), (fw, fcode, fsim) = s_last, s_first
        return (lw, fcode, fsim), (fw, lcode, lsim), True
    return s_last, s_first, True


def _names(q: Record, c: Record, freq: Frequencies) -> tuple[float, list[str], dict[str, float], str, bool]:
    """Name evidence in the straight or swapped order (whichever fits better)."""
    if q.last == c.last and q.first == c.first and len(q.last) > 1 and len(q.first) > 1:  # most pairs
        bits = freq.of("L", q.last_t) + freq.of("F", q.first_t)
        return bits, [SAME_NAME], {"last_name": 1.0, "first_name": 1.0}, "same", True
    (lw, lcode, lsim), (fw, fcode, fsim), swapped = name_parts(q, c, freq)
    sims: dict[str, float] = {}
    if lsim >= 0:
        sims["last_name"] = _r3(lsim)
    if fsim >= 0:
        sims["first_name"] = _r3(fsim)
    codes: list[str] = []
    agree = AGREE
    if lcode in agree or fcode in agree:
        if swapped:
            codes.append(NAMES_SWAPPED)
        if lcode in OTHER and fcode in {"same", "sound"}:
            codes.append(SAME_FIRST_NAME_OTHER_LAST)
        elif fcode in OTHER:
            codes.append(SAME_LAST_NAME)
        elif {lcode, fcode} <= {"same", ""}:
            codes.append(SAME_NAME)
        elif {lcode, fcode} <= {"same", "sound", ""}:
            codes.append(NAME_SOUNDS_SAME)
        else:
            codes.append(NAME_SIMILAR)
    return lw + fw, codes, sims, fcode, lcode in agree and fcode in AGREE_OR_UNKNOWN


def _birth_dates(a: str, b: str, freq: Frequencies) -> tuple[float, float]:
    if not a or not b:
        return 0.0, -1.0
    if a == b:  # weighted by how common the date is in the office, like names
        return min(BIRTH_SAME, freq.of("B", a)), 1.0
    swapped = a[:4] == b[:4] and a[5:7] == b[8:10] and a[8:10] == b[5:7]  # day and month swapped
    # or one typo in the digits (two neighbouring digits swapped across the dash count as one)
    if swapped or OSA.distance(a.replace("-", ""), b.replace("-", ""), score_cutoff=1) == 1:
        return BIRTH_NEAR, 0.8
    return BIRTH_DIFFERS, 0.0


def score_pair(q: Record, c: Record, freq: Frequencies) -> PairScore:
    """How likely `q` and `c` are the same person or company (0..1), why, and per-field similarity."""
    bits = freq.prior_bits
    codes: list[str] = []
    corroborated = False  # some agreement besides the names
    strong = False  # e-mail, phone, birth date, full address or company agree
    location_conflict = False

    name_bits, name_codes, sims, first_code, names_agree = _names(q, c, freq)
    bits += name_bits

    same_email = channel_differs = False
    if q.emails and c.emails:
        if any(e in c.emails for e in q.emails):
            bits += 14.0
            codes.append(SAME_EMAIL)
            sims["email"] = 1.0
            corroborated = strong = same_email = True
        else:
            bits -= 1.0
            channel_differs = True
            sims["email"] = round(max(ratio(x, y) for x in q.emails for y in c.emails) / 100, 3)
    if q.phones and c.phones:
        if any(p in c.phones for p in q.phones):
            bits += 11.0
            codes.append(SAME_PHONE)
            sims["phone"] = 1.0
            corroborated = strong = True
        else:
            bits -= 1.0
            channel_differs = True
            sims["phone"] = 0.0

    birth_bits, birth_sim = _birth_dates(q.birth, c.birth, freq)
    bits += birth_bits
    if birth_sim >= 0:
        sims["birth_date"] = birth_sim
        if birth_sim == 1.0:
            codes.append(SAME_BIRTH_DATE)
            corroborated = strong = True

    # Locals and flags instead of attribute loads and list searches: the batch scores millions.
    qp, cp, qs, cs = q.postal_code, c.postal_code, q.street, c.street
    both_postal = bool(qp and cp)
    postal_same = both_postal and qp == cp
    # one slip in the PLZ (a digit wrong or two swapped): the same place
    postal_near = both_postal and not postal_same and OSA.distance(qp, cp, score_cutoff=1) == 1
    same_address = same_postal = same_city = same_street = street_conflict = other_street = False
    if qs and cs:
        street_sim = 1.0 if qs == cs else ratio(qs, cs) / 100
        other_street = street_sim < 0.85
        number_same = q.house_number == c.house_number
        sims["street"] = int(street_sim * 1000 + 0.5) / 1000
        if street_sim >= 0.85 and number_same and (postal_same or not both_postal):
            p_bits = freq.of("P", qp) if postal_same else 3.0
            bits += p_bits + 7.0 - (0 if street_sim == 1.0 else 1.5)
            codes.append(SAME_ADDRESS)
            corroborated = strong = same_address = True
            postal_same = False  # already counted
        elif street_sim >= 0.85 and number_same:
            bits += 5.0  # same street and number, PLZ mistyped
            codes.append(SAME_ADDRESS)
            corroborated = strong = same_address = True
        elif street_sim >= 0.85 and (postal_same or postal_near):
            bits += STREET_SAME  # same street, another (or a mistyped) house number
            same_street = True
        elif street_sim < 0.7:
            bits -= 1.5
            street_conflict = True
    if both_postal:
        sims["postal_code"] = 1.0 if qp == cp else 0.8 if postal_near else 0.0
        if postal_same:
            bits += freq.of("P", qp)
            codes.append(SAME_POSTAL_CODE)
            corroborated = same_postal = True
        elif postal_near and not same_address:
            bits += POSTAL_NEAR
        elif not postal_same and not same_address:
            bits -= 2.0
            location_conflict = True
    qc, cc = q.city, c.city
    if qc and cc:
        city_sim = 1.0 if qc == cc else JaroWinkler.normalized_similarity(qc, cc)
        sims["city"] = int(city_sim * 1000 + 0.5) / 1000
        if city_sim >= 0.9:
            if not both_postal or postal_near:
                bits += 2.0
                codes.append(SAME_CITY)
                corroborated = same_city = True
        else:
            bits -= 1.0
            location_conflict = location_conflict or not same_address

    if q.company and c.company:
        company_sim = 1.0 if q.company == c.company else ratio(q.company, c.company) / 100
        sims["company_name"] = _r3(company_sim)
        if company_sim >= 0.9:
            bits += 9.0 if company_sim == 1.0 else 6.0
            codes.append(SAME_COMPANY)
            corroborated = strong = True
        else:
            bits -= 2.0 if (q.has_name and c.has_name) else 6.0

    score = 1.0 / (1.0 + 2.0 ** (-bits)) if bits > -60 else 0.0
    # Guards a probability model alone does not give: a different first name means another person
    # (a family member, a colleague sharing the landline), unless the e-mail or the birth date (even
    # with a typo) says otherwise; names alone never make a duplicate when the place disagrees.
    if first_code in OTHER and birth_sim < 0.8:
        score = min(score, 0.85 if same_email else 0.45)
    # Two birth dates that are not one typo apart are two people (namesakes, parent and child with
    # one name), unless a shared e-mail, the same address or street, or (for the same name) the same
    # place with no other street say otherwise: one of the dates is then wrong.
    if birth_sim == 0.0 and score > 0.45:
        same_place = not street_conflict and (same_postal or (postal_near and same_city))
        if not (same_email or same_address or same_street or (names_agree and same_place)):
            score = 0.45
    # A namesake in the same place (Keller / Köhler, the same first name and PLZ) in another street
    # is another person living nearby, not a copy, when something else says so too: another e-mail
    # or phone, or a surname spelled differently (a copy would need a typo *and* a move). Names and
    # place are all that agree. At most 0.45 (below "mögliche Dublette").
    spelled_alike = q.last_t == c.last_t and q.first_t == c.first_t
    if other_street and not strong and (channel_differs or not spelled_alike) and score > 0.45:
        score = 0.45
        codes.append(OTHER_PERSON_SAME_PLACE)
    if not corroborated and (location_conflict or not names_agree) and score > 0.3:
        score = 0.3
    if not strong and score > 0.8:  # names with at most the same PLZ or city: a possible duplicate at most
        score = 0.8
    return PairScore(score=round(score, 4), codes=tuple(name_codes + codes), similarities=sims)


def level_for(score: float, *, certain: float, possible: float) -> Level | None:
    """'certain' ("sicher Dublette"), 'possible' ("mögliche Dublette") or None below both thresholds."""
    if score >= certain:
        return "certain"
    if score >= possible:
        return "possible"
    return None
