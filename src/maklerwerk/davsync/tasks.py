"""The sync as a background job (on demand from the page or API, and periodically)."""

from __future__ import annotations

import os
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import override
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.core.jobs import Progress, job_function
from maklerwerk.davsync import services
from maklerwerk.davsync.models import DavAccount

# Periodic sync of every account (environment DAVSYNC_CRON, "*/30 * * * *" by default; empty: off).
SYNC_CRON = os.environ.get("DAVSYNC_CRON", "*/30 * * * *")


@job_function("davsync.sync")
def dav_sync_job(progress: Progress, *, account_id: int, dry_run: bool = False) -> dict[str, Any]:
    account = DavAccount.objects.select_related("user", "office").get(pk=account_id)
    with override("de"):
        try:
            report = services.dav_account_sync(
                account=account,
                dry_run=dry_run,
                on_progress=lambda done, total: progress.update(done, total, _("Comparing cards")),
            )
        except ApplicationError as exc:
            return {"ok": False, "message": str(exc)}
        return {"ok": True, "message": services.summary(report), **report.as_dict()}


def _cron() -> crontab:
    minute, hour, day, month, day_of_week = (SYNC_CRON or "0 0 31 2 *").split()
    return crontab(minute=minute, hour=hour, day=day, month=month, day_of_week=day_of_week)


@db_periodic_task(_cron())
def dav_sync_tick() -> None:
    """Start one sync job per account (each account is its own job)."""
    if not SYNC_CRON:
        return
    for account in DavAccount.objects.select_related("user", "office"):
        services.dav_sync_start(account=account, user=account.user)
