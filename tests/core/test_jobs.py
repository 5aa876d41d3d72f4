from __future__ import annotations

import io
import json
import sys
import zipfile
from typing import Any

import pytest
from django.test import Client

from maklerwerk.core.jobs import JOBS, Progress, declared_jobs, job_function, job_run, job_start
from maklerwerk.core.models import Activity, Job
from tests.conftest import streamed

pytestmark = pytest.mark.django_db(transaction=True)


@job_function("tests.count_to")
def _count_to(progress: Progress, *, n: int) -> dict[str, Any]:
    for i in range(n):
        progress.update(i + 1, n, f"{i + 1} von {n}", force=True)
    return {"counted": n}


@job_function("tests.explode")
def _explode(progress: Progress) -> None:
    raise ValueError("Die Datei ist beschädigt")


# An app registers its kinds in AppConfig.ready(); these test kinds once, when this module loads.
JOBS.register_all(declared_jobs(sys.modules[__name__]))


def test_a_job_reports_progress_and_result(office: Any, agent: Any) -> None:
    job = job_start(kind="tests.count_to", title="Zählen", office=office, created_by=agent, n=4)
    job.refresh_from_db()  # immediate mode ran it on commit
    assert job.state == "succeeded" and job.percent == 100
    assert job.result == {"counted": 4} and job.message == "4 von 4"


def test_a_failing_job_is_marked_failed_with_its_reason(office: Any, agent: Any) -> None:
    job = job_start(kind="tests.explode", title="Kaputt", office=office, created_by=agent)
    job.refresh_from_db()
    assert job.state == "failed"
    assert "Die Datei ist beschädigt" in job.message


def test_a_job_runs_only_once(office: Any, agent: Any) -> None:
    job = job_start(kind="tests.count_to", title="Zählen", office=office, created_by=agent, n=1)
    Job.objects.filter(pk=job.pk).update(result={"counted": "first run"})
    job_run(str(job.pk), {"n": 2})  # a second delivery of the same job
    job.refresh_from_db()
    assert job.result == {"counted": "first run"}


