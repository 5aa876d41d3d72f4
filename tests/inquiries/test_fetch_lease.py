"""The periodic mailbox fetch runs as a leased job: a worker killed during a fetch blocks nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from maklerwerk.core.models import Job
from maklerwerk.inquiries.tasks import fetch_inquiries_periodic

pytestmark = pytest.mark.django_db(transaction=True)


def _fetch_job(*, lease_until: Any) -> Job:
    return Job.objects.create(
        kind="inquiries.fetch",
        title="Postfächer abrufen",
        state=Job.State.RUNNING,
        started_at=timezone.now() - dt.timedelta(minutes=3),
        worker="worker-2.internal:7:5e6f7a8b",
        lease_until=lease_until,
    )


def test_a_fetch_killed_mid_run_does_not_block_the_next_one(db: None) -> None:
    """GIVEN a worker killed during a fetch (its job row running, and the lock Huey's lock_task kept
    in the job storage before this version) WHEN the next tick comes THEN it fetches."""
    dead = _fetch_job(lease_until=timezone.now() - dt.timedelta(seconds=1))
    stale_lock = HUEY.lock_task("inquiries-fetch")
    stale_lock.acquire()
    try:
        fetch_inquiries_periodic.call_local()
    finally:
        stale_lock.release()
    dead.refresh_from_db()
    assert dead.state == "failed" and dead.message.startswith("Unterbrochen")
    fresh = Job.objects.exclude(pk=dead.pk).get(kind="inquiries.fetch")
    assert fresh.state == "succeeded" and fresh.result == {"mailboxes": []}


def test_a_fetch_at_work_is_not_started_twice(db: None) -> None:
    busy = _fetch_job(lease_until=timezone.now() + dt.timedelta(minutes=1))
    fetch_inquiries_periodic.call_local()
    assert list(Job.objects.values_list("pk", "state")) == [(busy.pk, "running")]
