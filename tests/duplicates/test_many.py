"""The batch check of many new contacts (duplicates.many, an import's commit) gives every record
exactly what the single check gives it (candidates, scores, levels), although it leaves out the
pairs whose upper bound cannot reach the threshold; and it finds the same person twice in a batch."""

from __future__ import annotations

import random
from typing import Any

import pytest

from maklerwerk.duplicates import engine, many
from maklerwerk.duplicates.normalize import record_from_data
from tests.duplicates.conftest import make_contact

pytestmark = pytest.mark.django_db

FIRST = ["Thomas", "Anna", "Jürgen", "Käthe", "Sören", "Maria", "Hans", "Eva"]
LAST = ["Müller", "Mueller", "Schmidt", "Schmitt", "Meier", "Meyer", "Groß", "Gross", "Weber"]
STREETS = ["Hauptstraße", "Hauptstr.", "Ringstraße", "Am Markt"]
PLACES = [("50667", "Köln"), ("50668", "Köln"), ("10115", "Berlin")]


def _person(rng: random.Random, i: int) -> dict[str, Any]:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    plz, city = rng.choice(PLACES)
    return {
        "first_name": first,
        "last_name": last,
        "street": rng.choice(STREETS),
        "house_number": str(rng.randint(1, 6)),
        "postal_code": plz,
        "city": city,
        "birth_date": f"19{rng.randint(60, 63)}-0{rng.randint(1, 3)}-1{rng.randint(0, 2)}" if i % 2 else None,
        "emails": [f"{first[:2].lower()}{rng.randint(0, 9)}@example.de"] if i % 3 else [],
        "phones": [f"0221 12345{rng.randint(0, 9)}{rng.randint(0, 9)}"] if i % 4 else [],
    }


def test_every_record_gets_what_the_single_check_gives_it(office: Any) -> None:
    rng = random.Random(4)
    for i in range(80):
        data = _person(rng, i)
        make_contact(office, emails=tuple(data.pop("emails")), phones=tuple(data.pop("phones")), **data)
    batch = [_person(rng, i) for i in range(60)]
    checked = many.check_many(office.pk, [record_from_data(d) for d in batch])
    found = 0
    for data, matches in zip(batch, checked.matches, strict=True):
        alone = engine.check(office_id=office.pk, data=data)
        assert [(m.contact_id, m.result, m.level) for m in matches] == [
            (m.contact_id, m.result, m.level) for m in alone
        ]
        found += len(alone)
    assert found > 20  # the data has duplicates to find


def test_the_same_person_twice_in_the_batch_is_a_pair() -> None:
    anna = {
        "first_name": "Anna",
        "last_name": "Müller",
        "emails": ["anna@example.de"],
        "postal_code": "50667",
    }
    again = {**anna, "last_name": "Mueller", "emails": ["ANNA@example.de"]}
    other = {"first_name": "Nina", "last_name": "Neumann", "emails": ["nina@example.de"]}
    records = [record_from_data(d) for d in (anna, other, again)]
    inner = many.check_many(0, records).inner
    assert [(p.a, p.b, p.level) for p in inner] == [(0, 2, "certain")]
