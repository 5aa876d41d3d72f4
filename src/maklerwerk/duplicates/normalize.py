"""Normalising contact data into comparable values and blocking keys. Pure functions, no database.

A `Record` holds what the engine compares: transliterated lower-case names with their Kölner
Phonetik codes, e-mails (trimmed, lower case), phones (E.164), a normalised address and the
company name without its legal form. `blocking_keys` turns a record into the indexed keys that
candidate retrieval looks up.
"""

from __future__ import annotations

import gc
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from itertools import starmap
from operator import attrgetter, itemgetter
from typing import Any, overload

MAX_FIELD = 100  # longer input is cut: keys stay small and comparisons fast

_TRANSLIT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "æ": "ae", "ø": "oe", "œ": "oe"})
_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)
_SPACES = re.compile(r"\s+")


def _plain_words(text: str) -> bool:
    """Letters and digits in words with single spaces between ('east ryde'): nothing to clean."""
    return text.replace(" ", "a").isalnum() and "  " not in text and text[0] != " " and text[-1] != " "


@lru_cache(maxsize=200_000)
def translit(value: str) -> str:
    """Lower case, umlauts and ß written out (Müller → mueller), accents dropped, punctuation to spaces."""
    if not value:
        return ""
    text = value[: MAX_FIELD * 2].lower()
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text.translate(_TRANSLIT))
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    if not text.isalnum() and not _plain_words(text):
        text = _NON_WORD.sub(" ", text).replace("_", " ")
        text = _SPACES.sub(" ", text).strip()
    return text[:MAX_FIELD]


@lru_cache(maxsize=200_000)
def simplify(value: str) -> str:
    """Lower case, punctuation to spaces, umlauts kept ('Müller-Lüdenscheidt' → 'müller lüdenscheidt')."""
    if not value:
        return ""
    text = value[: MAX_FIELD * 2]
    text = (text if text.isascii() else unicodedata.normalize("NFKC", text)).lower()
    if not text.isalnum() and not _plain_words(text):
        text = _NON_WORD.sub(" ", text).replace("_", " ")
        text = _SPACES.sub(" ", text).strip()
    return text[:MAX_FIELD]


_VOWELS = frozenset("aeijouy")
_PLAIN_CODES = {
    "b": "1", "f": "3", "v": "3", "w": "3", "g": "4", "k": "4", "q": "4", "l": "5", "m": "6", "n": "6",
    "r": "7", "s": "8", "z": "8", "h": "",
}  # fmt: skip
_C_AT_START = frozenset("ahkloqrux")
_C_INSIDE = frozenset("ahkoqux")


_CODES = str.maketrans(
    {**dict.fromkeys("aeijouy", "0"), **{k: v or None for k, v in _PLAIN_CODES.items()},
     "p": "1", "P": "3", "d": "2", "t": "2", "D": "8"}
)  # fmt: skip
_DT_BEFORE_CSZ = re.compile(r"[dt](?=[csz])")
_REPEATS = re.compile(r"(.)\1+")


def koelner_phonetik(word: str) -> str:
    """Kölner Phonetik of one transliterated word: the rules of the `cologne-phonetics` package
    (letters other than a-z ignored; repeated digits, then every 0 but a leading one, dropped).
    A word without c or x (whose codes depend on both neighbours) is coded by a translation
    table (p before h and d, t before c, s, z marked first); others by one pass over the letters.
    Both are several times faster than the package's regular expressions; tests/duplicates
    checks they agree."""
    if not (word.isascii() and word.isalpha() and word.islower()):
        word = "".join(ch for ch in word if "a" <= ch <= "z")
    if "c" not in word and "x" not in word:
        digits = _DT_BEFORE_CSZ.sub("D", word).replace("ph", "Ph").translate(_CODES)
        if not digits:
            return ""
        single = _REPEATS.sub(r"\1", digits)
        return single[0] + single[1:].replace("0", "")
    letters = list(word)
    last = len(letters) - 1
    out = []
    for i, ch in enumerate(letters):
        if ch in _VOWELS:
            out.append("0")
            continue
        code = _PLAIN_CODES.get(ch)
        if code is not None:
            out.append(code)
            continue
        nxt = letters[i + 1] if i < last else ""
        if ch == "p":
            out.append("3" if nxt == "h" else "1")
        elif ch == "d" or ch == "t":
            out.append("8" if nxt and nxt in "csz" else "2")
        elif ch == "c":
            if i == 0:
                out.append("4" if nxt and nxt in _C_AT_START else "8")
            else:
                out.append("4" if nxt and nxt in _C_INSIDE and letters[i - 1] not in "sz" else "8")
        elif ch == "x":
            out.append("8" if i and letters[i - 1] in "ckq" else "48")
    digits = "".join(out)
    if not digits:
        return ""
    kept = [d for j, d in enumerate(digits[:-1]) if digits[j + 1] != d] + [digits[-1]]
    return kept[0] + "".join(d for d in kept[1:] if d != "0")


