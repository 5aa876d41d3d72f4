"""The dry run and the commit of a CSV import as background jobs (progress on the run's page).

The commit is resumed after a dying worker: it walks the file again and the rows it already did
are found by their import records (see csvimport.py), so nothing is created twice."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from maklerwerk.accounts.models import User
from maklerwerk.core.jobs import Progress, job_alive, job_function, job_start
from maklerwerk.core.models import Job
from maklerwerk.imports import csvimport, drop, openimmo, scout, services, tables, vcards
from maklerwerk.imports.models import ImportRun


def walk_for(run: ImportRun) -> Callable[..., csvimport.Report]:
    """The walk that reads the run's file: OpenImmo listings, contact rows or other table rows."""
    if run.source_format == ImportRun.Format.OPENIMMO:
        return openimmo.run_listings
    if run.source_format == ImportRun.Format.VCARD:
        return vcards.run_cards
    if run.source_format == ImportRun.Format.IS24:
        return scout.run_scout
    return csvimport.run_rows if run.kind == "contacts" else tables.run_table


def _run(progress: Progress, run_id: int, user_id: int | None, dry_run: bool) -> dict[str, Any]:
    run = ImportRun.objects.select_related("office").get(pk=run_id)
    user = User.objects.filter(pk=user_id).first() if user_id else None
    with override("de"):
        walk = walk_for(run)
        report = walk(
            run=run,
            acting_user=user,
            dry_run=dry_run,
            on_progress=lambda done, total: progress.update(
                done, total, _("%(done)s of %(total)s rows") % {"done": done, "total": total}
            ),
        ).as_dict()
        services.run_report_save(run=run, report=report)
        counts = report["counts"]
        message = (
            _("%(created)s new, %(updated)s updated, %(unchanged)s unchanged, %(failed)s with errors")
            % counts
        )
    return {"redirect": reverse("imports:run", args=[run.pk]), "message": message, "counts": counts}


@job_function("imports.csv_dry_run")
def csv_dry_run_job(progress: Progress, *, run_id: int, user_id: int | None) -> dict[str, Any]:
    return _run(progress, run_id, user_id, dry_run=True)


@job_function("imports.csv_commit", resume=True)
def csv_commit_job(progress: Progress, *, run_id: int, user_id: int | None) -> dict[str, Any]:
    return _run(progress, run_id, user_id, dry_run=False)


@job_function("imports.ftp_drop")
def ftp_drop_job(progress: Progress, *, drop_id: int) -> dict[str, Any]:
    """Fetch the office's FTP drop once (also run by `maklerwerk import_ftp_drop`)."""
    found = drop.FtpDrop.objects.select_related("office", "acting_user").get(pk=drop_id)
    with override("de"):
        result = drop.drop_fetch(drop=found)
        progress.update(1, 1, result.message)
    return {"redirect": reverse("imports:index"), "message": result.message, "runs": result.runs}


# The drops are fetched every 15 minutes (IMPORT_FTP_DROP_CRON, 5 cron fields), each its own job.
DROP_CRON = os.environ.get("IMPORT_FTP_DROP_CRON", "*/15 * * * *")


def drops_tick() -> list[Job]:
    """Start a fetch of every office's FTP drop that has none at work (a slow server delays no
    other office, and a drop is never fetched twice at once). Returns the jobs started."""
    started = []
    recent = timezone.now() - dt.timedelta(minutes=30)
    for found in drop.FtpDrop.objects.exclude(host="").select_related("office"):
        jobs = Job.objects.filter(kind="imports.ftp_drop", params__drop_id=found.pk)
        queued = jobs.filter(state=Job.State.QUEUED, created_at__gte=recent)
        if any(job_alive(job) for job in jobs.filter(state=Job.State.RUNNING) | queued):
            continue
        job = job_start(
            kind="imports.ftp_drop",
            title=_("Fetch the FTP drop"),
            office=found.office,
            created_by=None,
            enqueue_now=True,
            drop_id=found.pk,
        )
        started.append(job)
    return started


def _cron(value: str) -> crontab:
    minute, hour, day, month, day_of_week = value.split()
    return crontab(minute=minute, hour=hour, day=day, month=month, day_of_week=day_of_week)


@db_periodic_task(_cron(DROP_CRON))
def ftp_drops_periodic() -> None:
    drops_tick()
