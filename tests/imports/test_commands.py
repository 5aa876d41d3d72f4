"""The command line for big take-overs: dry run by default, --commit writes, a re-run changes nothing."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command

from maklerwerk.contacts.models import Contact
from maklerwerk.properties.models import Property
from tests.imports.test_csv_import import FLOWFACT_CSV
from tests.imports.test_openimmo_import import foo_zip

pytestmark = pytest.mark.django_db


def _call(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, verbosity=0)
    return out.getvalue()


def test_import_csv_dry_run_then_commit_then_nothing_changes(
    office: Any, admin_user: Any, tmp_path: Any
) -> None:
    path = tmp_path / "kontakte.csv"
    path.write_bytes(FLOWFACT_CSV)
    dry = _call("import_csv", str(path), "--source", "flowfact")
    assert "Dry run" in dry and "2 created" in dry and "1 failed" in dry
    assert "„31.02.1990“ ist kein gültiges Datum." in dry
    assert Contact.objects.count() == 0
    assert "2 created" in _call("import_csv", str(path), "--source", "flowfact", "--commit")
    again = _call("import_csv", str(path), "--source", "flowfact", "--commit")
    assert "0 created" in again and "2 unchanged" in again
    assert Contact.objects.count() == 2


def test_import_openimmo_with_pictures(office: Any, admin_user: Any, tmp_path: Any) -> None:
    path = tmp_path / "export.zip"
    path.write_bytes(foo_zip())
    assert "1 created" in _call("import_openimmo", str(path), "--commit")
    assert Property.objects.get().images.count() == 2
    assert "1 unchanged" in _call("import_openimmo", str(path), "--commit")


def test_export_office_writes_a_private_zip_with_every_record(
    office: Any, admin_user: Any, tmp_path: Any, settings: Any
) -> None:
    import json
    import stat
    import zipfile

    settings.DATA_DIR = tmp_path / "data"
    path = tmp_path / "csv.csv"
    path.write_bytes(FLOWFACT_CSV)
    _call("import_csv", str(path), "--source", "flowfact", "--commit")
    out = tmp_path / "buero.zip"
    assert "buero.zip" in _call("export_office", "--out", str(out), "--office", str(office.pk))
    assert stat.S_IMODE(out.stat().st_mode) == 0o600  # only the server's user may read it
    with zipfile.ZipFile(out) as zf:
        data = json.loads(zf.read("data.json"))
    assert len(data["contacts"]) == Contact.objects.filter(office=office).count() > 0
    assert not list((tmp_path / "data" / "exports").glob("*.zip"))  # no second copy left behind