@lru_cache(maxsize=200_000)
def phonetic(name: str) -> str:
    """Kölner Phonetik of a (transliterated) name; words joined with '-'.

    Names without Latin letters (e.g. Cyrillic) have no code; their transliteration is used instead,
    so they still compare with themselves.
    """
    if not name:
        return ""
    codes = [code for code in map(koelner_phonetik, name.split(" ")) if code]
    return "-".join(codes)[:MAX_FIELD] if codes else name.replace(" ", "")[:MAX_FIELD]


def normalize_email(value: str) -> str:
    """Trimmed and lower case; '' for something that is not an address (no '@' or no domain)."""
    text = (value or "").strip().lower()[:254]
    local, _, domain = text.rpartition("@")
    if not local or "." not in domain or " " in text:
        return ""
    return text


_E164 = re.compile(r"\+[1-9]\d{6,14}")


@lru_cache(maxsize=100_000)
def normalize_phone(value: str, region: str = "DE") -> str:
    """E.164 (+4969123456) for any notation (+49, 0049, 0, spaces, dashes, slashes); '' if not a number."""
    text = (value or "").strip()[:40]
    if _E164.fullmatch(text):  # stored phones are E.164 already
        return text
    if sum(ch.isdigit() for ch in text) < 5:
        return ""
    # Imported here: its metadata takes a third of a second to load, and a batch over stored
    # profiles (phones already E.164) or a list without phones never needs it.
    import phonenumbers

    try:
        number = phonenumbers.parse(text, region or "DE")
    except phonenumbers.NumberParseException:
        digits = "".join(ch for ch in text if ch.isdigit())
        return digits if len(digits) >= 6 else ""
    if not phonenumbers.is_possible_number(number):
        digits = "".join(ch for ch in text if ch.isdigit())
        return digits if len(digits) >= 6 else ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


_STREET_WORDS = {"strasse": "str", "str": "str", "pl": "platz", "platz": "platz", "allee": "allee"}
_HOUSE_NUMBER_AT_END = re.compile(r"^(.*?)[\s,]*(\d+\s*[a-z]?(?:\s*[-/]\s*\d+\s*[a-z]?)?)\s*$")


@lru_cache(maxsize=200_000)
def normalize_street(value: str) -> str:
    """'Hauptstraße', 'Hauptstr.', 'Haupt Strasse' → 'hauptstr'; spaces and punctuation dropped."""
    words = translit(value).split()
    out = [_STREET_WORDS.get(w, w) for w in words]
    joined = "".join(out)
    return joined[:-7] + "str" if joined.endswith("strasse") else joined  # "...str" stays


@lru_cache(maxsize=10_000)
def normalize_house_number(value: str) -> str:
    """'12 a' → '12a', '12-14' stays; lower case, no spaces."""
    return "".join((value or "").lower().split())[:20]


@lru_cache(maxsize=200_000)
def split_street(street: str, house_number: str) -> tuple[str, str]:
    """Street and house number; a number typed into the street field ('Hauptstr. 5a') is moved out."""
    street = (street or "")[: MAX_FIELD * 2]
    if not (house_number or "").strip() and street:
        match = _HOUSE_NUMBER_AT_END.match(street.lower())
        if match and match.group(1):
            return normalize_street(match.group(1)), normalize_house_number(match.group(2))
    return normalize_street(street), normalize_house_number(house_number)


