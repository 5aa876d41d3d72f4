"""German namesakes nearby are other people: the same first name, a surname that sounds alike, the
same PLZ, but another street and other contact details. Neither the check at save nor the batch
search may call them duplicates; the same person with a shared detail is still found."""

from __future__ import annotations

from typing import Any

import pytest

from maklerwerk.contacts.duplicates import check_duplicates
from maklerwerk.duplicates.batch import find_pairs
from maklerwerk.duplicates.normalize import record_from_data
from maklerwerk.duplicates.reasons import reason_texts
from maklerwerk.duplicates.scoring import Frequencies, score_pair
from tests.duplicates.conftest import make_contact

KELLER: dict[str, Any] = {
    "first_name": "Thomas",
    "last_name": "Keller",
    "street": "Lindenweg",
    "house_number": "4",
    "postal_code": "50667",
    "city": "Köln",
}
MAIER: dict[str, Any] = {
    **KELLER,
    "first_name": "Jürgen",
    "last_name": "Maier",
    "street": "Am Markt",
    "house_number": "2",
}
SCHMIDT: dict[str, Any] = {
    **KELLER,
    "first_name": "Sabine",
    "last_name": "Schmidt",
    "street": "Gartenstraße",
    "house_number": "9",
}


def nearby(person: dict[str, Any], last_name: str, n: int) -> dict[str, Any]:
    """Same first name, `last_name`, same PLZ and city; own street, e-mail and phone."""
    return {
        **person,
        "last_name": last_name,
        "street": "Ringstraße",
        "house_number": str(17 + n),
        "emails": [f"nachbar{n}@gmx.de"],
        "phones": [f"+49221999{n:04d}"],
    }


PAIRS = [
    (KELLER, "Köhler", "k.keller@web.de", "+492211234567"),
    (SCHMIDT, "Schmitt", "sabine.schmidt@web.de", "+492217654321"),
    (MAIER, "Maier", "j.maier@web.de", "+492215550000"),  # even the same spelling
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("person", "other_last", "email", "phone"), PAIRS, ids=["Köhler", "Schmitt", "Maier"]
)
def test_the_check_at_save_does_not_call_a_namesake_nearby_a_duplicate(
    office: Any, person: dict[str, Any], other_last: str, email: str, phone: str
) -> None:
    existing = make_contact(office, emails=(email,), phones=(phone,), **person)
    found = check_duplicates(office=office, data=nearby(person, other_last, 1))
    assert [c for c in found if c.contact == existing] == []
    # The same neighbour with the known e-mail address is the same person: a certain duplicate.
    same = check_duplicates(office=office, data={**nearby(person, other_last, 1), "emails": [email]})
    assert same[0].contact == existing and same[0].level == "certain"


def _records(rows: list[dict[str, Any]]) -> dict[int, Any]:
    return {i: record_from_data(r) for i, r in enumerate(rows)}


def test_the_batch_search_does_not_pair_namesakes_nearby() -> None:
    rows: list[dict[str, Any]] = []
    for n, (person, other_last, email, phone) in enumerate(PAIRS):
        rows.append({**person, "emails": [email], "phones": [phone]})
        rows.append(nearby(person, other_last, n))
    scored = find_pairs(_records(rows), min_score=0.0)
    assert {(p.a, p.b) for p in scored} >= {(0, 1), (2, 3), (4, 5)}  # compared ...
    assert [p for p in scored if p.result.score >= 0.5] == []  # ... and not even a possible duplicate


def test_the_reason_says_why_in_german() -> None:
    a = record_from_data({**KELLER, "emails": ["k.keller@web.de"]})
    b = record_from_data(nearby(KELLER, "Köhler", 1))
    result = score_pair(a, b, Frequencies(total=5000))
    assert result.score < 0.5
    assert "andere Straße und andere Kontaktdaten: wohl eine andere Person dieses Namens in der Nähe" in (
        reason_texts(result.codes)
    )
