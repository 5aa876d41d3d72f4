"""The inbound OpenImmo FTP drop against a real FTP server (pyftpdlib): the old system uploads its
export as to a portal; Maklerwerk fetches, imports and moves the packages aside."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from maklerwerk.imports import drop
from maklerwerk.imports.models import ImportRun
from maklerwerk.properties.models import Property
from tests.imports.test_openimmo_import import foo_zip
from tests.portals.conftest import serve_ftp

pytestmark = pytest.mark.django_db


@pytest.fixture
def drop_server(tmp_path: Path) -> Iterator[dict[str, Any]]:
    yield from serve_ftp(tmp_path / "ftp")


def test_packages_in_the_drop_are_imported_and_moved_aside_a_broken_one_is_reported(
    office: Any, admin_user: Any, drop_server: dict[str, Any]
) -> None:
    folder = drop_server["root"] / "import"
    (folder / "export_1.zip").write_bytes(foo_zip())
    (folder / "kaputt.zip").write_bytes(b"PK\x03\x04 abgeschnitten")
    (folder / "export_2.zip.part").write_bytes(b"noch nicht fertig")
    found = drop.drop_save(
        office=office, acting_user=admin_user, host=drop_server["host"], port=drop_server["port"],
        username="portal", password="secret", folder="import",
    )  # fmt: skip
    assert found.get_password() == "secret" and "secret" not in found.password_encrypted

    result = drop.drop_fetch(drop=found)

    assert len(result.runs) == 1 and result.failed == [
        "kaputt.zip: Die ZIP-Datei ist beschädigt oder unvollständig."
    ]
    prop = Property.objects.get(office=office, external_id="1234-ABC")
    assert prop.status == "preparation" and prop.images.count() == 2
    run = ImportRun.objects.get(pk=result.runs[0])
    assert (run.state, run.source_format, run.filename) == ("committed", "openimmo", "export_1.zip")
    assert sorted(p.name for p in folder.iterdir() if p.is_file()) == ["export_2.zip.part"]
    assert (folder / "importiert" / "export_1.zip").exists() and (
        folder / "fehlerhaft" / "kaputt.zip"
    ).exists()
    found.refresh_from_db()
    assert found.last_message.startswith("1 Pakete abgeholt, 1 nicht lesbar.")

    (folder / "export_3.zip").write_bytes(foo_zip())  # the same export sent again
    call_command("import_ftp_drop", "--office", str(office.pk), stdout=open("/dev/null", "w"))  # noqa: SIM115
    again = ImportRun.objects.filter(filename="export_3.zip").get()
    assert again.report["counts"]["unchanged"] == 1 and Property.objects.count() == 1


def test_a_wrong_password_is_a_german_reason_on_the_drop(
    office: Any, admin_user: Any, drop_server: dict[str, Any]
) -> None:
    from maklerwerk.core.exceptions import ApplicationError

    found = drop.drop_save(
        office=office, acting_user=admin_user, host=drop_server["host"], port=drop_server["port"],
        username="portal", password="falsch", folder="import",
    )  # fmt: skip
    with pytest.raises(ApplicationError) as caught:
        drop.drop_fetch(drop=found)
    found.refresh_from_db()
    assert "Anmeldung" in caught.value.message or "530" in caught.value.message
    assert found.last_message == caught.value.message


def test_the_cutover_page_saves_the_drop_and_fetches_it_as_a_job(
    office: Any, admin_user: Any, drop_server: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    from django.test import Client

    (drop_server["root"] / "import" / "export.zip").write_bytes(foo_zip())
    client = Client()
    client.force_login(admin_user)
    form = {"action": "drop_save", "host": drop_server["host"], "port": drop_server["port"],
            "username": "portal", "password": "secret", "folder": "import", "commit": "on"}  # fmt: skip
    assert client.post("/imports/cutover/", form).status_code == 302
    page = client.get("/imports/cutover/").content.decode()
    assert "OpenImmo-FTP-Eingang" in page, page[-6000:]
    assert "Jetzt abrufen" in page and 'value="secret"' not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/imports/cutover/", {**form, "password": "", "action": "drop_fetch"})
    assert response.status_code == 302 and "?job=" in response["Location"]
    assert Property.objects.filter(office=office, external_id="1234-ABC").exists()
    page = client.get(response["Location"]).content.decode()
    assert "1 Pakete abgeholt, 0 nicht lesbar." in page


def test_the_periodic_tick_fetches_each_drop_once_and_not_while_a_fetch_is_at_work(
    office: Any, admin_user: Any, drop_server: dict[str, Any]
) -> None:
    from maklerwerk.core.models import Job
    from maklerwerk.imports.tasks import drops_tick

    (drop_server["root"] / "import" / "export_1.zip").write_bytes(foo_zip())
    drop.drop_save(
        office=office, acting_user=admin_user, host=drop_server["host"], port=drop_server["port"],
        username="portal", password="secret", folder="import",
    )  # fmt: skip
    [job] = drops_tick()  # the test worker runs it at once
    assert job.kind == "imports.ftp_drop" and job.office_id == office.pk
    assert Property.objects.filter(office=office, external_id="1234-ABC").exists()
    Job.objects.filter(pk=job.pk).update(state=Job.State.QUEUED)  # as if still waiting for a worker
    assert drops_tick() == []  # no second fetch of the same drop
    Job.objects.filter(pk=job.pk).update(state=Job.State.SUCCEEDED)
    assert len(drops_tick()) == 1  # the next tick fetches again