_LEGAL_FORMS = [
    "gmbh co kg", "gmbh co kgaa", "gmbh co ohg", "ug haftungsbeschraenkt", "ug haftungsbeschrankt",
    "gesellschaft mit beschraenkter haftung", "aktiengesellschaft", "kommanditgesellschaft",
    "gmbh", "mbh", "ag", "kg", "kgaa", "ohg", "gbr", "ug", "ek", "e k", "ev", "e v", "eg", "se",
    "partg", "partg mbb", "mbb", "ltd", "limited", "inc", "llc", "co", "und", "u",
]  # fmt: skip
_LEGAL_RE = re.compile(
    r"\b(" + "|".join(sorted((re.escape(f) for f in _LEGAL_FORMS), key=len, reverse=True)) + r")\b"
)


@lru_cache(maxsize=100_000)
def normalize_company(value: str) -> str:
    """'Müller Bau GmbH & Co. KG' → 'muellerbau': transliterated, legal form and punctuation removed."""
    text = translit(value)
    text = _LEGAL_RE.sub(" ", text)
    return "".join(text.split())[:MAX_FIELD]


@lru_cache(maxsize=100_000)
def normalize_postal_code(value: str) -> str:
    return "".join(ch for ch in (value or "") if ch.isalnum()).upper()[:10]


_DIGITS8 = re.compile(r"\d{8}")
_GERMAN_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def normalize_birth_date(value: Any) -> str:
    """ISO date string ('1970-03-21'), or '' when missing or unreadable."""
    if not value:
        return ""
    if type(value) is str and len(value) == 8 and value.isascii() and value.isdigit():  # 19700321
        return f"{value[:4]}-{value[4:6]}-{value[6:]}"
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    return _birth_text(str(value).strip())


@lru_cache(maxsize=100_000)
def _birth_text(text: str) -> str:
    if _DIGITS8.fullmatch(text):  # 19700321
        return f"{text[:4]}-{text[4:6]}-{text[6:]}"
    match = _GERMAN_DATE.fullmatch(text)  # 21.3.1970
    if match:
        return f"{match.group(3)}-{int(match.group(2)):02d}-{int(match.group(1)):02d}"
    if _ISO_DATE.fullmatch(text[:10]):
        return text[:10]
    return ""


@dataclass(slots=True)
class Record:
    """What the engine compares, normalised. Build with `record_from_data`.

    Names are lower case with umlauts kept (`simplify`); their codes use the transliteration, which
    the record carries too (`first_t`, `last_t`; filled in when not given).
    """

    first: str = ""
    last: str = ""
    first_ph: str = ""
    last_ph: str = ""
    birth: str = ""
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    street: str = ""
    house_number: str = ""
    postal_code: str = ""
    city: str = ""
    company: str = ""
    first_t: str = ""
    last_t: str = ""

    def __post_init__(self) -> None:
        if self.first and not self.first_t:
            self.first_t = translit(self.first)
        if self.last and not self.last_t:
            self.last_t = translit(self.last)

    @property
    def has_name(self) -> bool:
        return bool(self.first or self.last)


def _values(items: Any) -> list[str]:
    """E-mails or phones as given by the API: a string, a list of strings or of {"value": ...}."""
    if not items:
        return []
    if isinstance(items, str):
        items = [items]
    out = []
    for item in items:
        value = item.get("value", "") if isinstance(item, dict) else getattr(item, "value", item)
        if value:
            out.append(str(value))
    return out


@lru_cache(maxsize=200_000)
def _name(value: str) -> tuple[str, str, str]:
    """A name as compared (`simplify`), transliterated, and its Kölner Phonetik code."""
    if value.isascii() and value.isalnum():  # most names: nothing to fold or strip
        simple = plain = value.lower()[:MAX_FIELD]
    else:
        simple = simplify(value)
        plain = translit(simple)
    return simple, plain, phonetic(plain)