def test_the_data_export_contains_the_office_data_and_downloads(
    admin_user: Any, office: Any, other_office: Any
) -> None:
    Activity.objects.create(office=office, type="call", subject="Rückruf Frau Özdemir")
    Activity.objects.create(office=other_office, type="call", subject="Fremde Aktivität")
    client = Client()
    client.force_login(admin_user)
    response = client.post("/settings/export/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    job = Job.objects.get(kind="core.data_export")
    assert job.state == "succeeded"
    progress = client.get(f"/jobs/{job.pk}/", headers={"HX-Request": "true"})
    assert progress.status_code == 286  # tells htmx to stop polling
    assert "100 %" in progress.content.decode()
    assert "Datensätze exportiert" in progress.content.decode()
    download = client.get(f"/jobs/{job.pk}/download/")
    assert download["Content-Disposition"].startswith("attachment")
    assert '.zip"' in download["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(streamed(download))) as zf:
        data = json.loads(zf.read("data.json"))
    assert data["office"]["name"] == "Testbüro Immobilien GmbH"
    assert [a["subject"] for a in data["activities"]] == ["Rückruf Frau Özdemir"]
    assert all("password" not in u for u in data["users"])


def test_with_object_storage_the_export_is_downloaded_from_there(
    admin_user: Any, office: Any, settings: Any
) -> None:
    """Several machines: the worker that writes the export is rarely the one serving the download."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    Activity.objects.create(office=office, type="call", subject="Rückruf Frau Özdemir")
    client = Client()
    client.force_login(admin_user)
    client.post("/settings/export/", headers={"HX-Request": "true"})
    job = Job.objects.get(kind="core.data_export")
    assert job.state == "succeeded" and job.result["stored"] is True
    assert not (settings.DATA_DIR / "exports" / job.result["file"]).exists()  # not left on this machine
    with zipfile.ZipFile(io.BytesIO(streamed(client.get(f"/jobs/{job.pk}/download/")))) as zf:
        data = json.loads(zf.read("data.json"))
    assert [a["subject"] for a in data["activities"]] == ["Rückruf Frau Özdemir"]


def test_another_office_cannot_see_a_job(admin_user: Any, outsider: Any, office: Any) -> None:
    job = job_start(kind="tests.count_to", title="Zählen", office=office, created_by=admin_user, n=1)
    client = Client()
    client.force_login(outsider)
    assert client.get(f"/jobs/{job.pk}/").status_code == 404
    assert client.get(f"/jobs/{job.pk}/download/").status_code == 404
    from tests.conftest import api_client_for, assert_problem

    assert_problem(api_client_for(outsider).get(f"/api/v1/jobs/{job.pk}"), 404)
    assert api_client_for(admin_user).get(f"/api/v1/jobs/{job.pk}").json()["state"] == "succeeded"


def test_a_dead_export_is_declared_failed_on_read_and_runs_again(admin_user: Any, office: Any) -> None:
    """GIVEN an export whose worker (on another machine) stopped renewing its lease WHEN the progress is
    polled THEN it says "Unterbrochen" and the export runs again as a new job that downloads."""
    import datetime as dt

    from django.utils import timezone

    def export_job(lease_until: Any) -> Job:
        return Job.objects.create(
            kind="core.data_export",
            title="Datenexport",
            office=office,
            created_by=admin_user,
            state=Job.State.RUNNING,
            worker="worker-3.internal:12:9c8d7e6f",
            lease_until=lease_until,
            params={"office_id": office.pk},
        )

    client = Client()
    client.force_login(admin_user)
    alive = export_job(timezone.now() + dt.timedelta(minutes=1))
    assert client.get(f"/jobs/{alive.pk}/", headers={"HX-Request": "true"}).status_code == 200
    alive.refresh_from_db()
    assert alive.state == "running" and not Job.objects.filter(resumed_from=alive).exists()

    dead = export_job(timezone.now() - dt.timedelta(seconds=1))
    page = client.get(f"/jobs/{dead.pk}/", headers={"HX-Request": "true"})
    assert page.status_code == 286  # finished: htmx stops polling
    text = page.content.decode()
    assert "Die Aufgabe ist fehlgeschlagen: Unterbrochen: Der Hintergrunddienst wurde während" in text
    assert "Der Rest läuft in einer neuen Aufgabe weiter." in text
    again = Job.objects.get(resumed_from=dead)
    assert again.state == "succeeded" and again.kind == "core.data_export"
    download = client.get(f"/jobs/{again.pk}/download/")
    with zipfile.ZipFile(io.BytesIO(streamed(download))) as zf:
        assert json.loads(zf.read("data.json"))["office"]["name"] == office.name


def test_a_dead_duplicate_scan_runs_again_when_the_page_is_opened(admin_user: Any, office: Any) -> None:
    import datetime as dt

    from django.utils import timezone

    dead = Job.objects.create(
        kind="duplicates.search",
        title="Dublettensuche",
        office=office,
        created_by=admin_user,
        state=Job.State.RUNNING,
        worker="worker-3.internal:12:9c8d7e6f",
        lease_until=timezone.now() - dt.timedelta(seconds=1),
        params={"office_id": office.pk},
    )
    client = Client()
    client.force_login(admin_user)
    page = client.get("/duplicates/").content.decode()
    dead.refresh_from_db()
    assert dead.state == "failed"
    again = Job.objects.get(resumed_from=dead)
    assert again.state == "succeeded" and again.result == {
        "pairs": 0,
        "groups": 0,
        "redirect": "/duplicates/",
    }
    i = page.index(f'id="job-{again.pk}"')
    assert "Dublettensuche – fertig" in page[i : i + 600]


def test_a_queued_job_of_a_kind_this_version_does_not_know_fails_with_a_german_reason(
    office: Any, admin_user: Any
) -> None:
    """GIVEN a job row queued before a restart by a version that had its kind WHEN the worker runs it
    THEN it fails with a German reason the user sees, and the worker goes on."""
    job = Job.objects.create(kind="alt.entfernt", title="Alter Auftrag", office=office, created_by=admin_user)
    job_run(str(job.pk), {})
    job.refresh_from_db()
    assert job.state == "failed"
    assert job.message.startswith("Diese Aufgabe (alt.entfernt) kann nicht ausgeführt werden")
    client = Client()
    client.force_login(admin_user)
    page = client.get(f"/jobs/{job.pk}/", headers={"HX-Request": "true"})
    assert page.status_code == 286 and "Maklerwerk kennt ihre Art nicht" in page.content.decode()


def test_a_dead_running_job_of_an_unknown_kind_is_declared_failed_and_not_resumed(
    office: Any, admin_user: Any
) -> None:
    import datetime as dt

    from django.utils import timezone

    job = Job.objects.create(
        kind="alt.entfernt", title="Alter Auftrag", office=office, created_by=admin_user,
        state=Job.State.RUNNING, worker="worker-3.internal:12:9c8d7e6f",
        lease_until=timezone.now() - dt.timedelta(seconds=1),
    )  # fmt: skip
    client = Client()
    client.force_login(admin_user)
    page = client.get(f"/jobs/{job.pk}/", headers={"HX-Request": "true"})
    assert page.status_code == 286 and "Unterbrochen" in page.content.decode()
    assert not Job.objects.filter(resumed_from=job).exists()
