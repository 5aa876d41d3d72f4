"""Two-way address book sync against Radicale: first sync matches, re-syncs change nothing."""

from __future__ import annotations

from typing import Any

import pytest

from maklerwerk.contacts.models import Contact
from maklerwerk.core.models import Activity
from maklerwerk.davsync import services
from maklerwerk.davsync.models import ContactUid, DavItem, SyncEvent, SyncFlag
from tests.davsync.conftest import Book, card, upload_fixture

pytestmark = pytest.mark.django_db


def make_contact(agent: Any, **data: Any) -> Contact:
    from maklerwerk.contacts.services import contact_create, contact_validate

    clean = contact_validate(office=agent.office, data=data)
    return contact_create(office=agent.office, acting_user=agent, data=clean)


def sync(account: Any, *, dry_run: bool = False) -> Any:
    account.refresh_from_db()
    return services.dav_account_sync(account=account, dry_run=dry_run)


def test_first_sync_previews_then_matches_and_resyncs_change_nothing(
    agent: Any, book: Book, account: Any
) -> None:
    names = upload_fixture(book, "ez-vcard__John_Doe_GMAIL.vcf") + upload_fixture(
        book, "kcontacts__vcard12.vcf"
    )
    book.put("anna.vcf", card("anna-1", "Anna", "Becker", email="anna@example.org", tel="+49 170 1234567"))
    existing = make_contact(
        agent,
        first_name="Anna",
        last_name="Becker",
        emails=[{"value": "anna@example.org", "kind": "private"}],
    )
    services.sync_flags_set(account=account, contact_ids=[existing.pk], enabled=True)
    mine = make_contact(
        agent, first_name="Bernd", last_name="Maier", phones=[{"value": "+4922112345", "kind": "mobile"}]
    )
    services.sync_flags_set(account=account, contact_ids=[mine.pk], enabled=True)
    before = book.listing()

    preview = sync(account, dry_run=True)
    assert preview.counts["matched"] == 1 and preview.counts["created_here"] == 2
    assert preview.counts["created_there"] == 1 and preview.writes == 0
    assert any(r["action"] == "match" and "Anna Becker" in r["message"] for r in preview.rows)
    assert book.listing() == before and Contact.objects.count() == 2

    first = sync(account)
    assert (
        first.counts["matched"] == 1
        and first.counts["created_here"] == 2
        and first.counts["created_there"] == 1
    )
    assert Contact.objects.count() == 4  # the two fixture people; Anna was matched, not copied
    john = Contact.objects.get(last_name="Doe")
    assert john.emails.get().value == "john.doe@ibm.com" and john.company_name == "IBM"
    looking = Contact.objects.get(last_name="Looking")
    assert looking.photo  # the Evolution card's PNG photo came along
    uid = str(ContactUid.objects.get(contact=mine).uid)
    assert f"UID:{uid}" in book.get(f"{uid}.vcf") and "maklerwerk:contact" not in book.get(f"{uid}.vcf")
    after_first = book.listing()
    assert set(after_first) == {*names, "anna.vcf", f"{uid}.vcf"}
    for _run in range(2):
        again = sync(account)
        assert again.writes == 0, again.counts
        assert not {k for k in again.counts if k not in ("unchanged",)}, again.counts
        assert again.requests == 1  # one sync-collection round trip
        assert book.listing() == after_first and Contact.objects.count() == 4
    # the round trip kept what Maklerwerk does not know (Apple labels, the second photo)
    assert "X-ABRELATEDNAMES" in book.get(names[0])
    assert account.events.filter(level=SyncEvent.Level.CHANGE).exists()


def test_phone_changed_on_server_reaches_the_contact(agent: Any, book: Book, account: Any) -> None:
    book.put("c.vcf", card("c-1", "Clara", "Schmitt", tel="+49 170 1111111"))
    sync(account)
    contact = Contact.objects.get(last_name="Schmitt")
    etag = book.listing()["c.vcf"]
    book.put("c.vcf", card("c-1", "Clara", "Schmitt", tel="+49 170 2222222"), etag=etag)
    report = sync(account)
    assert report.counts.get("updated_here") == 1 and report.writes == 0
    assert [p.value for p in contact.phones.all()] == ["+491702222222"]
    assert sync(account).writes == 0 and sync(account).counts == {}