def record_from_data(data: dict[str, Any]) -> Record:
    """A `Record` from contact fields with the API names (first_name, last_name, emails, phones, ...)."""
    get = data.get
    first, first_t, first_ph = _name(str(get("first_name") or ""))
    last, last_t, last_ph = _name(str(get("last_name") or ""))
    raw_emails, raw_phones = get("emails"), get("phones")
    emails: tuple[str, ...] = ()
    if raw_emails:
        emails = tuple(dict.fromkeys(e for e in map(normalize_email, _values(raw_emails)) if e))
    phones: tuple[str, ...] = ()
    if raw_phones:
        region = str(get("country") or "DE")[:2].upper() or "DE"
        normalized = (normalize_phone(v, region) for v in _values(raw_phones))
        phones = tuple(dict.fromkeys(p for p in normalized if p))
    street, house_number = split_street(str(get("street") or ""), str(get("house_number") or ""))
    company = get("company_name")
    return Record(
        first=first,
        last=last,
        first_ph=first_ph,
        last_ph=last_ph,
        birth=normalize_birth_date(get("birth_date")),
        emails=emails,
        phones=phones,
        street=street,
        house_number=house_number,
        postal_code=normalize_postal_code(str(get("postal_code") or "")),
        city=translit(str(get("city") or "")),
        company=normalize_company(str(company)) if company else "",
        first_t=first_t,
        last_t=last_t,
    )


def record_from_row(row: tuple[Any, ...]) -> Record:
    """A `Record` from a stored profile row (first, last, first_ph, last_ph, birth, emails, phones,
    street, house_number, postal_code, city, company; e-mails and phones space-separated)."""
    first, last, first_ph, last_ph, birth, emails, phones, street, number, postal, city, company = row
    return Record(
        first,
        last,
        first_ph,
        last_ph,
        birth,
        tuple(emails.split()) if emails else (),
        tuple(phones.split()) if phones else (),
        street,
        number,
        postal,
        city,
        company,
    )


PROFILE_FIELDS = (
    "first", "last", "first_ph", "last_ph", "birth", "emails", "phones", "street", "house_number",
    "postal_code", "city", "company",
)  # fmt: skip


class RecordTable(Sequence[Record]):
    """Stored profile rows (`record_from_row`'s order) kept as columns, for the batch over a whole
    office: it numbers each field straight from its column (`column`), and a `Record` is made only
    for the rows it compares (`table[i]`, the same `Record` as `record_from_row`). A million
    contacts are then a dozen lists of strings, not a million objects made and taken apart again."""

    def __init__(self, columns: Sequence[Sequence[Any]]) -> None:
        """`columns`: the fields of `PROFILE_FIELDS` in this order, each a column of equal length."""
        self._columns: dict[str, Sequence[Any]] = dict(zip(PROFILE_FIELDS, columns, strict=True))
        self._derived: dict[str, Sequence[Any]] = {}
        self._size = len(columns[0])
        self._made: dict[int, Record] = {}

    @classmethod
    def from_rows(cls, rows: Iterable[Sequence[Any]]) -> RecordTable:
        """A table of profile rows (`record_from_row`'s order)."""
        return cls(list(zip(*rows, strict=True)) or [()] * len(PROFILE_FIELDS))

    def __len__(self) -> int:
        return self._size

    @overload
    def __getitem__(self, index: int) -> Record: ...
    @overload
    def __getitem__(self, index: slice) -> list[Record]: ...
    def __getitem__(self, index: int | slice) -> Record | list[Record]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._size))]
        record = self._made.get(index)
        if record is None:
            if index < 0:
                return self[index + self._size]
            if index >= self._size:
                raise IndexError(index)
            c = self._columns
            emails, phones = c["emails"][index], c["phones"][index]
            record = self._made[index] = Record(
                c["first"][index],
                c["last"][index],
                c["first_ph"][index],
                c["last_ph"][index],
                c["birth"][index],
                tuple(emails.split()) if emails else (),
                tuple(phones.split()) if phones else (),
                c["street"][index],
                c["house_number"][index],
                c["postal_code"][index],
                c["city"][index],
                c["company"][index],
            )
        return record

    def records_at(self, rows: Sequence[int]) -> Mapping[int, Record]:
        """The records of `rows` (distinct row numbers), made at once: each field gathered by one
        `itemgetter`, the records by one `map` (for the rows a batch compares)."""
        made = self._made
        todo = [i for i in rows if i not in made]
        if len(todo) > 1:
            gather = itemgetter(*todo)
            fields = [gather(self._columns[name]) for name in PROFILE_FIELDS]
            for k in (5, 6):  # e-mails, phones
                fields[k] = [tuple(v.split()) if v else () for v in fields[k]]
            made.update(zip(todo, map(Record, *fields), strict=True))
        elif todo:
            self[todo[0]]
        return made

    def joined(self, name: str) -> Sequence[str]:
        """E-mails or phones of every row as stored: space-separated in one text."""
        return self._columns[name]

    def column(self, name: str) -> Sequence[Any]:
        """Field `name` of every row, as the records hold it (e-mails and phones as tuples, the
        transliterated names computed once per distinct name)."""
        if name not in _DERIVED:
            return self._columns[name]
        values = self._derived.get(name)
        if values is None:
            if name in ("first_t", "last_t"):
                values = _by_value(translit, self._columns[name[:-2]])
            else:  # e-mails, phones: space-separated in the row
                values = _by_value(lambda v: tuple(v.split()) if v else (), self._columns[name])
            self._derived[name] = values
        return values


