"""The process manager: the default follow-up runs each step exactly once, and can be cancelled."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from maklerwerk.inquiries.models import ProcessInstance, ProcessStepRun
from maklerwerk.inquiries.processes import (
    definition_create,
    instance_cancel,
    processes_run_due,
    run_next_step,
)
from maklerwerk.inquiries.services import inquiry_automate, inquiry_create_from_form
from tests.inquiries.conftest import contact

pytestmark = pytest.mark.django_db


def _known_inquiry(office: Any, agent: Any) -> Any:
    contact(office, first_name="Lena", last_name="Schmidt", emails=[{"value": "lena.schmidt@example.org"}])
    inquiry = inquiry_create_from_form(
        office=office,
        acting_user=agent,
        data={"email": "lena.schmidt@example.org", "property_external_id": "MW-1001"},
    )
    return inquiry_automate(inquiry_id=inquiry.pk)


def test_the_default_follow_up_creates_one_task_three_days_after_the_expose(
    office: Any, agent: Any, properties: Any, smtp_sink: Any
) -> None:
    from maklerwerk.tasks.models import Task

    inquiry = _known_inquiry(office, agent)
    assert inquiry.status == "completed"
    instance = ProcessInstance.objects.get(definition__name="Nachfassen nach Exposé-Versand")
    assert processes_run_due() == 1  # the wait step
    assert processes_run_due() == 0
    assert not Task.objects.exists()
    with time_machine.travel(timezone.now() + dt.timedelta(days=3, minutes=1)):
        assert processes_run_due() == 1
        assert processes_run_due() == 0  # a restart runs nothing again
        assert run_next_step(instance_id=instance.pk) is False
    task = Task.objects.get()
    assert task.title == "Nachfassen: Lena Schmidt zu Helle 3-Zimmer-Wohnung mit Balkon"
    assert task.assignee == agent
    instance.refresh_from_db()
    assert instance.status == "done"
    assert list(ProcessStepRun.objects.filter(instance=instance).values_list("position", flat=True)) == [0, 1]


def test_concurrent_workers_run_a_step_once(office: Any, agent: Any, properties: Any, smtp_sink: Any) -> None:
    definition_create(
        office=office,
        acting_user=agent,
        data={"name": "Begrüßung", "trigger": "expose_sent",
              "steps": [{"kind": "send_mail",
                         "params": {"subject": "Willkommen, {{ kontakt.name }}",
                                    "body": "Zu {{ objekt.titel }}"}}]},
    )  # fmt: skip
    _known_inquiry(office, agent)
    instance = ProcessInstance.objects.get(definition__name="Begrüßung")
    results: list[bool] = []
    threads = [
        threading.Thread(target=lambda: results.append(run_next_step(instance_id=instance.pk)))
        for _ in range(3)
    ]
    for t in threads:
        t.run()  # same connection (SQLite in-memory test DB); the claim decides, not the timing
    assert results.count(True) == 1
    welcome = [m for m in smtp_sink.parsed() if m["Subject"] == "Willkommen, Lena Schmidt"]
    assert len(welcome) == 1
    assert welcome[0].get_body(("plain",)).get_content().strip() == "Zu Helle 3-Zimmer-Wohnung mit Balkon"


def test_a_running_process_can_be_cancelled_and_shows_on_the_contact(
    office: Any, agent: Any, properties: Any, smtp_sink: Any, agent_client: Any
) -> None:
    inquiry = _known_inquiry(office, agent)
    instance = ProcessInstance.objects.get(definition__name="Nachfassen nach Exposé-Versand")
    response = agent_client.get(f"/contacts/{inquiry.contact_id}/")
    assert response.status_code == 200
    response = agent_client.post(f"/inquiries/processes/{instance.pk}/cancel/", {"next": "/inquiries/"})
    assert response.status_code == 302
    instance.refresh_from_db()
    assert instance.status == "cancelled" and instance.cancelled_by == agent
    with time_machine.travel(timezone.now() + dt.timedelta(days=4)):
        assert processes_run_due() == 0
    with pytest.raises(Exception, match="läuft nicht mehr"):
        instance_cancel(instance=instance, acting_user=agent)


def test_a_pass_of_the_process_manager_sends_over_one_connection(
    office: Any, agent: Any, properties: Any, smtp_sink: Any
) -> None:
    definition_create(
        office=office,
        acting_user=agent,
        data={"name": "Begrüßung", "trigger": "expose_sent",
              "steps": [{"kind": "send_mail",
                         "params": {"subject": "Willkommen, {{ kontakt.name }}", "body": "Hallo"}}]},
    )  # fmt: skip
    for name in ("Lena Schmidt", "Jonas Becker", "Marie Koch"):
        first, last = name.split()
        email = f"{first.lower()}.{last.lower()}@example.org"
        contact(office, first_name=first, last_name=last, emails=[{"value": email}])
        inquiry = inquiry_create_from_form(
            office=office, acting_user=agent, data={"email": email, "property_external_id": "MW-1001"}
        )
        inquiry_automate(inquiry_id=inquiry.pk)
    before = (len(smtp_sink.messages), smtp_sink.greetings)
    processes_run_due()
    welcome = [m for m in smtp_sink.parsed() if str(m["Subject"]).startswith("Willkommen")]
    assert len(welcome) == 3 == len(smtp_sink.messages) - before[0]
    assert smtp_sink.greetings - before[1] == 1  # one login for the whole pass, not one per mail
