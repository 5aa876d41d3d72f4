import io
import json
import stat
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from django.conf import settings
from django.test import Client

from maklerwerk.core.models import Activity, Job
from maklerwerk.core.personal_data import PERSONAL_DATA, PersonalDataSection
from maklerwerk.privacy.models import AccessLogEntry
from tests.conftest import api_client_for, assert_problem, streamed

SCHEMA = json.loads((Path(__file__).parents[2] / "docs/schemas/personal-data-export.schema.json").read_text())

pytestmark = pytest.mark.django_db(transaction=True)


def _zip(job: Job) -> zipfile.ZipFile:
    path = settings.DATA_DIR / "privacy" / job.result["zip"]
    return zipfile.ZipFile(path)


def test_the_datenauskunft_is_one_zip_whose_json_validates_against_the_published_schema(
    buyer: Any, admin_user: Any
) -> None:
    response = api_client_for(admin_user).post(f"/api/v1/contacts/{buyer.pk}/data-export", {})
    assert response.status_code == 202
    job = Job.objects.get(pk=response.json()["id"])
    assert job.state == "succeeded", job.error
    with _zip(job) as zf:
        data = json.loads(zf.read("data.json"))
        jsonschema.validate(data, SCHEMA, format_checker=jsonschema.FormatChecker())
        sections = data["sections"]
        assert sections["contact"]["rows"][0]["last_name"] == "Käufer"
        assert [r["value"] for r in sections["emails"]["rows"]] == ["berta@example.org"]
        assert [r["role"] for r in sections["roles"]["rows"]] == ["buyer"]
        assert {r["subject"] for r in sections["activities"]["rows"]} >= {
            "Exposé Domstraße 5",
            "Ihr Kaufvertragsentwurf",
        }
        assert sections["search_profiles"]["rows"][0]["name"] == "Altbau Köln"
        assert sections["files"]["label"] == "Dateien"
        # The person's files are in the ZIP, byte for byte.
        names = {f["name"]: f["path"] for f in data["files"]}
        assert zf.read(names["Notiz.txt"]) == "Privat: Scheidung läuft".encode()
        assert zf.read("zusammenfassung.pdf").startswith(b"%PDF")
    # Only the server's user can read the archive on disk.
    mode = (settings.DATA_DIR / "privacy" / job.result["zip"]).stat().st_mode
    assert stat.S_IMODE(mode) == 0o600


def test_the_summary_pdf_is_german_and_names_the_person(buyer: Any, admin_user: Any, tmp_path: Path) -> None:
    job = Job.objects.get(
        pk=api_client_for(admin_user).post(f"/api/v1/contacts/{buyer.pk}/data-export", {}).json()["id"]
    )
    pdf = tmp_path / "s.pdf"
    with _zip(job) as zf:
        pdf.write_bytes(zf.read("zusammenfassung.pdf"))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Datenauskunft" in text and "Käufer" in text and "berta@example.org" in text


def test_the_export_is_an_activity_and_in_the_access_log_and_the_download_is_logged_too(
    buyer: Any, admin_user: Any
) -> None:
    client = Client()
    client.force_login(admin_user)
    response = client.post(f"/privacy/contacts/{buyer.pk}/data-export/")
    assert response.status_code == 302
    activity = Activity.objects.get(contact=buyer, payload__privacy="data_export")
    assert activity.subject == "Datenauskunft erstellt (Art. 15 DSGVO)" and activity.user == admin_user
    job = Job.objects.get(kind="privacy.data_export")
    page = client.get(f"/privacy/contacts/{buyer.pk}/").content.decode()
    assert f"/privacy/exports/{job.pk}/download/" in page
    download = client.get(f"/privacy/exports/{job.pk}/download/")
    assert download.status_code == 200
    assert zipfile.ZipFile(io.BytesIO(streamed(download))).namelist()[-1] == "zusammenfassung.pdf"
    actions = list(AccessLogEntry.objects.filter(contact_id=buyer.pk).values_list("action", "user"))
    assert ("data_export", admin_user.pk) in actions and ("export_download", admin_user.pk) in actions


@pytest.fixture
def secret_section() -> Any:
    """A section as the GwG app registers its suspicion notes: never in a Datenauskunft."""
    section = PersonalDataSection(
        "suspicion_notes", "core.Activity", "contact", 999, "Verdachtsmeldungen", secret=True, erase="keep"
    )
    PERSONAL_DATA.register(section)
    yield section
    PERSONAL_DATA.unregister("suspicion_notes")


def test_a_secret_section_never_reaches_the_person(buyer: Any, admin_user: Any, secret_section: Any) -> None:
    job = Job.objects.get(
        pk=api_client_for(admin_user).post(f"/api/v1/contacts/{buyer.pk}/data-export", {}).json()["id"]
    )
    with _zip(job) as zf:
        data = json.loads(zf.read("data.json"))
    assert "suspicion_notes" not in data["sections"]
    jsonschema.validate(data, SCHEMA)
    # The schema itself refuses such a section, so a later change cannot slip it in unnoticed.
    data["sections"]["suspicion_notes"] = {"label": "x", "rows": []}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, SCHEMA)


@pytest.mark.parametrize("persona", ["agent", "backoffice_user", "readonly_user"])
def test_only_privacy_roles_may_export(buyer: Any, persona: str, request: Any) -> None:
    user = request.getfixturevalue(persona)
    assert_problem(api_client_for(user).post(f"/api/v1/contacts/{buyer.pk}/data-export", {}), 403)
    client = Client()
    client.force_login(user)
    assert client.get(f"/privacy/contacts/{buyer.pk}/").status_code == 403
    assert client.post(f"/privacy/contacts/{buyer.pk}/data-export/").status_code == 403
    # ... and the button is not offered on the contact page.
    assert "/privacy/contacts/" not in client.get(f"/contacts/{buyer.pk}/").content.decode()
    assert not Job.objects.filter(kind="privacy.data_export").exists()


def test_another_offices_contact_is_not_found(buyer: Any, outsider: Any) -> None:
    assert_problem(api_client_for(outsider).post(f"/api/v1/contacts/{buyer.pk}/data-export", {}), 404)


def test_the_overview_is_in_the_user_menu_of_an_administrator_only(admin_user: Any, agent: Any) -> None:
    for user, shown in ((admin_user, True), (agent, False)):
        client = Client()
        client.force_login(user)
        assert ('href="/privacy/"' in client.get("/").content.decode()) is shown
    client = Client()
    client.force_login(agent)
    assert client.get("/privacy/").status_code == 403
