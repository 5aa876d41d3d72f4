"""Jobs of the mail sync: one archive job per account; a periodic tick starts them.

The tick (cron from MAILSYNC_CRON, default every 15 minutes) starts a job for each active account
that has none at work. A job runs under a `core.jobs` lease; a killed worker's job is resumed
(`resume=True`): the archive claims each message office-wide and keeps the folder mark after every
message, so the second run continues and never creates an activity twice.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from maklerwerk.core.jobs import Progress, job_alive, job_function, job_start
from maklerwerk.core.models import Job
from maklerwerk.mailsync.models import MailAccount
from maklerwerk.mailsync.sync import account_sync

SYNC = "mailsync.account"


def _cron(value: str) -> crontab:
    minute, hour, day, month, day_of_week = value.split()
    return crontab(minute=minute, hour=hour, day=day, month=month, day_of_week=day_of_week)


SYNC_CRON = os.environ.get("MAILSYNC_CRON", "*/15 * * * *")


@job_function(SYNC, resume=True)
def account_sync_job(progress: Progress, account_id: int, dry_run: bool = False) -> dict[str, Any]:
    account = MailAccount.objects.select_related("user", "office").filter(pk=account_id, active=True).first()
    if account is None:
        return {"message": "Postfach nicht mehr aktiv."}
    steps = [0]

    def report(text: str) -> None:
        steps[0] += 1
        progress.update(min(steps[0], 9), 10, text)

    return account_sync(account, dry_run=dry_run, report=report).as_dict()


def _busy(account_id: int) -> bool:
    recent = timezone.now() - dt.timedelta(minutes=30)
    jobs = Job.objects.filter(kind=SYNC, params__account_id=account_id)
    busy = jobs.filter(state=Job.State.RUNNING) | jobs.filter(state=Job.State.QUEUED, created_at__gte=recent)
    return any(job_alive(job) for job in busy)


def account_sync_start(
    account: MailAccount, *, dry_run: bool = False, enqueue_now: bool = False
) -> Job | None:
    """Start the archive of one account unless one of it is at work (each account is its own lock)."""
    if _busy(account.pk):
        return None
    return job_start(
        kind=SYNC,
        title=f"Postfach {account.email} archivieren",
        office=account.office,
        created_by=account.user,
        enqueue_now=enqueue_now,
        account_id=account.pk,
        dry_run=dry_run,
    )


def sync_all_start() -> list[Job]:
    old = timezone.now() - dt.timedelta(days=7)
    Job.objects.filter(kind=SYNC, created_at__lt=old).exclude(
        state__in=[Job.State.QUEUED, Job.State.RUNNING]
    ).delete()
    started = []
    for account in MailAccount.objects.filter(active=True).select_related("office", "user").order_by("pk"):
        job = account_sync_start(account, enqueue_now=True)
        if job is not None:
            started.append(job)
    return started


@db_periodic_task(_cron(SYNC_CRON))
def mailsync_periodic() -> None:
    sync_all_start()
