"""Merging: every related row moves to the survivor, the history keeps the old values of both."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.apps import apps
from django.db import OperationalError, connection

from maklerwerk.contacts.models import Contact, ContactEmail, ContactPhone
from maklerwerk.core.exceptions import ApplicationError, NotFoundError
from maklerwerk.core.history import history_for
from maklerwerk.core.models import Activity
from maklerwerk.duplicates.merge import contacts_merge, default_choices, related_counts
from maklerwerk.duplicates.models import MatchProfile
from tests.duplicates.conftest import MUELLER, make_contact

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(office: Any) -> tuple[Any, Any]:
    a = make_contact(office, emails=("thomas.mueller@example.de",), phones=("0221 1234567",), **MUELLER)
    b = make_contact(
        office,
        emails=("THOMAS.MUELLER@example.de", "tm@firma.example"),
        phones=("+49 221 1234567", "0170 1234567"),
        **{**MUELLER, "last_name": "Mueller", "street": "Hauptstr.", "birth_date": "1970-03-21", "city": ""},
    )
    return a, b


def _add_related_rows(office: Any, a: Any, b: Any, third: Any) -> None:
    """Rows in every kind of related table the installed apps have (they grow with the product)."""
    for contact, n in ((a, 3), (b, 4)):
        for i in range(n):
            Activity.objects.create(
                office=office, type="note", subject=f"Notiz {i} zu {contact.pk}", contact=contact
            )
    try:
        tag_model, contact_tag = apps.get_model("contacts", "Tag"), apps.get_model("contacts", "ContactTag")
        relationship = apps.get_model("contacts", "Relationship")
    except LookupError:
        return
    vip, newsletter = (
        tag_model.objects.create(office=office, name="VIP"),
        tag_model.objects.create(office=office, name="News"),
    )
    contact_tag.objects.create(office=office, contact=a, tag=vip)
    contact_tag.objects.create(office=office, contact=b, tag=vip)  # the same tag on both: kept once
    contact_tag.objects.create(office=office, contact=b, tag=newsletter)
    relationship.objects.create(office=office, from_contact=b, to_contact=third, kind="spouse")
    relationship.objects.create(office=office, from_contact=third, to_contact=b, kind="child")
    relationship.objects.create(
        office=office, from_contact=a, to_contact=b, kind="other"
    )  # becomes a self link


def test_merge_moves_every_related_row_to_the_survivor(
    office: Any, agent: Any, pair: tuple[Any, Any]
) -> None:
    a, b = pair
    third = make_contact(office, first_name="Sabine", last_name="Müller")
    _add_related_rows(office, a, b, third)
    activity_ids = set(Activity.objects.filter(contact__in=[a, b]).values_list("pk", flat=True))
    before = related_counts([a.pk, b.pk])
    expected_losses = {
        "contacts.ContactEmail.contact": 1,
        "contacts.ContactPhone.contact": 1,
    }  # kept once each
    if "contacts.ContactTag.contact" in before:
        # the same tag once; the A-B relationship would link the survivor to itself
        expected_losses |= {
            "contacts.ContactTag.contact": 1,
            "contacts.Relationship.from_contact": 1,
            "contacts.Relationship.to_contact": 1,
        }

    contacts_merge(office=office, survivor_id=a.pk, other_id=b.pk, acting_user=agent)

    assert not Contact.objects.filter(pk=b.pk).exists()
    after = related_counts([a.pk, b.pk])
    for name, count in before.items():
        assert after[name] == count - expected_losses.get(name, 0), name
    assert related_counts([b.pk]) == dict.fromkeys(before, 0)
    assert set(Activity.objects.filter(contact=a).values_list("pk", flat=True)) == activity_ids
    assert sorted(ContactEmail.objects.filter(contact=a).values_list("value_normalized", flat=True)) == [
        "thomas.mueller@example.de",
        "tm@firma.example",
    ]
    assert sorted(ContactPhone.objects.filter(contact=a).values_list("value", flat=True)) == [
        "+491701234567",
        "+492211234567",
    ]


def test_merge_takes_non_empty_values_and_records_both_old_values(
    office: Any, agent: Any, pair: tuple[Any, Any]
) -> None:
    a, b = pair
    assert default_choices(a, b)["birth_date"] == "b" and default_choices(a, b)["city"] == "a"
    survivor = contacts_merge(
        office=office, survivor_id=a.pk, other_id=b.pk, acting_user=agent, choices={"last_name": "b"}
    )
    survivor.refresh_from_db()
    assert (
        str(survivor.birth_date) == "1970-03-21"
        and survivor.city == "Köln"
        and survivor.last_name == "Mueller"
    )
    entry = history_for(survivor).filter(action="merge").get()
    assert entry.user == agent
    changes = {c["field"]: c for c in entry.changes}
    assert changes["last_name"]["old"] == "Müller" and changes["last_name"]["new"] == "Mueller"
    merged = changes["merged_contact"]["new"]
    assert merged["id"] == b.pk and merged["street"] == "Hauptstr." and "tm@firma.example" in merged["emails"]
    assert MatchProfile.objects.filter(contact_id=b.pk).count() == 0
    assert MatchProfile.objects.get(contact_id=a.pk).last == "mueller"


def test_merging_a_contact_into_itself_is_refused(office: Any, agent: Any, mueller: Any) -> None:
    with pytest.raises(ApplicationError, match="nicht mit sich selbst"):
        contacts_merge(office=office, survivor_id=mueller.pk, other_id=mueller.pk, acting_user=agent)


def test_merging_across_offices_is_refused(office: Any, other_office: Any, agent: Any, mueller: Any) -> None:
    foreign = make_contact(other_office, **MUELLER)
    with pytest.raises(NotFoundError, match="nicht gefunden"):
        contacts_merge(office=office, survivor_id=mueller.pk, other_id=foreign.pk, acting_user=agent)
    assert Contact.objects.filter(pk=foreign.pk).exists()


def test_merging_a_contact_someone_just_deleted_is_refused(
    office: Any, agent: Any, pair: tuple[Any, Any]
) -> None:
    a, b = pair
    Contact.objects.filter(pk=b.pk).delete()
    with pytest.raises(NotFoundError, match="gelöscht oder zusammengeführt"):
        contacts_merge(office=office, survivor_id=a.pk, other_id=b.pk, acting_user=agent)


@pytest.mark.django_db(transaction=True)
def test_concurrent_merges_of_the_same_pair_one_wins_nothing_lost(
    office: Any, agent: Any, pair: tuple[Any, Any]
) -> None:
    a, b = pair
    for contact in (a, b):
        Activity.objects.create(office=office, type="note", subject="Notiz", contact=contact)
    results: list[str] = []
    barrier = threading.Barrier(2)

    def run(survivor: int, other: int) -> None:
        barrier.wait()
        try:
            contacts_merge(office=office, survivor_id=survivor, other_id=other, acting_user=agent)
            results.append("merged")
        except NotFoundError:
            results.append("refused")  # PostgreSQL (row locks) and SQLite files (IMMEDIATE, busy timeout)
        except OperationalError:
            results.append("refused")  # SQLite's shared-cache test database refuses instead of waiting
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(a.pk, b.pk)),
        threading.Thread(target=run, args=(b.pk, a.pk)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["merged", "refused"]
    survivor = Contact.objects.get()
    assert Activity.objects.filter(contact=survivor).count() == 2
    assert ContactEmail.objects.filter(contact=survivor).count() == 2
