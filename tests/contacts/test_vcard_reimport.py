"""Importing the same vCards again: nothing twice (import records), changes and review; UTF-16 files."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from maklerwerk.contacts import importing, services, vcard
from maklerwerk.contacts.models import Contact
from maklerwerk.core.history import history_for
from maklerwerk.duplicates.models import DuplicatePair
from maklerwerk.imports.models import ImportRecord
from tests.contacts.conftest import FIXTURES, make_contact

CARD = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Müller-Lüdenscheidt;Zoë;;;\r\nFN:Zoë Müller-Lüdenscheidt\r\n"
    "ADR;TYPE=HOME:;;Hauptstraße 5;Köln;;50667;Deutschland\r\nEND:VCARD\r\n"
)


def run(office: Any, user: Any, raw: bytes, dry_run: bool = False) -> importing.ImportSummary:
    return importing.vcard_import(
        office=office, acting_user=user, entries=importing.read_upload(raw), dry_run=dry_run
    )


@pytest.mark.django_db
def test_a_second_import_of_the_reference_files_creates_nothing(office: Any, agent: Any) -> None:
    files = sorted(FIXTURES.glob("*.vcf"))
    assert len(files) == 29  # every vCard file of the shared reference set
    first = {p.name: run(office, agent, p.read_bytes()) for p in files}
    created = Contact.objects.count()
    assert created > 40
    for path in files:
        again = run(office, agent, path.read_bytes())
        before = first[path.name]
        assert again.created == [] and again.review == [] and again.updated == [], path.name
        # every card the first import created or skipped is recognised as imported before
        recognised = before.created + before.review + before.skipped + before.unchanged
        assert len(again.unchanged) == len(recognised), path.name
        assert len(again.failed) == len(before.failed)
    assert Contact.objects.count() == created


@pytest.mark.django_db
def test_cards_with_only_a_name_are_not_imported_twice(office: Any, agent: Any) -> None:
    # Name-only cards are at most "possible" duplicates of each other, which the import used to let in.
    raw = "".join(
        f"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Nachname{i};Vorname{i};;;\r\nEND:VCARD\r\n" for i in range(30)
    ).encode()
    first = run(office, agent, raw)
    assert (
        first.count("created") + first.count("review") == 30
    )  # "Nachname1" and "Nachname11" may be one person
    dry = run(office, agent, raw, dry_run=True)
    assert dry.count("unchanged") == 30 and dry.count("created") == 0
    again = run(office, agent, raw)
    assert again.count("created") == 0 and again.count("unchanged") == 30
    assert Contact.objects.count() == 30


@pytest.mark.django_db
def test_the_same_cards_in_another_encoding_and_line_ends_are_recognised(office: Any, agent: Any) -> None:
    run(office, agent, CARD.encode("utf-8"))
    again = run(office, agent, CARD.replace("\r\n", "\n").encode("utf-16"))
    assert again.count("unchanged") == 1 and Contact.objects.count() == 1


@pytest.mark.django_db
def test_a_card_changed_in_the_file_updates_its_contact(office: Any, agent: Any) -> None:
    card = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:abc-1\r\nN:Berg;Jana;;;\r\nTEL:0221 123456\r\n{extra}END:VCARD\r\n"
    )
    run(office, agent, card.format(extra="").encode())
    contact = Contact.objects.get()
    summary = run(office, agent, card.format(extra="EMAIL:jana.berg@example.de\r\n").encode())
    assert summary.count("updated") == 1 and summary.count("created") == 0
    assert Contact.objects.get().pk == contact.pk
    assert [e.value for e in contact.emails.all()] == ["jana.berg@example.de"]
    latest = history_for(contact).first()
    assert latest is not None and latest.note == "Aus einer vCard-Datei aktualisiert"
    again = run(office, agent, card.format(extra="EMAIL:jana.berg@example.de\r\n").encode())
    assert again.count("unchanged") == 1


@pytest.mark.django_db
def test_a_card_changed_in_the_file_does_not_overwrite_edits_made_since(office: Any, agent: Any) -> None:
    card = "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:abc-2\r\nN:Berg;Jana;;;\r\nNOTE:{note}\r\nEND:VCARD\r\n"
    run(office, agent, card.format(note="aus dem Adressbuch").encode())
    contact = Contact.objects.get()
    services.contact_update(contact=contact, acting_user=agent, data={"remarks": "im CRM geändert"})
    summary = run(office, agent, card.format(note="im Adressbuch geändert").encode())
    assert summary.count("conflicts") == 1 and summary.count("updated") == 0
    assert "nicht überschrieben" in summary.conflicts[0]["reason"]
    contact.refresh_from_db()
    assert contact.remarks == "im CRM geändert"


@pytest.mark.django_db
def test_new_cards_that_are_possible_duplicates_go_to_review(office: Any, agent: Any, client: Any) -> None:
    existing = make_contact(office, agent, first_name="Jana", last_name="Berg", city="Köln")
    raw = b"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Berg;Jana;;;\r\nEND:VCARD\r\n"
    summary = run(office, agent, raw)
    assert summary.count("created") == 0 and summary.count("review") == 1
    assert summary.review[0]["duplicate_of"] == existing.pk
    new = Contact.objects.exclude(pk=existing.pk).get()
    pair = DuplicatePair.objects.get()
    assert {pair.contact_a_id, pair.contact_b_id} == {existing.pk, new.pk}
    assert ImportRecord.objects.get().status == "review"
    client.force_login(agent)
    page = client.get("/duplicates/").content.decode()
    assert "als neuer Kontakt importiert" in page and "Jana Berg" in page
    # A search over the office keeps the pair listed until a user decides.
    from maklerwerk.duplicates import finder

    finder.pairs_store(office.pk, [])
    assert DuplicatePair.objects.count() == 1
    assert run(office, agent, raw).count("unchanged") == 1


@pytest.mark.django_db
def test_the_cli_reports_a_reimport_as_unchanged(office: Any, agent: Any) -> None:
    path = FIXTURES / "ez-vcard__John_Doe_ANDROID.vcf"
    call_command("import_vcard", str(path), stdout=StringIO(), stderr=StringIO())
    out = StringIO()
    call_command("import_vcard", str(path), stdout=out, stderr=StringIO())
    assert (
        "0 created, 0 skipped as probable duplicate, 0 failed, 6 unchanged (imported before)"
        in out.getvalue()
    )
    assert Contact.objects.count() == 6


@pytest.mark.parametrize(
    "encoding", ["utf-16-be", "utf-16-le", "utf-16"], ids=["BE without BOM", "LE without BOM", "with BOM"]
)
def test_utf16_files_with_and_without_byte_order_mark_are_read(encoding: str) -> None:
    [entry] = vcard.parse(CARD.encode(encoding))  # "utf-16" writes a byte-order mark
    assert not entry.error
    assert (entry.data["first_name"], entry.data["last_name"]) == ("Zoë", "Müller-Lüdenscheidt")
    assert (entry.data["street"], entry.data["city"]) == ("Hauptstraße", "Köln")


def test_big_endian_with_byte_order_mark_is_read() -> None:
    [entry] = vcard.parse(b"\xfe\xff" + CARD.encode("utf-16-be"))
    assert entry.data["last_name"] == "Müller-Lüdenscheidt"


@pytest.mark.django_db
def test_a_utf16_big_endian_file_without_bom_imports_with_its_accents(office: Any, agent: Any) -> None:
    summary = run(office, agent, CARD.encode("utf-16-be"))
    assert summary.count("created") == 1
    contact = Contact.objects.get()
    assert (contact.first_name, contact.last_name, contact.city) == ("Zoë", "Müller-Lüdenscheidt", "Köln")


@pytest.mark.django_db
def test_the_same_card_twice_in_one_file_is_created_once(office: Any, agent: Any) -> None:
    raw = (CARD + CARD).encode()
    summary = run(office, agent, raw)
    assert summary.count("created") == 1 and summary.count("unchanged") == 1
    assert Contact.objects.count() == 1 and ImportRecord.objects.get().status == "created"


@pytest.mark.django_db
def test_the_import_page_shows_a_file_imported_before(
    agent_client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    raw = (FIXTURES / "ez-vcard__John_Doe_ANDROID.vcf").read_bytes()

    def follow(data: dict[str, Any]) -> str:
        # The preview and the import run as jobs; the page they redirect to shows the result.
        with django_capture_on_commit_callbacks(execute=True):
            response = agent_client.post("/contacts/import/", data)
        return agent_client.get(response["Location"]).content.decode()

    def upload() -> tuple[str, str]:
        page = follow({"file": SimpleUploadedFile("a.vcf", raw)})
        token = page.split('name="token" value="')[1].split('"')[0]
        return page, follow({"token": token, "filename": "a.vcf"})

    upload()
    preview, summary = upload()
    assert preview.count("schon importiert, unverändert") == 6 and "6 schon importiert" in preview
    assert "0 angelegt" in summary and "6 schon importiert, unverändert" in summary


@pytest.mark.django_db
def test_a_card_whose_contact_was_merged_away_is_not_imported_again(office: Any, agent: Any) -> None:
    from maklerwerk.contacts.services import contact_create
    from maklerwerk.duplicates.merge import contacts_merge

    run(office, agent, CARD.encode())
    imported = Contact.objects.get()
    good = contact_create(
        office=office,
        acting_user=agent,
        data={
            "first_name": "Zoë",
            "last_name": "Müller-Lüdenscheidt",
            "street": "Ringstraße",
            "house_number": "1",
            "postal_code": "50667",
            "city": "Köln",
        },
    )
    # She moved: the agent keeps the record with the new address and merges the imported one into it.
    keep = {name: "a" for name in ("street", "house_number", "postal_code", "city")}
    contacts_merge(office=office, survivor_id=good.pk, other_id=imported.pk, acting_user=agent, choices=keep)
    again = run(office, agent, CARD.encode())
    assert again.created == [] and again.review == []
    assert list(Contact.objects.values_list("pk", flat=True)) == [good.pk]
    assert ImportRecord.objects.get().target_id == good.pk
