"""Background jobs with a progress record the UI and API can poll.

A job function is registered with `@job_function("kind")` and takes a `Progress` plus keyword
arguments of plain values; it returns a JSON-able result. `job_start` creates the `Job` row and
enqueues it on commit, so a worker never sees a job whose row is not yet visible.
"""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from huey.contrib.djhuey import db_task

from maklerwerk.core.models import Job

if TYPE_CHECKING:
    from maklerwerk.accounts.models import Office, User

logger = logging.getLogger(__name__)

JobFunction = Callable[..., dict[str, Any] | None]
_REGISTRY: dict[str, JobFunction] = {}


def job_function(kind: str) -> Callable[[JobFunction], JobFunction]:
    def register(fn: JobFunction) -> JobFunction:
        _REGISTRY[kind] = fn
        return fn

    return register


class Progress:
    """Writes progress to the job row, at most every `interval` seconds unless forced."""

    def __init__(self, job_id: Any, interval: float = 0.5) -> None:
        self.job_id = job_id
        self.interval = interval
        self._last_write = 0.0
        self._last_percent = -1

    def update(self, done: int, total: int, message: str = "", *, force: bool = False) -> None:
        percent = 100 if total <= 0 else min(100, int(done * 100 / total))
        now = time.monotonic()
        if not force and percent == self._last_percent and now - self._last_write < self.interval:
            return
        if not force and now - self._last_write < self.interval and percent - self._last_percent < 5:
            return
        Job.objects.filter(pk=self.job_id).update(percent=percent, message=message[:300])
        self._last_write, self._last_percent = now, percent


def job_start(*, kind: str, title: str, office: Office | None, created_by: User | None, **kwargs: Any) -> Job:
    """Create a queued job and hand it to the worker once the transaction commits."""
    if kind not in _REGISTRY:
        raise KeyError(f"unknown job kind {kind!r}")
    job = Job.objects.create(kind=kind, title=title, office=office, created_by=created_by)
    transaction.on_commit(lambda: run_job_task(str(job.pk), kwargs))
    return job


def job_run(job_id: str, kwargs: dict[str, Any]) -> None:
    """Run a job in this process. Claims it with a conditional UPDATE so it runs once."""
    claimed = Job.objects.filter(pk=job_id, state=Job.State.QUEUED).update(
        state=Job.State.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        logger.info("job %s already claimed or unknown; skipping", job_id)
        return
    job = Job.objects.get(pk=job_id)
    try:
        result = _REGISTRY[job.kind](Progress(job.pk), **kwargs) or {}
    except Exception as exc:
        logger.exception("job %s (%s) failed", job_id, job.kind)
        Job.objects.filter(pk=job_id).update(
            state=Job.State.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            message=str(exc)[:300],
            finished_at=timezone.now(),
        )
        logger.debug("%s", traceback.format_exc())
        return
    # A job may sum itself up for the user in `result["message"]` ("1.234 Datensätze exportiert").
    final = {"message": str(result["message"])[:300]} if result.get("message") else {}
    Job.objects.filter(pk=job_id).update(
        state=Job.State.SUCCEEDED, percent=100, result=result, finished_at=timezone.now(), **final
    )


@db_task()
def run_job_task(job_id: str, kwargs: dict[str, Any]) -> None:
    job_run(job_id, kwargs)
