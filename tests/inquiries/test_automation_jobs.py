"""One automation job per inquiry under a core.jobs lease: a worker that dies between deciding and
sending leaves a job that is declared dead and resumed; the resumed job sends what was decided, once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from maklerwerk.core.jobs import jobs_recover
from maklerwerk.core.models import Job
from maklerwerk.inquiries import automation
from maklerwerk.inquiries.models import Inquiry
from maklerwerk.inquiries.services import inquiry_create_from_form
from tests.inquiries.conftest import contact, links_in, text_of

pytestmark = pytest.mark.django_db


def _dead_job(inquiry: Inquiry) -> Job:
    """The job row a worker killed mid-run leaves behind: running, its lease run out."""
    return Job.objects.create(
        kind="inquiries.automate",
        title=f"Anfrage #{inquiry.pk} verarbeiten",
        office_id=inquiry.office_id,
        state=Job.State.RUNNING,
        started_at=timezone.now() - dt.timedelta(minutes=2),
        worker="worker-2.internal:7:5e6f7a8b",
        lease_until=timezone.now() - dt.timedelta(seconds=1),
        params={"inquiry_id": inquiry.pk},
    )


def _form(office: Any, agent: Any, email: str, **extra: str) -> Inquiry:
    data = {"email": email, "last_name": "Weißmann", "property_external_id": "MW-1002", **extra}
    return inquiry_create_from_form(office=office, acting_user=agent, data=data)


def test_a_worker_killed_after_deciding_leaves_the_confirmation_to_the_resumed_job(
    office: Any, agent: Any, properties: Any, smtp_sink: Any, django_capture_on_commit_callbacks: Any
) -> None:
    inquiry = _form(office, agent, "joerg.weissmann@example.net")
    _inquiry, decision = automation._claim_and_decide(inquiry.pk)  # the worker decided, then died
    assert decision is not None and decision.action is automation.Action.CONFIRM
    assert smtp_sink.messages == []
    dead = _dead_job(inquiry)
    with django_capture_on_commit_callbacks(execute=True):
        assert [j.pk for j in jobs_recover()] == [dead.pk]
    dead.refresh_from_db()
    assert dead.state == "failed" and dead.message.endswith("Der Rest läuft in einer neuen Aufgabe weiter.")
    resumed = Job.objects.get(resumed_from=dead)
    assert resumed.state == "succeeded" and resumed.result["status"] == "waiting_for_confirmation"
    [mail] = smtp_sink.parsed()
    assert mail["Subject"].startswith("Bitte bestätigen Sie Ihre Anfrage")
    assert len(links_in(text_of(mail))) == 1
    # Running the job once more (another resume, a second worker) sends nothing.
    assert automation.inquiry_process(inquiry_id=inquiry.pk).status == "waiting_for_confirmation"
    assert len(smtp_sink.messages) == 1


def test_a_resumed_job_sends_the_decided_exposé_once(
    office: Any, agent: Any, properties: Any, smtp_sink: Any, django_capture_on_commit_callbacks: Any
) -> None:
    contact(office, first_name="Jonas", last_name="Weber", emails=[{"value": "jonas@example.com"}])
    inquiry = _form(office, agent, "jonas@example.com", first_name="Jonas", last_name="Weber")
    _inquiry, decision = automation._claim_and_decide(inquiry.pk)
    assert decision is not None and decision.action is automation.Action.EXPOSE
    dead = _dead_job(inquiry)
    with django_capture_on_commit_callbacks(execute=True):
        jobs_recover()
    inquiry.refresh_from_db()
    assert inquiry.status == "completed" and inquiry.expose_sent_at is not None
    assert [m["Subject"] for m in smtp_sink.parsed()] == ["Ihr Exposé: Einfamilienhaus mit Garten (MW-1002)"]
    assert Job.objects.get(resumed_from=dead).state == "succeeded"
    automation.inquiry_process(inquiry_id=inquiry.pk)
    assert len(smtp_sink.messages) == 1


def test_one_inquiry_is_automated_within_its_query_budget(
    office: Any, agent: Any, properties: Any, smtp_sink: Any
) -> None:
    """A guard for the work per inquiry: the automation of a known contact's inquiry (exposé sent)
    and of a new prospect's (double-opt-in mail) reads and writes no more rows than it did when
    the benchmark was last cut down (after the office's first inquiries set up its defaults)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for i in (1, 2):
        contact(
            office, first_name="Jonas", last_name=f"Weber{i}", emails=[{"value": f"jonas{i}@example.com"}]
        )
    first, known = (
        _form(office, agent, f"jonas{i}@example.com", first_name="Jonas", last_name=f"Weber{i}")
        for i in (1, 2)
    )
    warm, new = (
        _form(office, agent, f"neu{i}@example.org", first_name="Nina", last_name="Neu") for i in (1, 2)
    )
    for inquiry in (first, warm):  # the office's defaults (templates, processes) are created once
        automation.inquiry_process(inquiry_id=inquiry.pk)
    with CaptureQueriesContext(connection) as expose_queries:
        assert automation.inquiry_process(inquiry_id=known.pk).status == "completed"
    with CaptureQueriesContext(connection) as confirm_queries:
        assert automation.inquiry_process(inquiry_id=new.pk).status == "waiting_for_confirmation"
    assert len(smtp_sink.messages) == 4
    # SQLite, counting BEGIN/COMMIT and savepoints: 118 and 39 before the cut (issue 15).
    assert len(expose_queries) <= 91
    assert len(confirm_queries) <= 34
