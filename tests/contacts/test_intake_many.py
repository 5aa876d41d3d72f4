"""Many contacts at once (contacts.intake.contact_intake_many, the CSV import's commit) against the
REAL duplicate engine: the same outcomes as one `contact_intake` per entry, the same rows written
(contact, lists, match keys, history), the same person twice in one batch found, nothing written
in a dry run."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from maklerwerk.contacts import intake, services
from maklerwerk.contacts.duplicates import check_duplicates
from maklerwerk.contacts.models import Contact
from maklerwerk.core.history import history_for
from maklerwerk.core.models import ChangeLog
from maklerwerk.duplicates.models import DuplicatePair, IntakePolicy, IntakeSource, MatchKey, MatchProfile
from tests.contacts.test_intake import CERTAIN, NEW, POSSIBLE, anna  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db

FULL = {
    "salutation": "herr",
    "title": "Dr.",
    "first_name": "Jürgen",
    "last_name": "Groß",
    "street": "Hauptstraße",
    "house_number": "12a",
    "postal_code": "50667",
    "city": "Köln",
    "birth_date": "1970-12-31",
    "emails": [{"value": "juergen@gross.example", "kind": "business"}],
    "phones": [{"value": "0221 1234567", "kind": "private"}, {"value": "0171 7654321", "kind": "mobile"}],
    "tags": ["Käufer", "Newsletter"],
    "roles": ["buyer"],
    "remarks": "Rückruf erwünscht",
}


def _many(office: Any, agent: Any, rows: list[dict[str, Any]], **kwargs: Any) -> list[Any]:
    return intake.contact_intake_many(
        [intake.NewContact.from_data(r) for r in rows],
        office=office,
        acting_user=agent,
        source=IntakeSource.IMPORT,
        policy=kwargs.pop("policy", IntakePolicy.REVIEW_POSSIBLE),
        history_note="Importiert aus kontakte.csv",
        **kwargs,
    )


def _one(office: Any, agent: Any, row: dict[str, Any]) -> Any:
    return intake.contact_intake(
        intake.NewContact.from_data(row),
        office=office,
        acting_user=agent,
        source=IntakeSource.IMPORT,
        policy=IntakePolicy.REVIEW_POSSIBLE,
        history_note="Importiert aus kontakte.csv",
        dry_run=True,
    )


def test_each_entry_ends_as_one_intake_would_end_it(office: Any, agent: Any, anna: Any) -> None:  # noqa: F811
    rows = [CERTAIN, POSSIBLE, NEW, {"first_name": "Ohne", "emails": [{"value": "kein-at"}]}]
    alone = [_one(office, agent, r) for r in rows[:3]]
    results = _many(office, agent, rows)
    assert [type(r).__name__ for r in results] == ["Refused", "Created", "Created", "ValidationError"]
    assert [type(r).__name__ for r in alone] == ["Refused", "Created", "Created"]
    for one, batch in zip(alone, results, strict=False):
        assert [(c.contact.pk, c.score, c.level, c.reasons) for c in one.candidates] == [
            (c.contact.pk, c.score, c.level, c.reasons) for c in batch.candidates
        ]
        assert one.message == batch.message
    assert results[0].best.contact == anna
    assert results[1].review and not results[2].review
    assert "emails" in results[3].message_dict
    pair = DuplicatePair.objects.get()
    assert {pair.contact_a_id, pair.contact_b_id} == {anna.pk, results[1].contact.pk}
    assert Contact.objects.filter(office=office).count() == 3


def test_the_rows_written_are_those_contact_create_writes(office: Any, agent: Any) -> None:
    [made] = _many(office, agent, [FULL])
    single = services.contact_create(
        office=office,
        acting_user=agent,
        data=services.contact_validate(office=office, data={**FULL, "first_name": "Jörg"}),
        history_note="Importiert aus kontakte.csv",
    )
    contact = made.contact
    fresh = Contact.objects.get(pk=contact.pk)
    assert fresh.responsible_agent == agent and fresh.created_by == agent
    assert [(e.value, e.kind) for e in fresh.emails.all()] == [("juergen@gross.example", "business")]
    assert [p.kind for p in fresh.phones.order_by("position")] == ["private", "mobile"]
    assert sorted(t.name for t in fresh.tags.all()) == ["Käufer", "Newsletter"]
    # The history entry is the one `contact_create` writes (its snapshot read back from the database).
    entry = history_for(fresh).get()
    assert entry.action == ChangeLog.Action.CREATE and entry.note == "Importiert aus kontakte.csv"
    differ = {"first_name", "first_name_key", "name_key"}  # Jürgen / Jörg
    expected = {c["field"]: c["new"] for c in history_for(single).get().changes if c["field"] not in differ}
    assert {c["field"]: c["new"] for c in entry.changes if c["field"] not in differ} == expected
    # Match keys and name counts as `contact_saved` makes them: the single check finds it.
    assert MatchProfile.objects.filter(contact_id=contact.pk).exists()
    assert (
        MatchKey.objects.filter(contact_id=contact.pk).count()
        == MatchKey.objects.filter(contact_id=single.pk).count()
    )
    found = check_duplicates(office=office, data=services.duplicate_check_data(made.data))
    assert contact.pk in {c.contact.pk for c in found}


def test_the_same_person_twice_in_one_batch_is_found(office: Any, agent: Any) -> None:
    again = {**FULL, "emails": [{"value": "JUERGEN@gross.example"}], "tags": []}
    results = _many(office, agent, [FULL, NEW, again])
    assert [type(r).__name__ for r in results] == ["Created", "Created", "Refused"]
    assert results[2].best.contact == results[0].contact and results[0].contact.pk
    assert Contact.objects.filter(office=office).count() == 2


def test_a_dry_run_writes_nothing_and_finds_the_same(office: Any, agent: Any, anna: Any) -> None:  # noqa: F811
    again = {**FULL, "tags": []}
    results = _many(office, agent, [FULL, CERTAIN, again, POSSIBLE], dry_run=True)
    assert [type(r).__name__ for r in results] == ["Created", "Refused", "Refused", "Created"]
    assert results[0].contact is None and results[3].review
    assert Contact.objects.filter(office=office).count() == 1
    assert not DuplicatePair.objects.exists()
    assert not ChangeLog.objects.filter(object_id__in=["", "None"]).exists()


def test_with_ask_every_entry_with_a_candidate_waits_for_a_person(
    office: Any,
    agent: Any,
    anna: Any,  # noqa: F811
) -> None:
    results = _many(office, agent, [CERTAIN, POSSIBLE, NEW], policy=IntakePolicy.ASK)
    assert [type(r).__name__ for r in results] == ["NeedsDecision", "NeedsDecision", "Created"]
    assert set(Contact.objects.values_list("first_name", flat=True)) == {"Anna", "Nina"}


def test_an_entry_the_model_refuses_is_an_error_of_its_own(office: Any, agent: Any) -> None:
    results = _many(office, agent, [{**NEW, "title": "x" * 80}, FULL])
    assert isinstance(results[0], ValidationError) and "title" in results[0].message_dict
    assert isinstance(results[1], intake.Created) and results[1].contact is not None and results[1].contact.pk
