"""Merging: every related row moves to the survivor, the history keeps the old values of both."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import connection
from django.db.models.signals import post_save

from maklerwerk.contacts.models import Contact, ContactEmail, ContactPhone
from maklerwerk.core.exceptions import ApplicationError, NotFoundError
from maklerwerk.core.history import history_for
from maklerwerk.core.models import Activity
from maklerwerk.duplicates.merge import contacts_merge, default_choices
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


def test_merge_keeps_every_email_and_phone_once(office: Any, agent: Any, pair: tuple[Any, Any]) -> None:
    a, b = pair
    contacts_merge(office=office, survivor_id=a.pk, other_id=b.pk, acting_user=agent)
    assert not Contact.objects.filter(pk=b.pk).exists()
    assert sorted(ContactEmail.objects.filter(contact=a).values_list("value_normalized", flat=True)) == [
        "thomas.mueller@example.de",
        "tm@firma.example",
    ]
    assert sorted(ContactPhone.objects.filter(contact=a).values_list("value", flat=True)) == [
        "+491701234567",
        "+492211234567",
    ]
    assert (
        not ContactEmail.objects.exclude(contact=a).exists()
        and not ContactPhone.objects.exclude(contact=a).exists()
    )


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


def test_merge_keeps_the_survivors_identity_and_bookkeeping(
    office: Any, agent: Any, admin_user: Any, pair: tuple[Any, Any]
) -> None:
    a, b = pair
    Contact.objects.filter(pk=a.pk).update(created_by=agent)
    Contact.objects.filter(pk=b.pk).update(created_by=admin_user)  # b is also the newer one
    created_at = Contact.objects.get(pk=a.pk).created_at
    for field in ("office", "created_by", "created_at", "id"):
        with pytest.raises(ApplicationError, match="Unbekannte Felder"):
            contacts_merge(
                office=office, survivor_id=a.pk, other_id=b.pk, acting_user=agent, choices={field: "b"}
            )
    survivor = contacts_merge(office=office, survivor_id=a.pk, other_id=b.pk, acting_user=agent)
    survivor.refresh_from_db()
    assert (survivor.created_by, survivor.created_at, survivor.office) == (agent, created_at, office)


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


def _wait_until_blocked(started: threading.Event) -> None:
    """Until the second merge waits for the first one's locks. PostgreSQL shows the wait; SQLite
    (whose IMMEDIATE transactions wait at BEGIN for the database-wide write lock) cannot, so there
    the second merge gets a moment to reach its BEGIN."""
    assert started.wait(30)
    if connection.vendor != "postgresql":
        time.sleep(1)
        return
    for _ in range(300):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
        time.sleep(0.05)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("second", ["same pair", "crossing"])
def test_concurrent_merges_one_wins_the_other_is_refused_nothing_lost(
    office: Any, agent: Any, pair: tuple[Any, Any], second: str
) -> None:
    """The first merge holds its transaction open (paused when it saves the survivor) while a second
    merge of the same two contacts starts; only then does the first one finish."""
    a, b = pair
    activities = {
        Activity.objects.create(office=office, type="note", subject="N", contact=c).pk for c in pair
    }
    results: dict[str, str] = {}
    inside, started, release = threading.Event(), threading.Event(), threading.Event()

    def pause_first(sender: Any, **kwargs: Any) -> None:
        if threading.current_thread().name == "first":
            inside.set()
            release.wait(30)

    def run(survivor: int, other: int) -> None:
        name = threading.current_thread().name
        if name == "second":
            started.set()
        try:
            contacts_merge(office=office, survivor_id=survivor, other_id=other, acting_user=agent)
            results[name] = "merged"
        except NotFoundError as exc:
            results[name] = "refused" if "gelöscht oder zusammengeführt" in str(exc) else repr(exc)
        except Exception as exc:  # a deadlock or lost update would be a 500 for the user
            results[name] = repr(exc)
        finally:
            connection.close()

    post_save.connect(pause_first, sender=Contact, dispatch_uid="test-pause-first-merge")
    first = threading.Thread(target=run, args=(a.pk, b.pk), name="first")
    args = (a.pk, b.pk) if second == "same pair" else (b.pk, a.pk)
    other = threading.Thread(target=run, args=args, name="second")
    try:
        first.start()
        assert inside.wait(30)
        other.start()
        _wait_until_blocked(started)
    finally:
        release.set()
        first.join(60)
        other.join(60)
        post_save.disconnect(sender=Contact, dispatch_uid="test-pause-first-merge")

    assert results == {"first": "merged", "second": "refused"}
    assert list(Contact.objects.values_list("pk", flat=True)) == [a.pk]
    assert set(Activity.objects.filter(contact_id=a.pk).values_list("pk", flat=True)) == activities
    assert sorted(ContactEmail.objects.values_list("contact_id", "value_normalized")) == [
        (a.pk, "thomas.mueller@example.de"),
        (a.pk, "tm@firma.example"),
    ]