def test_contact_changed_in_maklerwerk_reaches_the_card(agent: Any, book: Book, account: Any) -> None:
    from maklerwerk.contacts.services import contact_update

    contact = make_contact(
        agent, first_name="Dora", last_name="Klein", emails=[{"value": "dora@example.org", "kind": "private"}]
    )
    services.sync_flags_set(account=account, contact_ids=[contact.pk], enabled=True)
    sync(account)
    contact_update(
        contact=contact,
        acting_user=agent,
        data={"city": "Köln", "postal_code": "50667", "street": "Domkloster", "house_number": "4"},
    )
    report = sync(account)
    assert report.counts.get("updated_there") == 1 and report.writes == 1
    (name,) = book.listing()
    assert "Köln" in book.get(name)
    assert sync(account).writes == 0


def test_card_deleted_on_server_keeps_the_contact_and_clears_the_flag(
    agent: Any, book: Book, account: Any
) -> None:
    book.put("e.vcf", card("e-1", "Emil", "Wagner", email="emil@example.org"))
    sync(account)
    contact = Contact.objects.get(last_name="Wagner")
    book.delete("e.vcf")
    report = sync(account)
    assert report.counts == {"deleted_there": 1}
    assert Contact.objects.filter(pk=contact.pk).exists()
    assert SyncFlag.objects.get(account=account, contact=contact).enabled is False
    assert Activity.objects.filter(contact=contact, subject__contains="gelöscht").exists()
    assert book.listing() == {} and sync(account).writes == 0  # the card is not written again


def test_contact_deleted_or_merged_in_maklerwerk_is_deleted_on_the_server(
    admin_user: Any, agent: Any, book: Book, account: Any
) -> None:
    from maklerwerk.contacts.services import contact_delete
    from maklerwerk.duplicates.merge import contacts_merge_recorded

    a = make_contact(agent, first_name="Fritz", last_name="Lang")
    b = make_contact(
        agent, first_name="Fritz", last_name="Lang", emails=[{"value": "fl@example.org", "kind": "private"}]
    )
    c = make_contact(agent, first_name="Gustav", last_name="Gans")
    services.sync_flags_set(account=account, contact_ids=[a.pk, b.pk, c.pk], enabled=True)
    sync(account)
    assert len(book.listing()) == 3
    contact_delete(contact=c, acting_user=admin_user)
    contacts_merge_recorded(office=agent.office, survivor_id=a.pk, other_id=b.pk, acting_user=admin_user)
    report = sync(account)
    assert report.counts.get("deleted_here") == 2
    (name,) = book.listing()
    assert "fl@example.org" in book.get(name)  # the survivor's card has the merged e-mail
    assert sync(account).writes == 0


def test_invalid_sync_token_falls_back_to_the_full_listing(agent: Any, book: Book, account: Any) -> None:
    book.put("h.vcf", card("h-1", "Hanna", "Roth"))
    sync(account)
    account.sync_token = "http://radicale.org/ns/sync/0000000000000000000000000000000000000000"
    account.save()
    report = sync(account)
    assert report.full_listing and report.writes == 0 and Contact.objects.count() == 1
    assert account.events.filter(message__contains="Synchronisierungsmarke").exists()
    account.refresh_from_db()
    assert account.sync_token.startswith("http://radicale.org/ns/sync/") is False or account.sync_token == ""
    assert sync(account).writes == 0


