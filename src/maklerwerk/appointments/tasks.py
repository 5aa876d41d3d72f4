"""The reminder job (reminders before appointments, the daily agenda) and its periodic tick.

The job is resumed when its worker dies: every mail is claimed before it is sent
(`reminders.claim`), so a second run sends only what nobody claimed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from maklerwerk.appointments.reminders import agendas_send, reminders_send
from maklerwerk.core.jobs import Progress, job_alive, job_function, job_start
from maklerwerk.core.models import Job

REMIND = "appointments.remind"


@job_function(REMIND, resume=True)
def remind_job(progress: Progress) -> dict[str, Any]:
    progress.update(0, 2, "Erinnerungen", force=True)
    reminders = reminders_send()
    progress.update(1, 2, "Tagesübersicht", force=True)
    agendas = agendas_send()
    sent, failed = reminders.sent + agendas.sent, reminders.failed + agendas.failed
    message = f"{reminders.sent} Erinnerungen, {agendas.sent} Tagesübersichten gesendet"
    if failed:
        message += f", {failed} fehlgeschlagen"
    return {"sent": sent, "failed": failed, "message": message}


def remind_start() -> Job | None:
    """Start a reminder run unless one is still at work (the claims make a parallel one harmless)."""
    recent = timezone.now() - dt.timedelta(minutes=15)
    jobs = Job.objects.filter(kind=REMIND)
    busy = jobs.filter(state=Job.State.RUNNING) | jobs.filter(state=Job.State.QUEUED, created_at__gte=recent)
    if any(job_alive(job) for job in busy):
        return None
    old = timezone.now() - dt.timedelta(days=2)
    jobs.filter(created_at__lt=old).exclude(state__in=[Job.State.QUEUED, Job.State.RUNNING]).delete()
    return job_start(kind=REMIND, title="Terminerinnerungen", office=None, created_by=None, enqueue_now=True)


@db_periodic_task(crontab(minute="*/5"))
def remind_periodic() -> None:
    remind_start()
