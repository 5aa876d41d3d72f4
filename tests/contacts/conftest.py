"""Contacts fixtures: a factory through the service, and a switchable duplicate engine."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import pytest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "vcard"


def make_contact(office: Any, user: Any = None, **data: Any) -> Any:
    from maklerwerk.contacts.services import contact_create

    data.setdefault("last_name", "Müller")
    return contact_create(office=office, acting_user=user, data=data)


@pytest.fixture
def contact(office: Any, agent: Any) -> Any:
    return make_contact(
        office,
        agent,
        salutation="frau",
        title="Dr.",
        first_name="Anna",
        last_name="Müller",
        city="Frankfurt am Main",
        emails=[{"value": "anna.mueller@example.de", "kind": "private"}],
        phones=[{"value": "0171 2345678", "kind": "mobile"}],
    )


@pytest.fixture
def fake_duplicates(monkeypatch: Any) -> Any:
    """Make `check_duplicates` report given contacts as candidates: `fake_duplicates(contact, level)`."""
    from maklerwerk.contacts import duplicates

    found: list[Any] = []

    def check(*, office: Any, data: dict[str, Any], exclude_id: int | None = None) -> list[Any]:
        return [c for c in found if c.contact.office_id == office.pk and c.contact.pk != exclude_id]

    def add(contact: Any, level: Literal["certain", "possible"] = "certain", score: float = 0.97) -> None:
        found.append(
            duplicates.Candidate(
                contact=contact, score=score, level=level, reasons=["gleiche E-Mail-Adresse"]
            )
        )

    monkeypatch.setattr(duplicates, "check_duplicates", check)
    return add


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()
