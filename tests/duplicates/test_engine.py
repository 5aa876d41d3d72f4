"""The engine against the database: keys on save, the seam, thresholds, rebuilds."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command

from maklerwerk.accounts.models import Office
from maklerwerk.contacts.duplicates import check_duplicates, contact_saved
from maklerwerk.contacts.models import Contact
from maklerwerk.duplicates.models import DuplicateSettings, MatchKey, MatchProfile, NameFrequency
from tests.duplicates.conftest import MUELLER, make_contact

pytestmark = pytest.mark.django_db

SURNAMES = ["Wagner", "Becker", "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Neumann"]


def test_it_finds_mueller_when_mueller_is_entered_with_str(office: Any, mueller: Any) -> None:
    candidates = check_duplicates(
        office=office, data={**MUELLER, "last_name": "Mueller", "street": "Hauptstr.", "house_number": "12 a"}
    )
    assert [c.contact for c in candidates] == [mueller]
    assert candidates[0].level == "certain"
    assert "Name klingt gleich (Kölner Phonetik)" in candidates[0].reasons
    assert "gleiche Anschrift" in candidates[0].reasons
    assert candidates[0].similarities["last_name"] == 1.0


def test_it_finds_mueller_at_his_address_when_the_postal_code_is_mistyped(office: Any, mueller: Any) -> None:
    data = {
        "last_name": "Müller",
        "street": "Hauptstr.",
        "house_number": "12a",
        "postal_code": "10115",
        "city": "Köln",
    }
    candidates = check_duplicates(office=office, data=data)
    assert [c.contact for c in candidates] == [mueller]
    assert "gleiche Anschrift" in candidates[0].reasons


def test_it_explains_email_and_phone_matches_in_german(office: Any, mueller: Any) -> None:
    candidates = check_duplicates(
        office=office,
        data={
            "first_name": "Tom",
            "last_name": "X",
            "emails": [" Thomas.Mueller@EXAMPLE.de"],
            "phones": ["+49 (221) 123 45 67"],
        },
    )
    assert candidates[0].contact == mueller
    assert {"gleiche E-Mail-Adresse", "Telefonnummer identisch"} <= set(candidates[0].reasons)


def test_it_says_name_sounds_the_same_with_the_same_postal_code(office: Any) -> None:
    meier = make_contact(
        office, first_name="Hans", last_name="Meier", postal_code="60311", birth_date="1970-01-02"
    )
    candidates = check_duplicates(
        office=office,
        data={"first_name": "Hans", "last_name": "Meyer", "postal_code": "60311", "birth_date": "1970-01-02"},
    )
    assert candidates[0].contact == meier
    assert candidates[0].reasons[0] == "Name klingt gleich (Kölner Phonetik), gleiche PLZ"


def test_it_leaves_out_the_contact_being_edited(office: Any, mueller: Any) -> None:
    assert check_duplicates(office=office, data=MUELLER, exclude_id=mueller.pk) == []


def test_it_never_shows_another_offices_contacts(office: Any, other_office: Any, mueller: Any) -> None:
    assert check_duplicates(office=other_office, data=MUELLER) == []


def test_it_keeps_keys_current_when_a_contact_changes(office: Any, mueller: Any) -> None:
    mueller.last_name = "Nüßlebaum"
    mueller.save()
    contact_saved(mueller)
    keys = set(MatchKey.objects.filter(contact=mueller).values_list("key", flat=True))
    assert "l:657:50667" not in keys and "l:68516:50667" in keys
    assert check_duplicates(office=office, data={**MUELLER, "last_name": "Nuesslebaum"})[0].contact == mueller
    counts = dict(NameFrequency.objects.filter(office=office).values_list("key", "occurrences"))
    assert counts["#"] == 1 and counts["L:nuesslebaum"] == 1 and counts["L:mueller"] == 0


def test_deleting_a_contact_takes_its_names_out_of_the_office_counts(office: Any, mueller: Any) -> None:
    from maklerwerk.contacts.services import contact_delete

    other = make_contact(office, first_name="Anna", last_name="Müller")
    counts = dict(NameFrequency.objects.filter(office=office).values_list("key", "occurrences"))
    assert counts["#"] == 2 and counts["L:mueller"] == 2
    contact_delete(contact=other, acting_user=None)
    counts = dict(NameFrequency.objects.filter(office=office).values_list("key", "occurrences"))
    assert counts["#"] == 1 and counts["L:mueller"] == 1 and counts.get("F:anna", 0) == 0
    assert not MatchKey.objects.filter(contact_id=other.pk).exists()
    assert check_duplicates(office=office, data={**MUELLER})[0].contact == mueller


def test_the_office_thresholds_decide_the_level(office: Any, mueller: Any) -> None:
    data = {**MUELLER, "street": "", "house_number": "", "emails": [], "phones": []}
    assert check_duplicates(office=office, data=data)[0].level == "possible"
    DuplicateSettings.objects.create(office=office, certain_threshold=0.6, possible_threshold=0.3)
    assert check_duplicates(office=office, data=data)[0].level == "certain"
    DuplicateSettings.objects.filter(office=office).update(certain_threshold=1.0, possible_threshold=1.0)
    assert check_duplicates(office=office, data=data) == []


def test_rebuild_match_keys_gives_bulk_inserted_contacts_keys(office: Any) -> None:
    Contact.objects.bulk_create(
        [Contact(office=office, first_name="Eva", last_name=name, postal_code="10115") for name in SURNAMES]
    )
    assert not check_duplicates(
        office=office, data={"first_name": "Eva", "last_name": "Wagner", "postal_code": "10115"}
    )
    err = io.StringIO()
    call_command("rebuild_match_keys", stdout=io.StringIO(), stderr=err)
    assert MatchProfile.objects.filter(office=office).count() == len(SURNAMES)
    assert MatchKey.objects.filter(office=office).exists()
    found = check_duplicates(
        office=office, data={"first_name": "Eva", "last_name": "Wagner", "postal_code": "10115"}
    )
    assert [c.contact.last_name for c in found] == ["Wagner"]
    assert NameFrequency.objects.get(office=office, key="#").occurrences == len(SURNAMES)


def test_rebuilt_keys_still_know_each_contacts_emails_and_phones(office: Any) -> None:
    """Contacts taken in in bulk (an import, a restore) get their keys from `rebuild_match_keys`:
    a new entry sharing only an e-mail address or only a phone number with one of them is found."""
    from maklerwerk.contacts.models import ContactEmail, ContactPhone

    anna, bernd = Contact.objects.bulk_create(
        [
            Contact(office=office, first_name="Anna", last_name="Kowalski", postal_code="50667"),
            Contact(office=office, first_name="Bernd", last_name="Oberholz", postal_code="80331"),
        ]
    )
    ContactEmail.objects.create(contact=anna, office=office, value="anna.kowalski@example.org")
    ContactPhone.objects.create(contact=bernd, office=office, value="+49 89 4711 0815")
    call_command("rebuild_match_keys", stdout=io.StringIO(), stderr=io.StringIO())

    by_mail = check_duplicates(
        office=office, data={"first_name": "A.", "last_name": "K.", "emails": ["Anna.Kowalski@example.org"]}
    )
    assert [c.contact for c in by_mail] == [anna] and "gleiche E-Mail-Adresse" in by_mail[0].reasons
    by_phone = check_duplicates(
        office=office, data={"first_name": "B.", "last_name": "O.", "phones": ["089 47110815"]}
    )
    assert [c.contact for c in by_phone] == [bernd] and "Telefonnummer identisch" in by_phone[0].reasons


def test_seed_demo_leaves_every_contact_with_keys() -> None:
    call_command("seed_demo", stdout=io.StringIO())
    office = Office.objects.get(name="Musterimmobilien Rhein-Main GmbH")
    Contact.objects.bulk_create(
        [Contact(office=office, first_name="Eva", last_name=name) for name in SURNAMES]
    )
    call_command("seed_demo", stdout=io.StringIO())
    assert MatchProfile.objects.count() == Contact.objects.count() >= len(SURNAMES)
    assert check_duplicates(office=office, data={"first_name": "Eva", "last_name": "Wagner"})


def test_a_common_name_prefix_brings_no_strangers_to_the_check(office: Any) -> None:
    """The typo-tolerant key "first three letters of both names" finds a copy with both names
    mistyped; shared by more contacts than the batch blocks on ("han:mül" in a big office), it
    is dropped in the check at save as in the batch, and strangers elsewhere never count."""
    from maklerwerk.duplicates.engine import candidate_profiles
    from maklerwerk.duplicates.normalize import blocking_keys, record_from_data

    endings = ["bach", "dorf", "heim", "haupt", "ker", "stein", "weg", "rath", "furt", "berg", "kamp", "sen"]
    few = [make_contact(office, first_name="Hannelore", last_name=f"Mül{e}", postal_code=f"201{i:02d}")
           for i, e in enumerate(endings[:3])]  # fmt: skip
    far = make_contact(
        office, first_name="Hannelore", last_name="Mülwitz", postal_code="80331", city="München"
    )
    query = {"first_name": "Hanka", "last_name": "Mülowski", "postal_code": "20095", "city": "Hamburg"}
    record = record_from_data(query)
    found = {cid for cid, _r in candidate_profiles(office.pk, blocking_keys(record), record=record)}
    assert found == {c.pk for c in few}  # the same region (PLZ 20...); not the one in Munich
    for i, e in enumerate(endings[3:]):
        make_contact(office, first_name="Hannelore", last_name=f"Mül{e}", postal_code=f"202{i:02d}")
    found = {cid for cid, _r in candidate_profiles(office.pk, blocking_keys(record), record=record)}
    assert not found  # twelve share the prefix: too common to say anything
    assert far.pk not in found
