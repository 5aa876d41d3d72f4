"""Exposé PDF, offers and evidence over the API."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import api_client_for, assert_problem, mail_template

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_downloads_the_exposé_pdf(api: Any, prop_with_images: Any) -> None:
    response = api.get(f"/api/v1/properties/{prop_with_images.pk}/expose.pdf?language=en")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "Expose" in response["Content-Disposition"]


def test_another_office_gets_404_for_the_exposé(prop: Any, outsider: Any) -> None:
    assert_problem(api_client_for(outsider).get(f"/api/v1/properties/{prop.pk}/expose.pdf"), 404)


def test_an_offer_runs_as_a_job_with_per_recipient_results(
    api: Any, agent: Any, smtp_sink: Any, prop: Any, recipients: list[Any]
) -> None:
    template = mail_template(agent, "expose")
    smtp_sink.refuse.add("clara@example.org")
    response = api.post(
        "/api/v1/offers",
        {"contacts": [c.pk for c in recipients], "properties": [prop.pk], "template": template.pk,
         "attach_expose": False},
    )  # fmt: skip
    assert response.status_code == 201, response.content
    offer_id = response.json()["id"]
    body = api.get(f"/api/v1/offers/{offer_id}").json()
    assert body["job"]["state"] == "succeeded"
    assert body["counts"] == {"total": 3, "sent": 2, "failed": 1, "skipped": 0, "unclear": 0, "open": 0}
    by_mail = {r["email"]: r for r in body["recipients"]}
    assert by_mail["anna@example.org"]["message_id"].startswith("<")
    assert (
        by_mail["clara@example.org"]["status"] == "failed" and "550" in by_mail["clara@example.org"]["reason"]
    )
    smtp_sink.refuse.clear()
    retried = api.post(f"/api/v1/offers/{offer_id}/retry").json()
    assert retried["counts"]["sent"] == 3
    assert len(smtp_sink.messages) == 3
    assert_problem(api.post(f"/api/v1/offers/{offer_id}/retry"), 400)


def test_an_offer_with_a_foreign_contact_is_refused(
    api: Any, agent: Any, prop: Any, other_office: Any
) -> None:
    from tests.mailing.conftest import make_contact

    stranger = make_contact(other_office, email="x@example.org", last_name="Fremd")
    template = mail_template(agent, "expose")
    response = api.post(
        "/api/v1/offers", {"contacts": [stranger.pk], "properties": [prop.pk], "template": template.pk}
    )
    assert_problem(response, 400)


def test_the_evidence_record_lists_what_was_sent(
    api: Any, agent: Any, smtp_sink: Any, prop: Any, recipients: list[Any], tmp_path: Any
) -> None:
    import subprocess

    template = mail_template(agent, "expose")
    api.post(
        "/api/v1/offers", {"contacts": [recipients[0].pk], "properties": [prop.pk], "template": template.pk}
    )
    response = api.get(f"/api/v1/contacts/{recipients[0].pk}/properties/{prop.pk}/evidence.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    path = tmp_path / "n.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    from maklerwerk.mailing.models import OutgoingMail

    mail = OutgoingMail.objects.get()
    assert "Nachweis" in text and "Exposé versendet" in text
    assert mail.message_id.strip("<>").split("@")[0] in text.replace("\n", "")
    assert "Exposé w-2024-017.pdf" in text and "Sehr geehrte Frau Schäfer" in text
