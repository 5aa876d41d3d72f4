"""vCard files as a step of the import wizard: upload, dry run, import, the same report, re-run, undo."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from maklerwerk.contacts.models import Contact
from maklerwerk.imports import services
from maklerwerk.imports.models import ImportRun

pytestmark = pytest.mark.django_db

CARDS = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:a-1\r\nFN:Jürgen Groß\r\nN:Groß;Jürgen;;;\r\n"
    "EMAIL:juergen@example.de\r\nEND:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:a-2\r\nFN:Anna Weiß\r\nN:Weiß;Anna;;;\r\nEMAIL:anna@example.de\r\n"
    "END:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:3.0\r\nUID:a-3\r\nFN:\r\nN:;;;;\r\nNOTE:nur eine Notiz\r\nEND:VCARD\r\n"
).encode()


def _upload(client: Any, capture: Any, raw: bytes = CARDS) -> tuple[ImportRun, Any]:
    with capture(execute=True):
        response = client.post(
            "/imports/",
            {"format": "vcard", "vcard-file": SimpleUploadedFile("adressbuch.vcf", raw, "text/vcard")},
        )
    return ImportRun.objects.order_by("-pk").first(), response  # type: ignore[return-value]  # one was made


def test_a_vcard_file_goes_through_the_wizard_with_dry_run_report_commit_and_undo(
    office: Any, agent: Any, agent_client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    run, response = _upload(agent_client, django_capture_on_commit_callbacks)
    assert response.status_code == 302 and "?job=" in response["Location"]
    assert (run.source_format, run.kind, run.state) == ("vcard", "contacts", "checked")
    assert Contact.objects.count() == 0
    page = agent_client.get(f"/imports/{run.pk}/").content.decode()
    assert "Probelauf: nichts wurde geschrieben" in page and "Kontakte (vCard)" in page
    assert (run.report["counts"]["created"], run.report["counts"]["failed"]) == (2, 1)
    with django_capture_on_commit_callbacks(execute=True):
        agent_client.post(f"/imports/{run.pk}/commit/")
    run.refresh_from_db()
    assert run.state == "committed"
    assert set(Contact.objects.values_list("last_name", flat=True)) == {"Groß", "Weiß"}
    again, _response = _upload(agent_client, django_capture_on_commit_callbacks)
    assert again.report["counts"]["unchanged"] == 2 and again.report["counts"]["created"] == 0
    assert services.run_undo(run=run, acting_user=agent)["removed"] == 2
    assert Contact.objects.count() == 0


def test_a_file_that_is_no_vcard_is_refused_in_german_and_nothing_is_kept(
    office: Any, agent_client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    run, response = _upload(agent_client, django_capture_on_commit_callbacks, b"Name;Vorname\nA;B\n")
    assert response.status_code == 422 and run is None
    assert "vCard" in response.content.decode()


def test_undo_of_a_vcard_re_import_puts_the_old_values_back(
    office: Any, agent: Any, agent_client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    first, _response = _upload(agent_client, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        agent_client.post(f"/imports/{first.pk}/commit/")
    changed = CARDS.replace(b"N:Wei\xc3\x9f;Anna;;;", b"N:Wei\xc3\x9f-Lang;Anna;;;").replace(
        b"anna@example.de", b"anna.lang@example.de"
    )
    again, _response = _upload(agent_client, django_capture_on_commit_callbacks, changed)
    assert again.report["counts"]["updated"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        agent_client.post(f"/imports/{again.pk}/commit/")
    anna = Contact.objects.get(first_name="Anna")
    assert anna.last_name == "Weiß-Lang"
    assert list(anna.emails.values_list("value", flat=True)) == ["anna.lang@example.de"]
    again.refresh_from_db()
    assert services.run_undo(run=again, acting_user=agent) == {"removed": 0, "kept": 0, "reverted": 1}
    anna.refresh_from_db()
    assert anna.last_name == "Weiß"
    assert list(anna.emails.values_list("value", flat=True)) == ["anna@example.de"]
    assert Contact.objects.count() == 2  # the first import's contacts stay
    third, _response = _upload(agent_client, django_capture_on_commit_callbacks, changed)
    assert third.report["counts"]["updated"] == 1  # the newer file applies again after the undo
