"""Undoing a merge puts both contacts back exactly: ids, values, every related row, the history."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core import serializers

from maklerwerk.contacts.models import Contact, ContactEmail, ContactPhone, Relationship
from maklerwerk.core.exceptions import ConflictError
from maklerwerk.core.history import history_for
from maklerwerk.duplicates.merge import (
    contacts_merge,
    contacts_merge_recorded,
    default_choices,
    merge_undo,
    more_complete,
    survivor_suggest,
)
from maklerwerk.duplicates.models import MergeRecord, NotDuplicate
from tests.duplicates.conftest import make_contact
from tests.duplicates.test_merge_related import FACTORIES, World
from tests.testapp.models import Newsletter, Sticker

pytestmark = pytest.mark.django_db

WELLMANN: dict[str, Any] = {
    "first_name": "Katharina",
    "last_name": "Wellmann",
    "street": "Schillerstraße",
    "house_number": "4",
    "postal_code": "60313",
    "city": "Frankfurt am Main",
}
TYPO: dict[str, Any] = {
    **WELLMANN,
    "first_name": "Katarina",
    "last_name": "Welmann",
    "street": "Schillerstr.",
    "city": "Frankfurt",
}


def _rows(model: type[Any]) -> list[dict[str, Any]]:
    """Every row of a table as plain data (ids, foreign keys, values), in id order."""
    data = json.loads(serializers.serialize("json", model._default_manager.order_by("pk")))
    for row in data:
        row["fields"].pop("updated_at", None)
    return data


def _world_state(models: list[type[Any]]) -> dict[str, Any]:
    return {m._meta.label: _rows(m) for m in models}


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("Schillerstr.", "Schillerstraße", "b"),
        ("Frankfurt am Main", "Frankfurt", "a"),
        ("Frankfurt a. M.", "Frankfurt am Main", "b"),
        ("", "Köln", "b"),
        ("Katharina", "Katarina", None),
        ("Wellmann", "Welmann", None),
        (None, dt.date(1970, 3, 21), "b"),
    ],
)
def test_the_more_complete_value_is_told_apart_from_a_mere_difference(
    a: Any, b: Any, expected: str | None
) -> None:
    assert more_complete(a, b) == expected


def test_the_typo_record_does_not_overwrite_the_good_one(office: Any, agent: Any) -> None:
    good = make_contact(office, **WELLMANN)
    typo = make_contact(office, **{**TYPO, "birth_date": "1980-05-02"})  # newer, with one extra value
    survivor, merged = survivor_suggest(typo, good)
    assert (survivor, merged) == (good, typo)  # the older record stays, whatever the order asked
    assert default_choices(good, typo) == {
        "first_name": "a",
        "last_name": "a",
        "street": "a",
        "city": "a",
        "birth_date": "b",
    }
    contacts_merge(office=office, survivor_id=good.pk, other_id=typo.pk, acting_user=agent)
    good.refresh_from_db()
    assert (good.first_name, good.last_name, good.street, good.city) == (
        "Katharina",
        "Wellmann",
        "Schillerstraße",
        "Frankfurt am Main",
    )
    assert str(good.birth_date) == "1980-05-02"
    assert good.name_key.startswith("wellmann")  # the list sorts and searches by the kept name


def test_undo_puts_every_related_row_of_every_model_back(office: Any, agent: Any) -> None:
    world = World(office, agent)
    a = make_contact(office, emails=("k.wellmann@example.de",), phones=("069 1234567",), **WELLMANN)
    b = make_contact(
        office, emails=("K.Wellmann@example.de", "kw@firma.example"), phones=("+49 69 1234567",), **TYPO
    )
    for factory in FACTORIES.values():
        factory(world, b)
    for name, factory in FACTORIES.items():
        if "Relationship" not in name:
            factory(world, a)
    Relationship.objects.create(office=office, from_contact=b, to_contact=a, kind="other")
    shared = Newsletter.objects.create(name="Neubau")
    shared.subscribers.add(a, b)
    contact_type = ContentType.objects.get_for_model(Contact)
    Sticker.objects.create(content_type=contact_type, object_id=b.pk, text="rückrufen")
    third = make_contact(office, last_name="Dritte")
    NotDuplicate.objects.create(office=office, contact_a=b, contact_b=third)
    b_history = list(history_for(b).values_list("pk", flat=True))
    kinds: set[type[Any]] = {type(f(world, third)) for f in FACTORIES.values()}
    kinds |= {Sticker, NotDuplicate, ContactEmail, ContactPhone, Contact, Newsletter.subscribers.through}
    models = sorted(kinds, key=lambda m: m._meta.label)
    before = _world_state(models)

    _survivor, record = contacts_merge_recorded(
        office=office, survivor_id=a.pk, other_id=b.pk, acting_user=agent, choices={"birth_date": "b"}
    )
    assert not Contact.objects.filter(pk=b.pk).exists()
    assert _world_state(models) != before

    merge_undo(office=office, record_id=record.pk, acting_user=agent)

    after = _world_state(models)
    for label in before:
        assert after[label] == before[label], label
    assert set(b_history) <= set(history_for(Contact.objects.get(pk=b.pk)).values_list("pk", flat=True))
    notes = [e.note for e in history_for(Contact.objects.get(pk=a.pk))]
    assert any("rückgängig" in n for n in notes)


def test_undo_is_refused_when_the_survivor_was_merged_again_until_that_is_undone(
    office: Any, agent: Any
) -> None:
    good = make_contact(office, **WELLMANN)
    typo = make_contact(office, **TYPO)
    third = make_contact(office, **{**WELLMANN, "first_name": "Kathi"})
    _s, first = contacts_merge_recorded(
        office=office, survivor_id=good.pk, other_id=typo.pk, acting_user=agent
    )
    _s, second = contacts_merge_recorded(
        office=office, survivor_id=good.pk, other_id=third.pk, acting_user=agent
    )
    with pytest.raises(ConflictError, match=r"Kathi Wellmann.*zuerst"):
        merge_undo(office=office, record_id=first.pk, acting_user=agent)
    assert not Contact.objects.filter(pk=typo.pk).exists()
    merge_undo(office=office, record_id=second.pk, acting_user=agent)
    merge_undo(office=office, record_id=first.pk, acting_user=agent)
    assert Contact.objects.get(pk=typo.pk).first_name == "Katarina"
    assert Contact.objects.get(pk=third.pk).first_name == "Kathi"


def test_undo_is_refused_after_an_edit_of_the_survivor_and_twice_and_after_the_period(
    office: Any, agent: Any
) -> None:
    from maklerwerk.contacts.services import contact_update

    good = make_contact(office, **WELLMANN)
    typo = make_contact(office, **TYPO)
    _s, record = contacts_merge_recorded(
        office=office, survivor_id=good.pk, other_id=typo.pk, acting_user=agent
    )
    contact_update(contact=Contact.objects.get(pk=good.pk), acting_user=agent, data={"city": "Offenbach"})
    with pytest.raises(ConflictError, match="nach der Zusammenführung bearbeitet"):
        merge_undo(office=office, record_id=record.pk, acting_user=agent)
    assert Contact.objects.get(pk=good.pk).city == "Offenbach"

    other = make_contact(office, **TYPO)
    _s, record = contacts_merge_recorded(
        office=office, survivor_id=good.pk, other_id=other.pk, acting_user=agent
    )
    merge_undo(office=office, record_id=record.pk, acting_user=agent)
    with pytest.raises(ConflictError, match="bereits rückgängig"):
        merge_undo(office=office, record_id=record.pk, acting_user=agent)
    assert MergeRecord.objects.get(pk=record.pk).merged_contact == {}  # the copy is not kept longer

    _s, record = contacts_merge_recorded(
        office=office, survivor_id=good.pk, other_id=other.pk, acting_user=agent
    )
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=31)):
        with pytest.raises(ConflictError, match="30 Tage"):
            merge_undo(office=office, record_id=record.pk, acting_user=agent)
        contacts_merge(
            office=office, survivor_id=good.pk, other_id=make_contact(office).pk, acting_user=agent
        )
    assert MergeRecord.objects.get(pk=record.pk).purged  # a later merge forgets the old copies


def test_an_undone_survivor_brings_back_its_own_earlier_merge(office: Any, agent: Any) -> None:
    """GIVEN typo merged into good, then good merged into a newer record, WHEN the second merge is
    undone, THEN the first one can be undone again (the survivor is back with its id)."""
    good = make_contact(office, **WELLMANN)
    typo = make_contact(office, **TYPO)
    newer = make_contact(office, **{**WELLMANN, "first_name": "K."})
    _s, first = contacts_merge_recorded(
        office=office, survivor_id=good.pk, other_id=typo.pk, acting_user=agent
    )
    _s, second = contacts_merge_recorded(
        office=office, survivor_id=newer.pk, other_id=good.pk, acting_user=agent
    )
    with pytest.raises(ConflictError, match="gibt es nicht mehr"):
        merge_undo(office=office, record_id=first.pk, acting_user=agent)
    merge_undo(office=office, record_id=second.pk, acting_user=agent)
    merge_undo(office=office, record_id=first.pk, acting_user=agent)
    assert sorted(Contact.objects.values_list("pk", flat=True)) == sorted([good.pk, typo.pk, newer.pk])


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("first", ["undo", "merge"])
def test_an_undo_and_a_merge_of_the_same_contact_at_once_lose_nothing(
    office: Any, agent: Any, first: str
) -> None:
    """The first of the two holds its transaction open (paused when it saves a contact) while the
    other starts; only then does the first one finish. Undo first: both succeed, one after the
    other. Merge first: the undo is refused, because the contact was merged again."""
    import threading

    from django.db import connection
    from django.db.models.signals import post_save

    from maklerwerk.core.models import Activity
    from tests.duplicates.test_merge import _wait_until_blocked

    good = make_contact(office, **WELLMANN)
    typo = make_contact(office, **TYPO)
    third = make_contact(office, **{**WELLMANN, "first_name": "Kathi"})
    on_typo = Activity.objects.create(office=office, type="call", subject="Anruf", contact=typo)
    on_third = Activity.objects.create(office=office, type="note", subject="Notiz", contact=third)
    _s, record = contacts_merge_recorded(
        office=office, survivor_id=good.pk, other_id=typo.pk, acting_user=agent
    )
    results: dict[str, str] = {}
    inside, started, release = threading.Event(), threading.Event(), threading.Event()

    def pause_first(sender: Any, **kwargs: Any) -> None:
        if threading.current_thread().name == first:
            inside.set()
            release.wait(30)

    def run() -> None:
        name = threading.current_thread().name
        if name != first:
            started.set()
        try:
            if name == "undo":
                merge_undo(office=office, record_id=record.pk, acting_user=agent)
            else:
                contacts_merge(office=office, survivor_id=good.pk, other_id=third.pk, acting_user=agent)
            results[name] = "done"
        except ConflictError as exc:
            results[name] = f"refused: {exc}"
        except Exception as exc:  # a deadlock or lost update would be a 500 for the user
            results[name] = repr(exc)
        finally:
            connection.close()

    post_save.connect(pause_first, sender=Contact, dispatch_uid="test-pause-first")
    threads = {name: threading.Thread(target=run, name=name) for name in ("undo", "merge")}
    second = "merge" if first == "undo" else "undo"
    try:
        threads[first].start()
        assert inside.wait(30)
        threads[second].start()
        _wait_until_blocked(started)
    finally:
        release.set()
        for t in threads.values():
            t.join(60)
        post_save.disconnect(sender=Contact, dispatch_uid="test-pause-first")

    assert results["merge"] == "done"
    assert Activity.objects.get(pk=on_third.pk).contact_id == good.pk
    if first == "undo":
        assert results["undo"] == "done"
        assert Activity.objects.get(pk=on_typo.pk).contact_id == typo.pk
        assert sorted(Contact.objects.values_list("pk", flat=True)) == sorted([good.pk, typo.pk])
    else:
        assert results["undo"].startswith("refused: Danach wurde auch Kathi Wellmann"), results["undo"]
        assert Activity.objects.get(pk=on_typo.pk).contact_id == good.pk
        assert list(Contact.objects.values_list("pk", flat=True)) == [good.pk]
