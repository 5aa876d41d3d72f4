"""Jobs of the inquiry manager: one fetch job per mailbox, one automation job per inquiry.

The periodic tick (cron from INQUIRY_FETCH_CRON, default every 5 minutes) starts a fetch job for
each active mailbox that has none at work: each mailbox is its own lock, so a slow or broken
mailbox delays no other and several workers fetch in parallel. A fetch job only takes mail in and
enqueues one `inquiries.automate` job per new inquiry. Every job holds a core.jobs lease: a worker
killed during a fetch leaves a job that is declared dead, never a lock that blocks later fetches
(as Huey's lock_task did), and a killed automation job is resumed (it continues from the
inquiry's claims, so nothing is sent twice). `maklerwerk fetch_inquiries` runs a pass by hand.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import time
from typing import Any

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from maklerwerk.core.jobs import Progress, job_alive, job_function, job_start
from maklerwerk.core.models import Job
from maklerwerk.inquiries.automation import AUTOMATE, inquiry_process
from maklerwerk.inquiries.handler import housekeeping, mailbox_fetch
from maklerwerk.inquiries.models import Mailbox

logger = logging.getLogger(__name__)

FETCH = "inquiries.fetch"


def _cron(value: str) -> crontab:
    """A 5-field cron string ("*/5 * * * *") as a Huey crontab."""
    minute, hour, day, month, day_of_week = value.split()
    return crontab(minute=minute, hour=hour, day=day, month=month, day_of_week=day_of_week)


FETCH_CRON = os.environ.get("INQUIRY_FETCH_CRON", "*/5 * * * *")


@job_function(FETCH)  # not resumed: the next tick fetches again (intake is claimed per mail)
def fetch_mailbox_job(progress: Progress, mailbox_id: int) -> dict[str, Any]:

    mailbox = Mailbox.objects.select_related("main_user", "office").filter(pk=mailbox_id, active=True).first()
    if mailbox is None:
        return {"message": "Postfach nicht mehr aktiv."}
    result = mailbox_fetch(mailbox)
    logger.info("inquiries fetch: %s", result.as_dict())
    summary = f"{result.taken_in} neu übernommen, {result.already_known} bereits bekannt"
    return {**result.as_dict(), "message": result.error or summary}


@job_function(AUTOMATE, resume=True)  # resumable: the inquiry's claims make a second run harmless
def inquiry_automate_job(progress: Progress, inquiry_id: int) -> dict[str, Any]:

    cpu = time.thread_time()
    inquiry = inquiry_process(inquiry_id=inquiry_id)
    return {
        "inquiry_id": inquiry.pk,
        "status": inquiry.status,
        "message": inquiry.get_status_display(),
        # This job's own CPU time: what it costs whatever else the machine is doing (the benchmark).
        "cpu_ms": round((time.thread_time() - cpu) * 1000, 1),
    }


def _busy(mailbox_id: int) -> bool:
    """The mailbox's own lock: a fetch job of it queued lately or running under its lease."""
    recent = timezone.now() - dt.timedelta(minutes=15)
    jobs = Job.objects.filter(kind=FETCH, params__mailbox_id=mailbox_id)
    busy = jobs.filter(state=Job.State.RUNNING) | jobs.filter(state=Job.State.QUEUED, created_at__gte=recent)
    return any(job_alive(job) for job in busy)


def fetch_mailbox_start(mailbox_id: int) -> Job | None:
    """Start a fetch of one mailbox unless one of it is still at work."""

    mailbox = Mailbox.objects.select_related("office").get(pk=mailbox_id)
    if _busy(mailbox_id):
        return None
    return job_start(
        kind=FETCH,
        title=f"Postfach „{mailbox.name}“ abrufen",
        office=mailbox.office,
        created_by=None,
        enqueue_now=True,
        mailbox_id=mailbox_id,
    )


def fetch_inquiries_start() -> list[Job]:
    """The tick: a fetch job per active mailbox that is not at work, then the housekeeping."""

    old = timezone.now() - dt.timedelta(days=7)
    Job.objects.filter(kind__in=[FETCH, AUTOMATE], created_at__lt=old).exclude(
        state__in=[Job.State.QUEUED, Job.State.RUNNING]
    ).delete()
    started = []
    for pk in Mailbox.objects.filter(active=True).order_by("pk").values_list("pk", flat=True):
        job = fetch_mailbox_start(pk)
        if job is not None:
            started.append(job)
    housekeeping()
    return started


@db_periodic_task(_cron(FETCH_CRON))
def fetch_inquiries_periodic() -> None:
    fetch_inquiries_start()