@pytest.mark.parametrize(
    ("rule", "expected_city"), [("maklerwerk_wins", "Bonn"), ("server_wins", "Köln"), ("newer_wins", "Köln")]
)
def test_conflict_rule_decides_and_is_logged(
    agent: Any, book: Book, account: Any, rule: str, expected_city: str
) -> None:
    from maklerwerk.contacts.services import contact_update

    account.conflict_rule = rule
    account.save()
    book.put("i.vcf", card("i-1", "Ida", "Brand", extra="ADR;TYPE=HOME:;;Hauptstr. 1;Aachen;;52062;DE"))
    sync(account)
    contact = Contact.objects.get(last_name="Brand")
    contact_update(contact=contact, acting_user=agent, data={"city": "Bonn"})
    book.put(
        "i.vcf",
        card(
            "i-1",
            "Ida",
            "Brand",
            extra="ADR;TYPE=HOME:;;Hauptstr. 1;Köln;;52062;DE\nREV:2099-01-01T00:00:00Z",
        ),
        etag=book.listing()["i.vcf"],
    )
    report = sync(account)
    assert report.counts.get("conflicts") == 1
    contact.refresh_from_db()
    assert contact.city == expected_city
    assert expected_city in book.get("i.vcf")
    assert account.events.filter(level=SyncEvent.Level.CONFLICT).count() == 1
    assert sync(account).writes == 0


def test_stale_etag_412_rereads_and_retries_once(agent: Any, book: Book, account: Any) -> None:
    from maklerwerk.contacts.services import contact_update

    contact = make_contact(agent, first_name="Jana", last_name="Vogel")
    services.sync_flags_set(account=account, contact_ids=[contact.pk], enabled=True)
    sync(account)
    sync(account)  # the stored token is now after Maklerwerk's own write: the server reports nothing
    DavItem.objects.filter(account=account).update(etag='"stale"')
    contact_update(contact=contact, acting_user=agent, data={"city": "Trier"})
    report = sync(account)
    assert report.counts == {"updated_there": 1} and report.writes == 2  # the 412, then the retry
    (name,) = book.listing()
    assert "Trier" in book.get(name)
    assert sync(account).writes == 0


def test_existing_card_with_our_uid_is_adopted_not_doubled(agent: Any, book: Book, account: Any) -> None:
    contact = make_contact(agent, first_name="Kurt", last_name="Weber")
    services.sync_flags_set(account=account, contact_ids=[contact.pk], enabled=True)
    uid = ContactUid.objects.create(office=agent.office, contact=contact).uid
    book.put("moved-by-phone.vcf", card(str(uid), "Kurt", "Weber"))
    report = sync(account)
    assert report.counts.get("matched") == 1 and "created_there" not in report.counts
    assert list(book.listing()) == ["moved-by-phone.vcf"] and Contact.objects.count() == 1


def test_card_with_500_emails_is_taken_in_completely(agent: Any, book: Book, account: Any) -> None:
    emails = "\n".join(f"EMAIL;TYPE=INTERNET:p{i}@example.org" for i in range(500))
    book.put("many.vcf", card("many-1", "Lars", "Viele", extra=emails))
    sync(account)
    contact = Contact.objects.get(last_name="Viele")
    assert contact.emails.count() == 500
    assert sync(account).writes == 0 and sync(account).counts == {}


def test_wrong_password_other_users_book_and_missing_book_are_clear_states(
    agent: Any, book: Book, account: Any, dav_server: dict[str, str]
) -> None:
    from maklerwerk.core.exceptions import ApplicationError
    from maklerwerk.davsync.models import DavAccount

    cases = [
        ({"password": "wrong"}, "abgelehnt (401)"),
        ({"url": dav_server["url"] + "other/contacts/"}, "(403)"),
        ({"url": book.url + "nope/"}, "(404)"),
    ]
    for change, text in cases:
        fresh = DavAccount.objects.get(pk=account.pk)
        services.dav_account_update(account=fresh, data={"url": book.url, "password": "secret", **change})
        with pytest.raises(ApplicationError, match=text.replace("(", r"\(").replace(")", r"\)")):
            services.dav_account_sync(account=fresh)
        fresh.refresh_from_db()
        assert fresh.state == "error" and text in fresh.state_message
    assert Contact.objects.count() == 0
