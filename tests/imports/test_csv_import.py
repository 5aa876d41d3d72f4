"""CSV import of contacts from an old system: mapping, dry run, commit, re-run, undo."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from maklerwerk.contacts.models import Contact
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.imports import services
from maklerwerk.imports.models import ImportMapping, ImportRecord, ImportRun
from tests.contacts.conftest import make_contact

pytestmark = pytest.mark.django_db

FLOWFACT_CSV = (
    "Kontakt-Nr.;Anrede;Vorname;Nachname;E-Mail;Telefon;Geburtsdatum;PLZ;Ort;Notiz\r\n"
    "K-1;Herr;Jürgen;Groß;juergen@example.de;030 1234567;31.12.1970;10115;Berlin;Rückruf erwünscht\r\n"
    "K-2;Frau;Anna;Weiß;anna@example.de;;01.02.1985;80331;München;\r\n"
    "K-3;Frau;Eva;Öztürk;eva@example.de;;31.02.1990;50667;Köln;Stammkundin\r\n"
).encode("cp1252")


def _run(
    office: Any, agent: Any, raw: bytes = FLOWFACT_CSV, columns: dict[str, str] | None = None
) -> ImportRun:
    run = services.run_upload(
        office=office, acting_user=agent, raw=raw, filename="kontakte.csv", source_system="flowfact"
    )
    from maklerwerk.imports import mapping
    from maklerwerk.imports.csvfile import read_table

    headers = read_table(raw).headers
    chosen = columns if columns is not None else mapping.suggest(headers, "flowfact")
    return services.run_columns_set(run=run, acting_user=agent, columns=chosen)


def _walk(run: ImportRun, agent: Any, dry_run: bool) -> dict[str, Any]:
    from maklerwerk.imports.csvimport import run_rows

    report = run_rows(run=run, acting_user=agent, dry_run=dry_run).as_dict()
    services.run_report_save(run=run, report=report)
    return report


def test_the_flowfact_preset_maps_the_export_and_sniffs_cp1252_and_semicolons(
    office: Any, agent: Any
) -> None:
    run = _run(office, agent)
    assert (run.encoding, run.delimiter) == ("cp1252", ";")
    assert run.columns["Kontakt-Nr."] == "source_id"
    assert run.columns["Nachname"] == "last_name"
    assert run.columns["Notiz"] == "remarks"  # by synonym: not in the preset


def test_dry_run_writes_nothing_and_reports_each_bad_value_by_row_and_column(office: Any, agent: Any) -> None:
    run = _run(office, agent)
    report = _walk(run, agent, dry_run=True)
    assert Contact.objects.filter(office=office).count() == 0
    assert ImportRecord.objects.count() == 0
    assert report["counts"]["created"] == 2
    assert report["counts"]["failed"] == 1
    bad = next(r for r in report["rows"] if r["status"] == "failed")
    assert bad["line"] == 4
    assert bad["errors"] == [{"column": "Geburtsdatum", "message": "„31.02.1990“ ist kein gültiges Datum."}]


def test_commit_then_the_same_file_again_changes_nothing(office: Any, agent: Any) -> None:
    first = _run(office, agent)
    _walk(first, agent, dry_run=True)
    report = _walk(first, agent, dry_run=False)
    assert report["counts"]["created"] == 2
    groß = Contact.objects.get(office=office, last_name="Groß")
    assert groß.first_name == "Jürgen" and str(groß.birth_date) == "1970-12-31"
    assert groß.emails.get().value == "juergen@example.de"
    assert first.state == ImportRun.State.COMMITTED

    again = _run(office, agent)
    stamp = Contact.objects.get(pk=groß.pk).updated_at
    report = _walk(again, agent, dry_run=False)
    assert report["counts"]["created"] == 0
    assert report["counts"]["unchanged"] == 2
    assert Contact.objects.filter(office=office).count() == 2
    assert Contact.objects.get(pk=groß.pk).updated_at == stamp


def test_a_changed_row_updates_exactly_that_contact_and_user_edits_are_kept(office: Any, agent: Any) -> None:
    _walk(_run(office, agent), agent, dry_run=False)
    weiss = Contact.objects.get(last_name="Weiß")
    Contact.objects.filter(pk=weiss.pk).update(
        remarks="vom Makler geändert", updated_at=weiss.updated_at.replace(year=2030)
    )
    changed = FLOWFACT_CSV.replace(b"10115;Berlin", b"10117;Berlin").replace(
        "80331;München".encode("cp1252"), "80333;München".encode("cp1252")
    )
    report = _walk(_run(office, agent, raw=changed), agent, dry_run=False)
    assert report["counts"]["updated"] == 1
    assert report["counts"]["conflict"] == 1
    assert Contact.objects.get(last_name="Groß").postal_code == "10117"
    assert Contact.objects.get(pk=weiss.pk).postal_code == "80331"  # edited in Maklerwerk: not overwritten


def test_a_probable_duplicate_of_an_existing_contact_is_flagged_not_created(office: Any, agent: Any) -> None:
    existing = make_contact(
        office, agent, first_name="Anna", last_name="Weiß", emails=[{"value": "anna@example.de"}]
    )
    report = _walk(_run(office, agent), agent, dry_run=True)
    row = next(r for r in report["rows"] if r["name"] == "Anna Weiß")
    assert row["status"] in {"duplicate", "review"}
    assert row["duplicate_of"] == existing.pk


def test_undo_removes_what_the_run_created_but_keeps_what_was_edited_since(office: Any, agent: Any) -> None:
    other = make_contact(office, agent, last_name="Bleibt")
    run = _run(office, agent)
    _walk(run, agent, dry_run=False)
    groß = Contact.objects.get(last_name="Groß")
    Contact.objects.filter(pk=groß.pk).update(updated_at=groß.updated_at.replace(year=2030))
    done = services.run_undo(run=run, acting_user=agent)
    assert done == {"removed": 1, "kept": 1, "reverted": 0}
    assert set(Contact.objects.values_list("last_name", flat=True)) == {"Bleibt", "Groß"}
    assert Contact.objects.filter(pk=other.pk).exists()
    assert ImportRun.objects.get(pk=run.pk).state == ImportRun.State.UNDONE


def test_rows_without_an_id_get_a_derived_key_and_the_report_says_so(office: Any, agent: Any) -> None:
    raw = "Vorname,Nachname,E-Mail\nAnna,Weiß,anna@example.de\nBen,Kurz,ben@example.de\n".encode()
    run = _run(office, agent, raw=raw)
    assert run.delimiter == ","
    report = _walk(run, agent, dry_run=False)
    assert report["derived_keys"] == 2
    again = _walk(_run(office, agent, raw=raw), agent, dry_run=False)
    assert again["counts"]["unchanged"] == 2


def test_the_mapping_is_saved_under_a_name_and_a_bad_mapping_is_refused(office: Any, agent: Any) -> None:
    run = services.run_upload(
        office=office, acting_user=agent, raw=FLOWFACT_CSV, filename="k.csv", source_system="flowfact"
    )
    with pytest.raises(ApplicationError, match="„Nachname“ ist für mehr als eine Spalte gewählt"):
        services.run_columns_set(
            run=run, acting_user=agent, columns={"Vorname": "last_name", "Nachname": "last_name"}
        )
    services.run_columns_set(
        run=run, acting_user=agent, columns={"Nachname": "last_name"}, save_as="FLOWFACT Kontakte"
    )
    assert ImportMapping.objects.get(office=office, name="FLOWFACT Kontakte").columns == {
        "Nachname": "last_name"
    }


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "Die Datei ist leer."),
        (b"\x00\x01PK\x03\x04binary", "keine CSV-Datei"),
        (b'Name;Vorname\n"Kaputt;Anna\n', "Anführungszeichen"),
        (b"Nurname\nA\n", "nur eine Spalte"),
    ],
)
def test_unreadable_files_are_refused_with_a_german_reason(
    office: Any, agent: Any, raw: bytes, message: str
) -> None:
    with pytest.raises(ApplicationError, match=message):
        services.run_upload(
            office=office, acting_user=agent, raw=raw, filename="x.csv", source_system="other"
        )
    assert ImportRun.objects.count() == 0


def test_another_office_cannot_see_or_undo_a_run(office: Any, agent: Any, outsider: Any) -> None:
    run = _run(office, agent)
    client = Client()
    client.force_login(outsider)
    assert client.get(f"/imports/{run.pk}/").status_code == 404
    assert client.post(f"/imports/{run.pk}/undo/").status_code == 404


TWICE_CSV = (
    "Kontakt-Nr.;Vorname;Nachname;E-Mail;PLZ;Ort\r\n"
    "K-1;Jürgen;Groß;juergen@example.de;10115;Berlin\r\n"
    "K-2;Anna;Weiß;anna@example.de;80331;München\r\n"
    "K-3;Eva;Öztürk;eva@example.de;50667;Köln\r\n"
    "K-9;Jürgen;Gross;JUERGEN@example.de;10115;Berlin\r\n"
).encode("cp1252")


@pytest.mark.parametrize("batch", [10_000, 2])
def test_the_same_person_twice_in_the_file_is_created_once(
    office: Any, agent: Any, batch: int, monkeypatch: Any, agent_client: Client
) -> None:
    """Within a batch the check compares the rows with each other; a later batch of the commit meets
    the earlier ones in the office. Either way the second Jürgen is the first one's duplicate."""
    from maklerwerk.core.history import history_for
    from maklerwerk.imports import csvimport

    monkeypatch.setattr(csvimport, "BATCH", batch)
    run = _run(office, agent, raw=TWICE_CSV)
    dry = _walk(run, agent, dry_run=True)
    if batch > 4:  # one batch: the dry run sees it too (a row further up: no contact to link yet)
        assert dry["counts"]["duplicate"] == 1
        page = agent_client.get(f"/imports/{run.pk}/")
        assert page.status_code == 200 and "Jürgen Groß" in page.content.decode()
        lines = agent_client.get(f"/imports/{run.pk}/report.csv").content.decode().splitlines()
        assert lines[1].startswith("5;Jürgen Gross;") and lines[1].endswith(";Jürgen Groß")
    report = _walk(run, agent, dry_run=False)
    assert (report["counts"]["created"], report["counts"]["duplicate"]) == (3, 1)
    first = Contact.objects.get(office=office, last_name="Groß")
    assert next(r for r in report["rows"] if r["line"] == 5)["duplicate_of"] == first.pk
    record = ImportRecord.objects.get(source_key="id:K-9")
    assert (record.status, record.target_id) == (ImportRecord.Status.DUPLICATE, first.pk)
    assert history_for(first).get().note == "Importiert aus kontakte.csv"
    assert _walk(_run(office, agent, raw=TWICE_CSV), agent, dry_run=False)["counts"]["unchanged"] == 4


def test_the_report_downloads_as_csv_in_german_without_formulas(
    office: Any, agent: Any, agent_client: Client, outsider: Any
) -> None:
    raw = FLOWFACT_CSV + "K-4;Herr;=HYPERLINK(1);Böse;x;;01.01.1980;10115;Berlin;\r\n".encode("cp1252")
    run = _run(office, agent, raw=raw)
    _walk(run, agent, dry_run=True)
    page = agent_client.get(f"/imports/{run.pk}/").content.decode()
    assert f"/imports/{run.pk}/report.csv" in page
    response = agent_client.get(f"/imports/{run.pk}/report.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    lines = text.lstrip("\ufeff").splitlines()
    assert lines[0] == "Zeile;Name;Ergebnis;Spalte;Fehler oder Grund;Dublette von"
    assert "4;Eva Öztürk;Fehler;Geburtsdatum;„31.02.1990“ ist kein gültiges Datum.;" in lines
    böse = next(line for line in lines if line.startswith("5;"))
    assert böse.startswith("5;'=HYPERLINK(1) Böse;Fehler;")  # a formula becomes text
    assert ";E-Mail;" in böse
    client = Client()
    client.force_login(outsider)
    assert client.get(f"/imports/{run.pk}/report.csv").status_code == 404
