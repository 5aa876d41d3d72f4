"""Periodic fetch of all mailboxes (cron from INQUIRY_FETCH_CRON, default every 5 minutes).

`maklerwerk fetch_inquiries` runs the same pass by hand. Each pass is a core.jobs job, so it holds
a lease: a worker killed during a fetch leaves a job that is declared dead, never a lock that
blocks every later fetch (as Huey's lock_task did, whose lock outlives a killed process).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from typing import Any

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from maklerwerk.core.jobs import Progress, job_alive, job_function, job_start
from maklerwerk.core.models import Job

logger = logging.getLogger(__name__)

KIND = "inquiries.fetch"


def _cron(value: str) -> crontab:
    """A 5-field cron string ("*/5 * * * *") as a Huey crontab."""
    minute, hour, day, month, day_of_week = value.split()
    return crontab(minute=minute, hour=hour, day=day, month=month, day_of_week=day_of_week)


FETCH_CRON = os.environ.get("INQUIRY_FETCH_CRON", "*/5 * * * *")


@job_function(KIND)  # not resumed: the next tick fetches again (intake is claimed per mail)
def fetch_inquiries_job(progress: Progress) -> dict[str, Any]:
    from maklerwerk.inquiries.handler import fetch_all

    results = [r.as_dict() for r in fetch_all()]
    for result in results:
        logger.info("inquiries fetch: %s", result)
    return {"mailboxes": results}


def fetch_inquiries_start() -> Job | None:
    """Start a fetch pass unless one is still at work (queued lately, or running under its lease)."""
    recent = timezone.now() - dt.timedelta(minutes=15)
    busy = Job.objects.filter(kind=KIND).filter(state=Job.State.RUNNING) | Job.objects.filter(
        kind=KIND, state=Job.State.QUEUED, created_at__gte=recent
    )
    if any(job_alive(job) for job in busy):
        return None
    Job.objects.filter(kind=KIND, created_at__lt=timezone.now() - dt.timedelta(days=7)).delete()
    return job_start(kind=KIND, title="Postfächer abrufen", office=None, created_by=None)


@db_periodic_task(_cron(FETCH_CRON))
def fetch_inquiries_periodic() -> None:
    fetch_inquiries_start()