_DERIVED = frozenset({"first_t", "last_t", "emails", "phones"})


@contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic garbage collector off while many small objects are made, none of them cyclic
    (rows read from the database, records): it would walk them again and again (reading a million
    profile rows takes 1.7 instead of 2.9 s of CPU)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def column_of(recs: Sequence[Record], name: str) -> Sequence[Any]:
    """Field `name` of every record: a table's own column, else read off each record."""
    if isinstance(recs, RecordTable):
        return recs.column(name)
    return list(map(attrgetter(name), recs))


def _by_value(fn: Callable[[str], Any], values: Sequence[Any]) -> list[Any]:
    """`fn` of each value as text, computed once per distinct value."""
    done = {value: fn(str(value or "")) for value in set(values)}
    return list(map(done.__getitem__, values))


def records_from_columns(columns: Mapping[str, Sequence[Any]], *, country: str = "DE") -> list[Record]:
    """Many `Record`s at once from equally long columns with the API names (an import, a bench):
    the same values as `record_from_data` row by row, each distinct value normalised once."""
    collecting = gc.isenabled()
    gc.disable()  # many new small objects, none of them cyclic
    try:
        return _records_from_columns(columns, country)
    finally:
        if collecting:
            gc.enable()


def _records_from_columns(columns: Mapping[str, Sequence[Any]], country: str) -> list[Record]:
    size = len(next(iter(columns.values()))) if columns else 0
    empty: Sequence[Any] = [""] * size

    def column(name: str) -> Sequence[Any]:
        return columns.get(name) or empty

    firsts = _by_value(_name, column("first_name"))
    lasts = _by_value(_name, column("last_name"))
    # Street and number each normalised once per value; only a number typed into the street
    # field (no house number given) needs the two split apart.
    street = _by_value(lambda v: normalize_street(v[: MAX_FIELD * 2]), column("street"))
    house_number = _by_value(normalize_house_number, column("house_number"))
    for i, (raw_street, raw_number) in enumerate(zip(column("street"), column("house_number"), strict=True)):
        if raw_street and not str(raw_number or "").strip():
            street[i], house_number[i] = split_street(str(raw_street), str(raw_number or ""))
    births = _by_value(normalize_birth_date, column("birth_date"))
    postal_codes = _by_value(normalize_postal_code, column("postal_code"))
    cities = _by_value(translit, column("city"))
    companies = _by_value(lambda v: normalize_company(v) if v else "", column("company_name"))
    emails, phones = column("emails"), column("phones")
    contacts: list[tuple[tuple[str, ...], tuple[str, ...]]] = [((), ())] * size
    for i in [i for i in range(size) if emails[i] or phones[i]]:
        extra = record_from_data({"emails": emails[i], "phones": phones[i], "country": country})
        contacts[i] = (extra.emails, extra.phones)
    if not size:
        return []
    first, first_t, first_ph = zip(*firsts, strict=True)
    last, last_t, last_ph = zip(*lasts, strict=True)
    mails, numbers = zip(*contacts, strict=True)
    fields = (first, last, first_ph, last_ph, births, mails, numbers, street, house_number, postal_codes)
    return list(starmap(Record, zip(*fields, cities, companies, first_t, last_t, strict=True)))


