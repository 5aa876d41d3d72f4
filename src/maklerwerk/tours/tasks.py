"""Jobs of the tours app: the periodic close of idle visits (one activity per visit)."""

from __future__ import annotations

from typing import Any

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from maklerwerk.core.jobs import Progress, job_alive, job_function, job_start
from maklerwerk.core.models import Job
from maklerwerk.tours.tracking import visits_close_idle

CLOSE = "tours.close_visits"


@job_function(CLOSE, resume=True)  # each visit is claimed with its activity: a second run is harmless
def close_visits_job(progress: Progress) -> dict[str, Any]:
    closed = visits_close_idle()
    return {"closed": closed, "message": f"{closed} Besuche abgeschlossen"}


def close_visits_start() -> Job | None:
    """Start the close job unless one is at work (the tick runs every five minutes)."""
    busy = Job.objects.filter(kind=CLOSE, state__in=[Job.State.QUEUED, Job.State.RUNNING])
    if any(job_alive(job) for job in busy):
        return None
    return job_start(kind=CLOSE, title="Rundgang-Besuche abschließen", office=None, created_by=None)


@db_periodic_task(crontab(minute="*/5"))
def close_visits_periodic() -> None:
    close_visits_start()
