"""The dry run and the commit of a CSV import as background jobs (progress on the run's page).

The commit is resumed after a dying worker: it walks the file again and the rows it already did
are found by their import records (see csvimport.py), so nothing is created twice."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override

from maklerwerk.accounts.models import User
from maklerwerk.core.jobs import Progress, job_function
from maklerwerk.imports import csvimport, drop, openimmo, services, tables, vcards
from maklerwerk.imports.models import ImportRun


def walk_for(run: ImportRun) -> Callable[..., csvimport.Report]:
    """The walk that reads the run's file: OpenImmo listings, contact rows or other table rows."""
    if run.source_format == ImportRun.Format.OPENIMMO:
        return openimmo.run_listings
    if run.source_format == ImportRun.Format.VCARD:
        return vcards.run_cards
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
