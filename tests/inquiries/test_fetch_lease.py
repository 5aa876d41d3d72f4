"""The periodic tick starts one leased fetch job per mailbox, each mailbox its own lock: a worker
killed during a fetch blocks nothing, and a mailbox at work delays no other."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from maklerwerk.core.models import Job
from maklerwerk.inquiries.models import Mailbox
from maklerwerk.inquiries.tasks import fetch_inquiries_periodic

pytestmark = pytest.mark.django_db(transaction=True)


def _fetch_job(mailbox: Mailbox, *, lease_until: Any) -> Job:
    return Job.objects.create(
        kind="inquiries.fetch",
        title=f"Postfach „{mailbox.name}“ abrufen",
        office_id=mailbox.office_id,
        state=Job.State.RUNNING,
        started_at=timezone.now() - dt.timedelta(minutes=3),
        worker="worker-2.internal:7:5e6f7a8b",
        lease_until=lease_until,
        params={"mailbox_id": mailbox.pk},
    )


def _second_mailbox(mailbox: Mailbox, agent: Any, account: dict[str, Any]) -> Mailbox:
    from maklerwerk.inquiries.services import mailbox_create

    return mailbox_create(
        office=mailbox.office, acting_user=agent,
        data={"name": "Vermietung", "host": account["host"], "port": account["port"], "security": "none",
              "username": account["username"], "password": account["password"]},
    )  # fmt: skip


def test_a_fetch_killed_mid_run_does_not_block_the_next_one(mailbox: Mailbox) -> None:
    """GIVEN a worker killed during a fetch (its job row running, and the lock Huey's lock_task kept
    in the job storage before this version) WHEN the next tick comes THEN the mailbox is fetched."""
    dead = _fetch_job(mailbox, lease_until=timezone.now() - dt.timedelta(seconds=1))
    stale_lock = HUEY.lock_task("inquiries-fetch")
    stale_lock.acquire()
    try:
        fetch_inquiries_periodic.call_local()
    finally:
        stale_lock.release()
    dead.refresh_from_db()
    assert dead.state == "failed" and dead.message.startswith("Unterbrochen")
    fresh = Job.objects.exclude(pk=dead.pk).get(kind="inquiries.fetch")
    assert (fresh.state, fresh.title, fresh.params) == (
        "succeeded",
        "Postfach „Anfragen“ abrufen",
        {"mailbox_id": mailbox.pk},
    )
    assert fresh.message == "0 neu übernommen, 0 bereits bekannt"
    mailbox.refresh_from_db()
    assert mailbox.last_status == "ok"


def test_a_mailbox_at_work_is_not_fetched_twice_and_holds_up_no_other(
    mailbox: Mailbox, agent: Any, dovecot: Any
) -> None:
    other = _second_mailbox(mailbox, agent, dovecot.add_user())
    busy = _fetch_job(mailbox, lease_until=timezone.now() + dt.timedelta(minutes=1))
    fetch_inquiries_periodic.call_local()
    jobs = {j.params["mailbox_id"]: j for j in Job.objects.exclude(pk=busy.pk).filter(kind="inquiries.fetch")}
    assert set(jobs) == {other.pk}
    assert jobs[other.pk].state == "succeeded"
    busy.refresh_from_db()
    assert busy.state == "running"
    other.refresh_from_db()
    assert other.last_status == "ok"
