"""Jobs of the portal transfer: one `portals.transfer` job per run, and the periodic tick.

A transfer job is resumed when its worker dies: every step of `transfer.transfer_execute` is safe
to repeat (the package is written once per run, the upload replaces the same file name, IS24
entries are marked done one by one). The tick (every minute) starts a partial transfer for each
active portal with an assignment waiting or a property changed since it was sent.
"""

from __future__ import annotations

from typing import Any

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from maklerwerk.core.jobs import Progress, job_function
from maklerwerk.portals.models import TransferRun  # tasks load before the apps' models
from maklerwerk.portals.services import transfers_tick
from maklerwerk.portals.transfer import transfer_execute

TRANSFER = "portals.transfer"


@job_function(TRANSFER, resume=True)
def transfer_job(progress: Progress, run_id: int) -> dict[str, Any]:

    TransferRun.objects.filter(pk=run_id).update(job_id=progress.job_id)  # a resumed run: its new job
    progress.update(0, 1, "Übertragung läuft", force=True)
    run = transfer_execute(run_id=run_id)
    return {"run_id": run.pk, "state": run.state, "message": run.message}


@db_periodic_task(crontab(minute="*"))
def transfers_tick_periodic() -> None:

    transfers_tick()
