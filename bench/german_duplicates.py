"""German test data for the duplicate engine: people, true duplicates with the errors German data
really has, and hard non-duplicates. Faker de_DE with a fixed seed, so every run sees the same data.

Error types of true duplicates: umlaut and ß spellings, Str./Straße, swapped first and last name,
typos, phone as +49/0049/0 with spaces and dashes, e-mail case, missing fields, married names.
Hard non-duplicates: a family member at the same address (sharing the landline), the same common
name in another city, and a namesake nearby: the same first name, a surname that sounds alike
(Keller / Köhler, Schmidt / Schmitt), the same PLZ, but another street, e-mail and phone.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from faker import Faker

UMLAUTS = [("ü", "ue"), ("ö", "oe"), ("ä", "ae"), ("ß", "ss")]


@dataclass
class Pool:
    """Names, streets and places drawn once from Faker; combining them is fast for millions."""

    first: list[str]
    last: list[str]
    streets: list[str]
    places: list[tuple[str, str]]  # (PLZ, Ort)
    domains: list[str] = field(
        default_factory=lambda: ["web.de", "gmx.de", "t-online.de", "gmail.com", "posteo.de"]
    )


def make_pool(seed: int = 42, *, surnames: int = 3000, first_names: int = 1500, places: int = 2000) -> Pool:
    fake = Faker("de_DE")
    fake.seed_instance(seed)
    firsts = list(dict.fromkeys(fake.first_name() for _ in range(first_names * 4)))[:first_names]
    lasts = list(dict.fromkeys(fake.last_name() for _ in range(surnames * 6)))[:surnames]
    # Faker's German surnames are few; compound and suffixed ones make a realistic long tail.
    rng = random.Random(seed)
    while len(lasts) < surnames:
        lasts.append(
            rng.choice(lasts) + rng.choice(["mann", "er", "-" + rng.choice(lasts), "s", "bach", "huber"])
        )
        lasts = list(dict.fromkeys(lasts))
    streets = list(dict.fromkeys(fake.street_name() for _ in range(3000)))
    place_list = list(dict.fromkeys((fake.postcode(), fake.city()) for _ in range(places)))
    return Pool(firsts, lasts, streets, place_list)


def person(rng: random.Random, pool: Pool, pid: int) -> dict[str, Any]:
    first, last = rng.choice(pool.first), rng.choice(pool.last)
    plz, city = rng.choice(pool.places)
    local = (
        f"{first}.{last}".lower().replace(" ", "").replace("ü", "ue").replace("ö", "oe").replace("ä", "ae")
    )
    local = local.replace("ß", "ss")
    p: dict[str, Any] = {
        "first_name": first,
        "last_name": last,
        "street": rng.choice(pool.streets),
        "house_number": str(rng.randint(1, 180)) + (rng.choice("abc") if rng.random() < 0.1 else ""),
        "postal_code": plz,
        "city": city,
        "birth_date": (
            f"{rng.randint(1940, 2004)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            if rng.random() < 0.5
            else ""
        ),
        "emails": [f"{local}{pid % 997}@{rng.choice(pool.domains)}"] if rng.random() < 0.7 else [],
        "phones": [
            f"+49{rng.choice(['151', '160', '170', '176', '221', '30', '89', '69'])}{rng.randint(1000000, 9999999)}"  # noqa: E501
        ]
        if rng.random() < 0.6
        else [],
    }
    return p


def _typo(rng: random.Random, text: str) -> str:
    if len(text) < 4:
        return text
    i = rng.randrange(1, len(text) - 1)
    op = rng.random()
    if op < 0.33:
        return text[:i] + text[i + 1 :]
    if op < 0.66:
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text[:i] + rng.choice("aeinrst") + text[i + 1 :]


def _phone_notation(rng: random.Random, e164: str) -> str:
    national = e164[3:]
    style = rng.randrange(4)
    if style == 0:
        return f"0{national[:3]} {national[3:]}"
    if style == 1:
        return f"0049 {national[:3]} {national[3:6]}-{national[6:]}"
    if style == 2:
        return f"+49 ({national[:3]}) {national[3:]}"
    return f"0{national[:3]}/{national[3:5]} {national[5:]}"


def duplicate_of(rng: random.Random, p: dict[str, Any], pool: Pool) -> dict[str, Any]:
    """The same person entered again, with one to three of the typical errors."""
    d = {**p, "emails": list(p["emails"]), "phones": list(p["phones"])}
    errors = rng.sample(
        ["umlaut", "street", "swap", "typo", "phone", "email_case", "missing", "married", "typo_first"],
        k=rng.randint(1, 3),
    )
    for error in errors:
        if error == "umlaut":
            for a, b in UMLAUTS:
                d["last_name"] = d["last_name"].replace(a, b)
                d["first_name"] = d["first_name"].replace(a, b)
                d["street"] = d["street"].replace(a, b)
        elif error == "street":
            d["street"] = (
                d["street"].replace("straße", "str.").replace("Straße", "Str.")
                if "traße" in d["street"]
                else d["street"] + " "
            )
        elif error == "swap":
            d["first_name"], d["last_name"] = d["last_name"], d["first_name"]
        elif error == "typo":
            d["last_name"] = _typo(rng, d["last_name"])
        elif error == "typo_first":
            d["first_name"] = _typo(rng, d["first_name"])
        elif error == "phone" and d["phones"]:
            d["phones"] = [_phone_notation(rng, d["phones"][0])]
        elif error == "email_case" and d["emails"]:
            d["emails"] = [" " + d["emails"][0].title() + " "]
        elif error == "missing":
            field_name = rng.choice(["emails", "phones", "birth_date", "street"])
            d[field_name] = [] if field_name in ("emails", "phones") else ""
            if field_name == "street":
                d["house_number"] = ""
        elif error == "married":
            d["last_name"] = rng.choice(pool.last)
            if not (d["emails"] or d["phones"] or d["birth_date"]):  # something must tell it is her
                d["birth_date"] = p["birth_date"] = (
                    f"{rng.randint(1940, 2004)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
                )
    return d


def family_member(rng: random.Random, p: dict[str, Any], pool: Pool) -> dict[str, Any]:
    """Someone else at the same address with the same surname; half share the landline."""
    first = rng.choice([f for f in pool.first if f != p["first_name"]])
    return {
        **p,
        "first_name": first,
        "birth_date": f"{rng.randint(1940, 2004)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        if p["birth_date"]
        else "",
        "emails": [],
        "phones": list(p["phones"]) if rng.random() < 0.5 else [],
    }


def namesake(rng: random.Random, p: dict[str, Any], pool: Pool, pid: int) -> dict[str, Any]:
    """Same first and last name, another city, nothing else in common."""
    other = person(rng, pool, pid)
    return {**other, "first_name": p["first_name"], "last_name": p["last_name"]}


# Spellings that sound the same in German (Kölner Phonetik keeps the code): Keller / Köhler,
# Schmidt / Schmitt, Maier / Meyer, Fischer / Vischer.
_SOUND_ALIKE = [("dt", "tt"), ("tt", "dt"), ("ei", "ai"), ("ai", "ei"), ("ey", "ei"), ("ö", "e"), ("e", "ö"),
                ("ck", "k"), ("ph", "f"), ("f", "v"), ("tz", "z"), ("ie", "i"), ("mm", "m"), ("nn", "n"),
                ("ll", "hl"), ("hl", "ll"), ("th", "t"), ("y", "i"), ("ß", "s")]  # fmt: skip


def sound_alike(rng: random.Random, name: str) -> str:
    """Another surname that sounds like `name` (the same one when no spelling applies)."""
    options = [(a, b) for a, b in _SOUND_ALIKE if a in name[1:]]
    if not options:
        return name
    a, b = rng.choice(options)
    i = name.index(a, 1)
    return name[:i] + b + name[i + len(a) :]


def namesake_nearby(rng: random.Random, p: dict[str, Any], pool: Pool, pid: int) -> dict[str, Any]:
    """Another person with the same first name and a surname that sounds alike (or is the same),
    living in the same PLZ and city, in another street, with their own e-mail and phone."""
    other = person(rng, pool, pid)
    street = rng.choice([s for s in pool.streets[:50] if s != p["street"]])
    return {
        **other,
        "first_name": p["first_name"],
        "last_name": sound_alike(rng, p["last_name"]),
        "street": street,
        "postal_code": p["postal_code"],
        "city": p["city"],
        "emails": [f"{p['first_name'][:1].lower()}.{pid}@{rng.choice(pool.domains)}"],
        "phones": [f"+49{rng.choice(['152', '162', '172', '177'])}{rng.randint(1000000, 9999999)}"],
    }


def dataset(
    n: int, *, seed: int = 42, dup_rate: float = 0.2, hard_rate: float = 0.15, pool: Pool | None = None
) -> tuple[list[dict[str, Any]], set[tuple[int, int]]]:
    """`n` originals plus duplicates and hard non-duplicates; returns (records, true pairs by index)."""
    rng = random.Random(seed)
    pool = pool or make_pool(seed)
    records: list[dict[str, Any]] = [person(rng, pool, i) for i in range(n)]
    truth: set[tuple[int, int]] = set()
    for i in range(n):
        r = rng.random()
        if r < dup_rate:
            records.append(duplicate_of(rng, records[i], pool))
            truth.add((i, len(records) - 1))
        elif r < dup_rate + hard_rate:
            kind = rng.random()
            if kind < 1 / 3:
                records.append(family_member(rng, records[i], pool))
            elif kind < 2 / 3:
                records.append(namesake(rng, records[i], pool, len(records)))
            else:
                records.append(namesake_nearby(rng, records[i], pool, len(records)))
    return records, truth
