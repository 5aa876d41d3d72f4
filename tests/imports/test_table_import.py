"""CSV import of properties, search profiles and activities: value maps, references to the contacts
of the same import by the old system's ids, dry run, commit, re-run, updates and their undo."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from maklerwerk.contacts.models import Contact
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.core.models import Activity
from maklerwerk.imports import mapping, services
from maklerwerk.imports.csvfile import read_table
from maklerwerk.imports.models import ImportChange, ImportMapping, ImportRun
from maklerwerk.imports.tasks import walk_for
from maklerwerk.matching.models import SearchProfile
from maklerwerk.properties.models import Property, PropertyContact

pytestmark = pytest.mark.django_db

CONTACTS = (
    "Kontakt-Nr.;Vorname;Nachname;E-Mail\r\n"
    "K-1;Jürgen;Groß;juergen@example.de\r\n"
    "K-2;Anna;Weiß;anna@example.de\r\n"
).encode("cp1252")

PROPERTIES = (
    "Objekt-Nr.;Kennung;Überschrift;Objektart;Vermarktungsart;Status;Kaufpreis;Wohnfläche;Zimmer;PLZ;Ort;"
    "Eigentümer-Nr.;Betreuer\r\n"
    "O-1;FF-100;Schöne ETW am Park;ETW;Verkauf;aktiv;349.000,00;78,5;3;50667;Köln;K-1;Max Makler\r\n"
    "O-2;FF-101;Reihenhaus mit Garten;RH;Kauf;verkauft;1.234,00;120;5;50668;Köln;;\r\n"
    "O-3;FF-102;Seltsam;Burg;Kauf;aktiv;1,0;;;;;;\r\n"
).encode("cp1252")

PROFILES = (
    "Suchprofil-Nr.;Kontakt-Nr.;Bezeichnung;Vermarktungsart;Objektart;Preis bis;PLZ;Aktiv\r\n"
    "S-1;K-2;Wohnung Köln;Kauf;ETW, Haus;400.000;50667, 50668;ja\r\n"
    "S-2;K-9;Unbekannt;Kauf;ETW;;;ja\r\n"
).encode("cp1252")

ACTIVITIES = (
    "Aktivitäts-Nr.;Kontakt-Nr.;Objekt-Nr.;Aktivitätsart;Datum;Betreff;Text;Bearbeiter\r\n"
    "A-1;K-1;O-1;Telefonat;03.04.2019 14:30;Rückruf;Möchte besichtigen;makler\r\n"
    "A-2;K-2;;Besichtigung;05.04.2019;;Termin vor Ort;Niemand Bekannt\r\n"
    "A-3;K-2;;Fax;05.04.2019;;;\r\n"
).encode("cp1252")


def upload(office: Any, agent: Any, raw: bytes, kind: str, values: dict[str, Any] | None = None) -> ImportRun:
    run = services.run_upload(
        office=office, acting_user=agent, raw=raw, filename=f"{kind}.csv", source_system="flowfact", kind=kind
    )
    columns = mapping.suggest(read_table(raw).headers, "flowfact", kind=kind)
    return services.run_columns_set(run=run, acting_user=agent, columns=columns, values=values)


def walk(run: ImportRun, agent: Any, dry_run: bool = False) -> dict[str, Any]:
    report = walk_for(run)(run=run, acting_user=agent, dry_run=dry_run).as_dict()
    services.run_report_save(run=run, report=report)
    return report


@pytest.fixture
def contacts(office: Any, agent: Any) -> ImportRun:
    run = upload(office, agent, CONTACTS, "contacts")
    walk(run, agent)
    return run


def test_value_maps_suggest_our_values_for_the_old_systems_words() -> None:
    kind = mapping.targets_for("properties")["object_kind"]
    assert mapping.value_suggest(kind, "ETW") == "wohnung/ETAGE"
    assert mapping.value_suggest(kind, "APARTMENT") == "wohnung"  # Propstack
    assert mapping.value_suggest(kind, "Einfamilienhaus") == "haus/EINFAMILIENHAUS"
    assert mapping.value_suggest(kind, "Burg") == ""
    assert mapping.value_suggest(kind, "Burg", {"Burg": "haus/SCHLOSS"}) == "haus/SCHLOSS"
    status = mapping.targets_for("properties")["status"]
    assert mapping.value_suggest(status, "Verkauft") == "closed"


def test_properties_are_imported_with_mapped_values_owner_and_agent(
    office: Any, agent: Any, contacts: ImportRun
) -> None:
    run = upload(office, agent, PROPERTIES, "properties")
    assert run.source_format == "csv"
    dry = walk(run, agent, dry_run=True)
    assert Property.objects.count() == 0
    assert (dry["counts"]["created"], dry["counts"]["failed"]) == (2, 1)
    bad = next(r for r in dry["rows"] if r["status"] == "failed")
    assert bad["errors"] == [
        {
            "column": "Objektart",
            "message": "„Burg“ ist kein bekannter Wert für „Objektart“; bitte in der Werte-Zuordnung wählen.",
        }
    ]
    report = walk(run, agent)
    assert report["counts"]["created"] == 2
    etw = Property.objects.get(office=office, external_id="FF-100")
    assert (etw.object_kind, etw.object_subtype, etw.marketing_type) == ("wohnung", "ETAGE", "kauf")
    assert etw.status == "active" and etw.purchase_price == Decimal("349000.00")
    assert etw.living_area == Decimal("78.5") and etw.responsible_agent == agent
    owner = PropertyContact.objects.get(property=etw, role="owner").contact
    assert owner.last_name == "Groß"
    rh = Property.objects.get(external_id="FF-101")
    assert (rh.object_subtype, rh.status) == ("REIHENHAUS", "closed")


def test_a_value_map_chosen_for_the_run_is_saved_with_the_mapping_and_used_again(
    office: Any, agent: Any, contacts: ImportRun
) -> None:
    run = services.run_upload(
        office=office, acting_user=agent, raw=PROPERTIES, filename="o.csv", source_system="flowfact",
        kind="properties",
    )  # fmt: skip
    columns = mapping.suggest(read_table(PROPERTIES).headers, "flowfact", kind="properties")
    services.run_columns_set(
        run=run, acting_user=agent, columns=columns, save_as="FLOWFACT Objekte",
        values={"object_kind": {"Burg": "haus/SCHLOSS", "Ufo": "nonsense"}},
    )  # fmt: skip
    saved = ImportMapping.objects.get(office=office, kind="properties", name="FLOWFACT Objekte")
    assert saved.values == {"object_kind": {"Burg": "haus/SCHLOSS"}}  # unknown values dropped
    report = walk(run, agent)
    assert report["counts"]["created"] == 3
    assert Property.objects.get(external_id="FF-102").object_subtype == "SCHLOSS"


def test_search_profiles_belong_to_the_imported_contact_or_are_an_error(
    office: Any, agent: Any, contacts: ImportRun
) -> None:
    report = walk(upload(office, agent, PROFILES, "search_profiles"), agent)
    assert (report["counts"]["created"], report["counts"]["failed"]) == (1, 1)
    profile = SearchProfile.objects.get()
    assert profile.contact == Contact.objects.get(last_name="Weiß")
    assert sorted(profile.object_kinds) == ["haus", "wohnung"]
    assert profile.postal_codes == ["50667", "50668"] and profile.price_max == Decimal("400000")
    failed = next(r for r in report["rows"] if r["status"] == "failed")
    assert "K-9" in failed["errors"][0]["message"] and "zuerst die Kontakte" in failed["errors"][0]["message"]


def test_activities_keep_date_author_and_type_and_a_rerun_changes_nothing(
    office: Any, agent: Any, contacts: ImportRun
) -> None:
    walk(upload(office, agent, PROPERTIES, "properties"), agent)
    run = upload(office, agent, ACTIVITIES, "activities")
    report = walk(run, agent)
    assert (report["counts"]["created"], report["counts"]["failed"]) == (2, 1)
    call = Activity.objects.get(subject="Rückruf")
    assert call.type == "call" and call.user == agent
    assert call.property == Property.objects.get(external_id="FF-100")
    local = call.occurred_at.astimezone()
    assert (local.year, local.month, local.day) == (2019, 4, 3)
    viewing = Activity.objects.get(type="viewing")
    assert viewing.contact is not None and viewing.contact.last_name == "Weiß"
    warned = next(r for r in report["rows"] if r["line"] == 3)
    assert warned["warnings"] == ["Kein Benutzer „Niemand Bekannt“ im Büro; leer gelassen."]
    again = walk(upload(office, agent, ACTIVITIES, "activities"), agent)
    assert (again["counts"]["unchanged"], again["counts"]["created"]) == (2, 0)
    assert Activity.objects.filter(office=office, type__in=["call", "viewing"]).count() == 2


def test_undo_puts_back_what_a_later_import_updated_and_removes_what_it_created(
    office: Any, agent: Any, contacts: ImportRun
) -> None:
    walk(upload(office, agent, PROPERTIES, "properties"), agent)
    changed = PROPERTIES.replace(b"349.000,00", b"329.000,00").replace(b"FF-101;Reihenhaus", b"FF-101;Haus")
    later = upload(office, agent, changed + b"O-4;FF-103;Neu;ETW;Kauf;aktiv;1;;;;;;\r\n", "properties")
    report = walk(later, agent)
    assert (report["counts"]["updated"], report["counts"]["created"], report["counts"]["failed"]) == (2, 1, 1)
    assert Property.objects.get(external_id="FF-100").purchase_price == Decimal("329000.00")
    assert ImportChange.objects.filter(run=later).count() == 2
    # someone edits FF-101 after the import: it keeps its values
    rh = Property.objects.get(external_id="FF-101")
    Property.objects.filter(pk=rh.pk).update(updated_at=rh.updated_at.replace(year=2030))
    done = services.run_undo(run=later, acting_user=agent)
    assert done == {"removed": 1, "kept": 1, "reverted": 1}
    assert Property.objects.get(external_id="FF-100").purchase_price == Decimal("349000.00")
    assert Property.objects.get(external_id="FF-101").title == "Haus mit Garten"  # edited since: kept
    assert not Property.objects.filter(external_id="FF-103").exists()
    # the undone update is pending again: the newer file would update once more
    rerun = walk(upload(office, agent, changed, "properties"), agent, dry_run=True)
    assert rerun["counts"]["updated"] == 1


def test_undo_puts_back_a_contact_updated_by_a_later_import(
    office: Any, agent: Any, contacts: ImportRun
) -> None:
    changed = CONTACTS.replace(b"juergen@example.de", b"j.gross@example.de").replace(b"Anna", b"Annette")
    later = upload(office, agent, changed, "contacts")
    assert walk(later, agent)["counts"]["updated"] == 2
    groß = Contact.objects.get(last_name="Groß")
    assert [e.value for e in groß.emails.all()] == ["j.gross@example.de"]
    assert services.run_undo(run=later, acting_user=agent)["reverted"] == 2
    assert [e.value for e in groß.emails.all()] == ["juergen@example.de"]
    assert Contact.objects.get(last_name="Weiß").first_name == "Anna"


def test_a_mapping_without_the_contact_column_is_refused(office: Any, agent: Any) -> None:
    run = services.run_upload(
        office=office, acting_user=agent, raw=PROFILES, filename="s.csv", source_system="flowfact",
        kind="search_profiles",
    )  # fmt: skip
    with pytest.raises(ApplicationError, match="Spalte mit der ID des Kontakts"):
        services.run_columns_set(run=run, acting_user=agent, columns={"Bezeichnung": "name"})


def test_the_wizard_maps_columns_then_values_and_runs_the_dry_run(
    office: Any, agent: Any, contacts: ImportRun, agent_client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload_file = SimpleUploadedFile("objekte.csv", PROPERTIES, content_type="text/csv")
    response = agent_client.post(
        "/imports/", {"file": upload_file, "kind": "properties", "source_system": "flowfact"}
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    run = ImportRun.objects.filter(kind="properties").get()
    assert response.status_code == 302 and response["Location"] == f"/imports/{run.pk}/mapping/"
    page = agent_client.get(f"/imports/{run.pk}/mapping/").content.decode()
    assert "Immobilien" in page and 'value="object_kind" selected' in page
    headers = read_table(PROPERTIES).headers
    chosen = mapping.suggest(headers, "flowfact", kind="properties")
    post = {f"col_{i}": chosen.get(h, "") for i, h in enumerate(headers)} | {"save_as": "FF Objekte"}
    response = agent_client.post(f"/imports/{run.pk}/mapping/", post)
    assert response.status_code == 302 and response["Location"] == f"/imports/{run.pk}/values/"
    page = agent_client.get(f"/imports/{run.pk}/values/").content.decode()
    assert "Werte zuordnen" in page and "ETW" in page and "Burg" in page
    assert '<option value="wohnung/ETAGE" selected>' in page  # the FLOWFACT word, suggested
    values = {"src_object_kind_2": "Burg", "val_object_kind_2": "haus/SCHLOSS"}
    form = {k: v for k, v in _form_fields(page).items()} | values
    with django_capture_on_commit_callbacks(execute=True):
        response = agent_client.post(f"/imports/{run.pk}/values/", form)
    assert response.status_code == 302 and "?job=" in response["Location"]
    run.refresh_from_db()
    assert run.state == "checked" and run.report["counts"]["created"] == 3
    assert Property.objects.count() == 0  # a dry run
    assert ImportMapping.objects.get(name="FF Objekte").values["object_kind"]["Burg"] == "haus/SCHLOSS"
    report = agent_client.get(response["Location"]).content.decode()
    assert "Probelauf" in report


def _form_fields(page: str) -> dict[str, str]:
    """The hidden inputs and selected options of the values form."""
    import re

    fields = dict(re.findall(r'<input type="hidden" name="(src_[^"]+)" value="([^"]*)"', page))
    for name, body in re.findall(r'<select[^>]*name="(val_[^"]+)"[^>]*>(.*?)</select>', page, re.S):
        found = re.search(r'<option value="([^"]*)" selected>', body)
        fields[name] = found[1] if found else ""
    return fields
