"""Uploads cannot exhaust a web worker: limits per request, big vCard imports as jobs, no orphans."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from maklerwerk.contacts.models import Contact, ContactFile
from tests.conftest import ApiClient, assert_problem

pytestmark = pytest.mark.django_db


FIRST = [
    "Anna",
    "Bernd",
    "Clara",
    "Dieter",
    "Emil",
    "Frieda",
    "Günter",
    "Helga",
    "Ingo",
    "Jutta",
    "Klaus",
    "Lena",
    "Moritz",
    "Nora",
    "Otto",
    "Paula",
    "Rainer",
    "Sabine",
    "Thomas",
    "Ute",
    "Volker",
    "Wiebke",
    "Xaver",
    "Yvonne",
    "Zeynep",
]
LAST = ["Becker", "Hoffmann", "Wagner", "Schulz", "Krüger", "Lorenz", "Vogel", "Jung", "Albrecht", "Dietrich"]


def vcards(n: int) -> bytes:
    """n different people (25 first names x 10 surnames that neither match nor sound alike)."""
    assert n <= len(FIRST) * len(LAST)
    cards = [
        f"BEGIN:VCARD\r\nVERSION:3.0\r\nN:{LAST[i // 25]};{FIRST[i % 25]};;;\r\n"
        f"FN:{FIRST[i % 25]} {LAST[i // 25]}\r\nEMAIL;TYPE=INTERNET:kunde{i}@example.de\r\nEND:VCARD\r\n"
        for i in range(n)
    ]
    return "".join(cards).encode()


def media_files(settings: Any) -> list[str]:
    root = settings.MEDIA_ROOT
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_the_vcard_import_in_the_browser_runs_as_a_job_with_progress(
    agent_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    upload = SimpleUploadedFile("kunden.vcf", vcards(250))
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = agent_client.post("/contacts/import/", {"file": upload})
    # The request only checked and kept the file; the job has not run yet and the page shows progress.
    assert response.status_code == 302
    waiting = agent_client.get(response["Location"]).content.decode()
    assert 'class="job-progress"' in waiting and "vCard-Vorschau: kunden.vcf" in waiting
    assert "kunden.vcf: 250 Einträge" not in waiting
    for callback in queued:
        callback()
    page = agent_client.get(response["Location"]).content.decode()
    assert "kunden.vcf: 250 Einträge" in page and "250 neu" in page
    token = page.split('name="token" value="')[1].split('"')[0]
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = agent_client.post("/contacts/import/", {"token": token, "filename": "kunden.vcf"})
    job_url = response["Location"]
    assert "vCard-Import: kunden.vcf" in agent_client.get(job_url).content.decode()
    assert not Contact.objects.exists()
    for callback in queued:
        callback()
    job_id = job_url.split("job=")[1]
    # The progress partial the page polls leads to the summary once the job is done.
    poll = agent_client.get(f"/jobs/{job_id}/", headers={"HX-Request": "true"})
    assert poll.status_code == 286 and poll["HX-Redirect"] == job_url
    assert "250 angelegt, 0 übersprungen, 0 fehlgeschlagen" in poll.content.decode()
    assert "250 angelegt" in agent_client.get(job_url).content.decode()
    assert Contact.objects.count() == 250


def test_a_big_vcard_file_over_the_api_is_imported_by_a_job(
    api: ApiClient, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.VCARD_SYNC_LIMIT = 20
    upload = SimpleUploadedFile("kunden.vcf", vcards(30))
    with django_capture_on_commit_callbacks(execute=True):
        response = api.client.post("/api/v1/contacts/import/vcard", {"file": upload}, headers=api.headers)
    assert response.status_code == 202, response.content
    job = api.get(response.json()["url"]).json()
    assert job["state"] == "succeeded" and job["result"]["counts"] == {
        "created": 30,
        "skipped": 0,
        "failed": 0,
    }
    assert Contact.objects.count() == 30


def test_too_many_files_in_one_request_are_refused_in_german(
    agent_client: Client, contact: Any, settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 3
    files = [SimpleUploadedFile(f"datei{i}.txt", b"x") for i in range(4)]
    page_url = f"/contacts/{contact.pk}/"
    response = agent_client.post(
        f"{page_url}files/", {"files": files}, headers={"Referer": f"http://testserver{page_url}"}
    )
    assert response.status_code == 302 and response["Location"].endswith(page_url)
    page = agent_client.get(page_url).content.decode()
    assert "Zu viele Dateien auf einmal: bitte höchstens 3 Dateien pro Schritt hochladen." in page
    assert not ContactFile.objects.exists() and media_files(settings) == []


def test_an_oversized_request_is_refused_before_it_is_read(
    agent_client: Client, contact: Any, settings: Any, api: ApiClient
) -> None:
    settings.MAX_UPLOAD_REQUEST_BYTES = 50_000

    def files() -> list[SimpleUploadedFile]:
        return [SimpleUploadedFile(f"scan{i}.pdf", b"%PDF" + b"x" * 20_000) for i in range(3)]

    response = agent_client.post(f"/contacts/{contact.pk}/files/", {"files": files()})
    assert response.status_code == 413
    assert "Der Upload ist zu groß" in response.content.decode()
    body = assert_problem(
        api.client.post(f"/api/v1/contacts/{contact.pk}/files", {"files": files()}, headers=api.headers), 413
    )
    assert "zu groß" in body["detail"] or "too large" in body["detail"]
    assert not ContactFile.objects.exists() and media_files(settings) == []


def test_a_multi_file_upload_failing_halfway_leaves_no_files_behind(
    agent_client: Client, api: ApiClient, contact: Any, settings: Any
) -> None:
    settings.MAX_UPLOAD_BYTES = 1024
    files = [SimpleUploadedFile("klein.txt", b"ok"), SimpleUploadedFile("riesig.pdf", b"x" * 2048)]
    agent_client.post(f"/contacts/{contact.pk}/files/", {"files": files})
    assert "Es wurde nichts hochgeladen." in agent_client.get(f"/contacts/{contact.pk}/").content.decode()
    files = [SimpleUploadedFile("klein.txt", b"ok"), SimpleUploadedFile("riesig.pdf", b"x" * 2048)]
    response = api.client.post(f"/api/v1/contacts/{contact.pk}/files", {"files": files}, headers=api.headers)
    assert response.status_code == 400
    assert not ContactFile.objects.exists()
    assert media_files(settings) == []