def blocking_keys(r: Record) -> list[str]:
    """The indexed keys under which a record is found. Two records sharing any key are compared.

    e: e-mail · p: phone · n: both names by sound (either order) · l: surname sound + PLZ ·
    f: first-name sound + birth date · d: surname sound + birth date · b: birth date ·
    h: house number + PLZ · a: street + number + PLZ · s: street + PLZ ·
    t: street + number + city, m: surname sound + city (both for a mistyped PLZ) ·
    c: company without legal form · g: first-name sound + street · k: street + number (PLZ and
    city mistyped) · v: first-name sound + PLZ · r: surname sound + house number (the last four
    for surnames and places mistyped together, as in lists without birth dates).
    """
    keys = [f"e:{e}" for e in r.emails]
    keys += [f"p:{p}" for p in r.phones]
    if r.first_ph and r.last_ph:
        a, b = sorted((r.first_ph, r.last_ph))
        keys.append(f"n:{a}:{b}")
    if r.last_ph and r.postal_code:
        keys.append(f"l:{r.last_ph}:{r.postal_code}")
    if r.first_ph and r.birth:
        keys.append(f"f:{r.first_ph}:{r.birth}")
    if r.last_ph and r.birth:
        keys.append(f"d:{r.last_ph}:{r.birth}")
    if r.birth:
        keys.append(f"b:{r.birth}")
    if r.house_number and r.postal_code:
        keys.append(f"h:{r.house_number}:{r.postal_code}")
    if r.street and r.house_number and r.postal_code:
        keys.append(f"a:{r.street}:{r.house_number}:{r.postal_code}")
    if r.street and r.postal_code:
        keys.append(f"s:{r.street}:{r.postal_code}")
    if r.street and r.house_number and r.city:
        keys.append(f"t:{r.street}:{r.house_number}:{r.city}")
    if r.last_ph and r.city:
        keys.append(f"m:{r.last_ph}:{r.city}")
    if r.company:
        keys.append(f"c:{r.company}")
    if r.first_ph and r.street:
        keys.append(f"g:{r.first_ph}:{r.street}")
    if r.street and r.house_number:
        keys.append(f"k:{r.street}:{r.house_number}")
    if r.first_ph and r.postal_code:
        keys.append(f"v:{r.first_ph}:{r.postal_code}")
    if r.last_ph and r.house_number:
        keys.append(f"r:{r.last_ph}:{r.house_number}")
    if len(r.first_t) >= 3 and len(r.last_t) >= 3:
        keys.append(f"i:{r.first_t[:3]}:{r.last_t[:3]}")
    if len(r.last_t) >= 3 and r.postal_code:
        keys.append(f"j:{r.last_t[:3]}:{r.postal_code}")
    if len(r.street) >= 5 and r.house_number:
        keys.append(f"o:{r.street[:5]}:{r.house_number}")
    return [k[:150] for k in dict.fromkeys(keys)]


def frequency_keys(r: Record) -> list[str]:
    """Counted per office for frequency weighting: exact names, their sounds, the PLZ, the birth date."""
    keys = []
    if r.last:
        keys += [f"L:{r.last_t}", f"l:{r.last_ph}"]
    if r.first:
        keys += [f"F:{r.first_t}", f"f:{r.first_ph}"]
    if r.postal_code:
        keys.append(f"P:{r.postal_code}")
    if r.birth:
        keys.append(f"B:{r.birth}")
    return [k[:150] for k in keys]
