"""Leave with everything and come back: an office export loads into an empty instance unchanged."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from maklerwerk.accounts.models import User
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.imports.office import office_import
from tests.core.test_export_complete import _export, full_office  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db(transaction=True)


def _sections(zf: zipfile.ZipFile) -> tuple[dict[str, Any], dict[str, str]]:
    data = json.loads(zf.read("data.json"))
    data.pop("exported_at")
    files = {f["name"]: f["sha256"] for f in json.loads(zf.read("files.json"))["files"]}
    return data, files


def _without_secrets(rows: Any) -> Any:
    if not isinstance(rows, list):
        return rows
    return [{k: v for k, v in row.items() if not k.endswith("_set")} for row in rows]


def test_an_exported_office_loads_into_an_empty_instance_with_identical_records_and_files(
    request: pytest.FixtureRequest, tmp_path: Any
) -> None:
    office = request.getfixturevalue("full_office")  # every kind of record and file
    client = Client()
    client.force_login(office["admin"])
    _job, zf = _export(client)
    before, before_files = _sections(zf)
    archive = tmp_path / "export.zip"
    archive.write_bytes(b"")
    with zipfile.ZipFile(archive, "w") as out:
        for name in zf.namelist():
            out.writestr(name, zf.read(name))

    call_command("flush", interactive=False, verbosity=0)  # an empty instance
    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)
    output = io.StringIO()
    call_command("import_office", str(archive), stdout=output)
    assert f"{len(before_files)} files loaded" in output.getvalue()

    admin = User.objects.get(username="chefin")
    assert not admin.has_usable_password()  # logins come back by a password reset
    admin.set_password("Neues-Passwort-99")
    admin.save()
    client = Client()
    assert client.login(username="chefin", password="Neues-Passwort-99")
    _job, again = _export(client)
    after, after_files = _sections(again)
    assert {k: len(v) for k, v in after.items() if isinstance(v, list)} == {
        k: len(v) for k, v in before.items() if isinstance(v, list)
    }
    assert after_files == before_files  # the same files, byte for byte
    for key, rows in before.items():
        if key in ("users", "history"):
            continue  # the new login and the export itself add to them; compared below
        assert _without_secrets(after[key]) == _without_secrets(rows), key
    # Mail passwords were never exported: the restored accounts say so and need them again.
    assert after["smtp_settings"][0]["password_set"] is False
    assert [u["username"] for u in after["users"]] == [u["username"] for u in before["users"]]


def test_an_export_does_not_load_over_an_instance_that_has_offices(office: Any, tmp_path: Any) -> None:
    archive = tmp_path / "x.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("data.json", json.dumps({"format": "maklerwerk-export", "version": 2, "office": {}}))
    with pytest.raises(ApplicationError, match="nur in eine leere Installation"):
        office_import(archive)
