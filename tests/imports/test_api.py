"""/api/v1/imports: upload (the dry run starts), poll, report, commit, undo; the same services."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from maklerwerk.contacts.models import Contact
from maklerwerk.imports.models import ImportMapping
from maklerwerk.properties.models import Property
from tests.conftest import api_client_for
from tests.imports.test_csv_import import FLOWFACT_CSV
from tests.imports.test_table_import import PROPERTIES

pytestmark = pytest.mark.django_db


def _post_file(api: Any, raw: bytes, name: str, **fields: str) -> Any:
    from django.test.client import MULTIPART_CONTENT

    return api.post(
        "/api/v1/imports",
        {"file": SimpleUploadedFile(name, raw), **fields},
        content_type=MULTIPART_CONTENT,
    )


def test_an_import_is_started_polled_committed_and_undone_over_the_api(
    api: Any, agent: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = _post_file(api, FLOWFACT_CSV, "kontakte.csv", kind="contacts", source_system="flowfact")
    assert response.status_code == 201, response.content
    run = response.json()
    assert run["columns"]["Nachname"] == "last_name" and run["source_format"] == "csv"
    polled = api.get(f"/api/v1/imports/{run['id']}").json()
    assert polled["state"] == "checked" and polled["counts"]["created"] == 2
    assert polled["job"]["state"] == "succeeded" and polled["job"]["percent"] == 100
    report = api.get(f"/api/v1/imports/{run['id']}/report").json()
    bad = next(r for r in report["rows"] if r["status"] == "failed")
    assert bad["errors"][0] == {"column": "Geburtsdatum", "message": "„31.02.1990“ ist kein gültiges Datum."}
    with django_capture_on_commit_callbacks(execute=True):
        committed = api.post(f"/api/v1/imports/{run['id']}/commit")
    assert committed.status_code == 202
    assert api.get(f"/api/v1/imports/{run['id']}").json()["state"] == "committed"
    assert Contact.objects.count() == 2
    undone = api.post(f"/api/v1/imports/{run['id']}/undo").json()
    assert undone["state"] == "undone" and undone["undo"]["removed"] == 2
    assert Contact.objects.count() == 0
    assert [r["id"] for r in api.get("/api/v1/imports").json()["items"]] == [run["id"]]


def test_a_saved_mapping_with_its_value_maps_is_used_by_name(
    api: Any, office: Any, agent: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from maklerwerk.imports import mapping
    from maklerwerk.imports.csvfile import read_table

    columns = mapping.suggest(read_table(PROPERTIES).headers, "flowfact", kind="properties")
    columns.pop("Eigentümer-Nr.")
    ImportMapping.objects.create(
        office=office, kind="properties", name="FF", columns=columns,
        values={"object_kind": {"Burg": "haus/SCHLOSS"}},
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        response = _post_file(api, PROPERTIES, "o.csv", kind="properties", mapping_name="FF")
    run = api.get(f"/api/v1/imports/{response.json()['id']}").json()
    assert run["mapping_name"] == "FF" and run["counts"]["created"] == 3 and Property.objects.count() == 0
    missing = _post_file(api, PROPERTIES, "o.csv", kind="properties", mapping_name="Gibt es nicht")
    assert missing.status_code == 400
    assert (
        missing.json()["detail"]
        == "Keine gespeicherte Zuordnung „Gibt es nicht“ für diese Art von Datensätzen."
    )


def test_bad_files_get_a_german_problem_and_other_offices_see_nothing(
    api: Any, outsider: Any, django_capture_on_commit_callbacks: Any
) -> None:
    response = _post_file(api, b'Name;Vorname\n"Kaputt;Anna\n', "x.csv")
    assert response.status_code == 400 and "Anführungszeichen" in response.json()["detail"]
    with django_capture_on_commit_callbacks(execute=True):
        run = _post_file(api, FLOWFACT_CSV, "k.csv", source_system="flowfact").json()
    other = api_client_for(outsider)
    assert other.get(f"/api/v1/imports/{run['id']}").status_code == 404
    assert other.post(f"/api/v1/imports/{run['id']}/undo").status_code == 404
