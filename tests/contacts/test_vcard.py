"""vCard parsing of real-world files (tests/fixtures/vcard), the import service and the CLI."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from maklerwerk.contacts import importing, vcard
from maklerwerk.contacts.models import Contact
from maklerwerk.contacts.selectors import contact_list, contact_list_page
from maklerwerk.core.history import history_for
from tests.contacts.conftest import FIXTURES, fixture_bytes, make_contact


def names(entries: list[vcard.Entry]) -> list[str]:
    return [e.display_name for e in entries]


def test_it_reads_several_cards_and_2_1_quoted_printable_with_charsets() -> None:
    entries = vcard.parse(fixture_bytes("ez-vcard__gmail-list.vcf"))
    assert names(entries) == ["Arnold Smith", "Chris Beatle", "Doug White"]
    german = vcard.parse(fixture_bytes("folkerkinzel-vcards__v2_1.vcf"))[0]
    assert german.data["title"] == "Dr." and german.data["last_name"] == "Mustermann"
    assert (german.data["street"], german.data["city"]) == ("Straße", "Ort")  # QP UTF-8, home address
    assert "ÄÄÄÄÄÄ ää" in german.data["remarks"]  # QP soft breaks that split UTF-8 sequences
    label = vcard.parse(fixture_bytes("folkerkinzel-vcards__LabelIssue.vcf"))[0]
    assert (
        label.data["street"] == "Business-Straße" and label.data["house_number"] == "19"
    )  # raw Windows-1252
    assert vcard.parse(fixture_bytes("roundcube__johndoe.vcf"))[0].data["last_name"] == "Doë"
    japanese = vcard.parse(fixture_bytes("android-vcard__v21_multiple_entry.vcf"))
    assert len(japanese) == 3 and japanese[0].data["last_name"].startswith("安藤")  # Shift_JIS


def test_it_reads_folded_grouped_and_commented_cards_with_photos() -> None:
    google = vcard.parse(fixture_bytes("folkerkinzel-vcards__v3.vcf"))
    assert len(google) == 2 and google[1].data["company_name"]  # ORG inside an itemN. group
    comment = vcard.parse(fixture_bytes("android-vcard__v21_invalid_comment_line.vcf"))[0]
    assert not comment.error and "# This line must be ignored" not in comment.data.get("remarks", "")
    apple = vcard.parse(fixture_bytes("roundcube__apple.vcf"))[0]
    assert (
        apple.data["company_name"] == "Apple Computer AG" and apple.photo and apple.photo[:2] == b"\xff\xd8"
    )
    assert vcard.parse(fixture_bytes("thunderbird__v4-uri-jpeg.vcf"))[0].photo  # 4.0 data: URI
    assert (vcard.parse(fixture_bytes("kcontacts__vcard12.vcf"))[0].photo or b"")[:4] == b"\x89PNG"
    nextcloud = vcard.parse(fixture_bytes("icaljs__escape_semicolon.vcf"))[0]
    assert nextcloud.data["country"] == "DE"


def test_a_broken_photo_costs_only_the_photo_not_the_contact() -> None:
    entries = vcard.parse(fixture_bytes("ez-vcard__John_Doe_ANDROID.vcf"))
    assert len(entries) == 6 and not any(e.error for e in entries)
    assert any("Foto übersprungen" in w for e in entries for w in e.warnings)


def test_every_fixture_file_parses_without_losing_cards() -> None:
    expected = {
        "thunderbird__export.vcf": 2,
        "radicale__broken-vcards.vcf": 2,
        "ez-vcard__John_Doe_MS_OUTLOOK.vcf": 1,
    }
    for path in sorted(FIXTURES.glob("*.vcf")):
        entries = vcard.parse(path.read_bytes())
        assert entries, path.name
        if path.name in expected:
            assert len(entries) == expected[path.name]


def test_it_refuses_files_that_are_not_vcards() -> None:
    with pytest.raises(vcard.NotAVCardError, match="Binärdaten"):
        vcard.parse(b"PK\x03\x04\x00\x00zip")
    with pytest.raises(vcard.NotAVCardError, match="BEGIN:VCARD"):
        vcard.parse(b"Name;Telefon\nMeier;0221\n")


@pytest.mark.django_db
def test_a_malformed_entry_is_reported_with_its_position_and_the_others_are_imported(
    office: Any, agent: Any
) -> None:
    raw = (
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Erste;Eva;;;\r\nEND:VCARD\r\n"
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nNOTE:nur eine Notiz\r\nEND:VCARD\r\n"
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Dritte;Dora;;;\r\nEMAIL:dora@example.de\r\n"
        b"TEL;TYPE=CELL:0171 1234567\r\nEND:VCARD\r\n"
    )
    summary = importing.vcard_import(office=office, acting_user=agent, entries=importing.read_upload(raw))
    assert summary.counts() == {"created": 2, "skipped": 0, "failed": 1}
    assert summary.failed[0]["position"] == 2 and "weder Namen" in summary.failed[0]["reason"]
    dora = Contact.objects.get(last_name="Dritte")
    assert dora.phones.get().value == "+491711234567" and dora.source == "import"
    assert history_for(dora).get().note == "Aus einer vCard-Datei importiert"


@pytest.mark.django_db
def test_probable_duplicates_are_skipped_and_reported(office: Any, agent: Any, fake_duplicates: Any) -> None:
    existing = make_contact(office, agent, last_name="Smith", first_name="Arnold")
    fake_duplicates(existing, "certain")
    summary = importing.vcard_import(
        office=office, acting_user=agent, entries=vcard.parse(fixture_bytes("ez-vcard__gmail-list.vcf"))
    )
    # The fake reports `existing` for every entry, as a real engine would for identical data.
    assert summary.counts()["skipped"] == 3 and summary.skipped[0]["duplicate_of"] == existing.pk
    assert Contact.objects.count() == 1


@pytest.mark.django_db
def test_the_cli_imports_with_a_summary_and_supports_dry_run(office: Any, agent: Any) -> None:
    path = FIXTURES / "ez-vcard__John_Doe_ANDROID.vcf"
    out = StringIO()
    call_command("import_vcard", str(path), "--dry-run", stdout=out, stderr=StringIO())
    assert "6 would be created, 0 skipped as probable duplicate, 0 failed" in out.getvalue()
    assert not Contact.objects.exists()
    out = StringIO()
    call_command("import_vcard", str(path), "--user", "makler", stdout=out, stderr=StringIO())
    assert "6 created" in out.getvalue() and Contact.objects.count() == 6
    assert Contact.objects.filter(created_by=agent).count() == 6
    with pytest.raises(CommandError, match="keine vCard"):
        call_command("import_vcard", str(FIXTURES / "NOTICE"), stdout=StringIO(), stderr=StringIO())


@pytest.mark.django_db
def test_export_round_trips_through_vobject(contact: Any) -> None:
    import vobject

    contact.street, contact.house_number, contact.postal_code = "Zeil", "1", "60313"
    contact.remarks = "Mag Altbau; sucht 3 Zimmer, Balkon"
    contact.save()
    for version in ("4.0", "3.0"):
        text = vcard.export(
            contact_list_page(contact_list(user=contact.created_by, ids=[contact.pk])), version
        )
        card = vobject.readOne(text)
        assert card.n.value.family == "Müller" and card.fn.value == "Dr. Anna Müller"
        assert card.note.value == "Mag Altbau; sucht 3 Zimmer, Balkon"
        again = vcard.parse(text.encode())[0]
        assert again.data["phones"] == [{"value": "+491712345678", "kind": "mobile"}]
        assert (again.data["street"], again.data["house_number"], again.data["city"]) == (
            "Zeil",
            "1",
            "Frankfurt am Main",
        )
