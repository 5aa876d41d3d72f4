"""Background jobs with a progress record the UI and API can poll, safe against a dying worker.

A job function is declared with `@job_function("app.kind")` in the app's `tasks.py` and takes a
`Progress` plus keyword arguments of plain values; it returns a JSON-able result. The app registers
its kinds in `AppConfig.ready()`: `JOBS.register_all(declared_jobs(tasks))`. The kind is stored on
every `Job` row, so it never changes once released; a row whose kind this version no longer knows
fails with a German reason instead of crashing the worker. `job_start` creates the `Job` row and
enqueues it on commit, so a worker never sees a job whose row is not yet visible.

Crash safety: a running job holds a lease (`worker`, `lease_until`) that a heartbeat thread and
every progress update renew. A job whose lease ran out, or whose worker process on this host is
gone, is declared dead by `jobs_recover` (at worker start, every minute, and whenever a job is
read): it is marked failed with a German reason and, if its kind allows, resumed as a new job.
An exception inside the job marks it failed with the reason; it never stays "running".
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from types import ModuleType
from typing import TYPE_CHECKING, Any, TypeGuard

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import Q
from django.urls import get_resolver
from django.utils import timezone
from django.utils.translation import gettext as _
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task
from huey.signals import SIGNAL_INTERRUPTED

from maklerwerk.core.baseurl import current_request_base_url, using_base_url
from maklerwerk.core.models import Job
from maklerwerk.core.registry import Registry

if TYPE_CHECKING:
    from maklerwerk.accounts.models import Office, User

logger = logging.getLogger(__name__)

JobFunction = Callable[..., dict[str, Any] | None]
# What to do with the work of a dead job: True = run it again as a new job with the same
# arguments (the job is idempotent), a function = the kind decides (gets the dead job), False = nothing.
Resume = bool | Callable[[Job], Any]


@dataclass(frozen=True)
class JobKind:
    key: str  # "app.kind", stored on every Job row: never rename a released kind
    fn: JobFunction
    resume: Resume = False


JOBS: Registry[JobKind] = Registry("job kinds")
BASE_URL_PARAM = "_base_url"  # kept in Job.params, not passed to the job function
_stopping = threading.Event()  # set when this worker process is being stopped


def job_function(kind: str, *, resume: Resume = False) -> Callable[[JobFunction], JobFunction]:
    """Declare `fn` as the job of `kind`; the app registers it in ready() (`declared_jobs`)."""

    def declare(fn: JobFunction) -> JobFunction:
        fn.job_kind = JobKind(kind, fn, resume)  # type: ignore[attr-defined]  # read by declared_jobs
        return fn

    return declare


def declared_jobs(module: ModuleType) -> Iterator[JobKind]:
    """The job kinds declared with `@job_function` in `module`, in the order they are defined."""
    for value in vars(module).values():
        kind = getattr(value, "job_kind", None)
        if isinstance(kind, JobKind) and kind.fn is value:
            yield kind


def unknown_kind_message(kind: str) -> str:
    return _(
        "This job (%(kind)s) cannot run: this version of Maklerwerk does not know its kind. "
        "Please start it again."
    ) % {"kind": kind}


def lease_seconds() -> int:
    return max(1, int(getattr(settings, "JOB_LEASE_SECONDS", 60)))


_worker_token = secrets.token_hex(4)
_worker_pid = os.getpid()


def _host() -> str:
    """This host and PID namespace: containers sharing a host name (a pod) see different pids."""
    try:
        namespace = str(os.stat("/proc/self/ns/pid").st_ino)
    except OSError:
        namespace = "-"
    return f"{socket.gethostname()}/{namespace}"


def worker_id() -> str:
    """host:pid:token of this process; the token tells a restarted process from its dead namesake."""
    global _worker_token, _worker_pid
    if os.getpid() != _worker_pid:  # forked
        _worker_token, _worker_pid = secrets.token_hex(4), os.getpid()
    return f"{_host()}:{_worker_pid}:{_worker_token}"


def _lease_end() -> Any:
    return timezone.now() + timedelta(seconds=lease_seconds())


class Progress:
    """Writes progress to the job row (renewing its lease), at most every `interval` seconds unless forced."""

    def __init__(self, job_id: Any, interval: float = 0.5, worker: str = "") -> None:
        self.job_id = job_id
        self.interval = interval
        self.worker = worker
        self._last_write = 0.0
        self._last_percent = -1

    @property
    def stopping(self) -> bool:
        """The worker is shutting down: a job that can stop between steps should (it is resumed)."""
        return _stopping.is_set()

    def update(self, done: int, total: int, message: str = "", *, force: bool = False) -> None:
        percent = 100 if total <= 0 else min(100, int(done * 100 / total))
        now = time.monotonic()
        if not force and percent == self._last_percent and now - self._last_write < self.interval:
            return
        if not force and now - self._last_write < self.interval and percent - self._last_percent < 5:
            return
        fields: dict[str, Any] = {"percent": percent, "message": message[:300]}
        if not _stopping.is_set():
            fields["lease_until"] = _lease_end()
        Job.objects.filter(pk=self.job_id).update(**fields)
        self._last_write, self._last_percent = now, percent


class _Heartbeat:
    """Renews the lease of a running job every third of the lease, in its own thread and connection."""

    def __init__(self, job_id: Any, worker: str) -> None:
        self.job_id, self.worker = job_id, worker
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"job-heartbeat-{job_id}", daemon=True)

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._done.set()
        self._thread.join(5)

    def _run(self) -> None:
        try:
            while not self._done.wait(lease_seconds() / 3):
                if _stopping.is_set():
                    return
                try:
                    Job.objects.filter(pk=self.job_id, state=Job.State.RUNNING, worker=self.worker).update(
                        lease_until=_lease_end()
                    )
                except Exception:  # a busy database must not end the job; the next beat tries again
                    logger.warning("job %s: heartbeat failed", self.job_id, exc_info=True)
        finally:
            connection.close()


def job_start(
    *,
    kind: str,
    title: str,
    office: Office | None,
    created_by: User | None,
    resumed_from: Job | None = None,
    enqueue_now: bool = False,
    **kwargs: Any,
) -> Job:
    """Create a queued job and hand it to the worker once the transaction commits.

    `enqueue_now`: hand it over at once; for callers that run outside any transaction (the mail
    fetch enqueues one job per inquiry after its intake transactions committed)."""
    if kind not in JOBS:
        raise KeyError(f"unknown job kind {kind!r}")
    # Links the job builds use the address of the request that started it (core/baseurl.py).
    base = kwargs.pop(BASE_URL_PARAM, None) or current_request_base_url()
    if base:
        kwargs[BASE_URL_PARAM] = base
    job = Job.objects.create(
        kind=kind, title=title, office=office, created_by=created_by, params=kwargs, resumed_from=resumed_from
    )
    if enqueue_now:
        run_job_task(str(job.pk), kwargs)
    else:
        transaction.on_commit(lambda: run_job_task(str(job.pk), kwargs))
    return job


def job_run(job_id: str, kwargs: dict[str, Any]) -> None:
    """Run a job in this process. Claims it with a conditional UPDATE so it runs once."""
    me = worker_id()
    claimed = Job.objects.filter(pk=job_id, state=Job.State.QUEUED).update(
        state=Job.State.RUNNING, started_at=timezone.now(), worker=me, lease_until=_lease_end()
    )
    if not claimed:
        logger.info("job %s already claimed or unknown; skipping", job_id)
        return
    job = Job.objects.get(pk=job_id)
    mine = Job.objects.filter(pk=job_id, state=Job.State.RUNNING, worker=me)
    kind = JOBS.get(job.kind)
    if kind is None:  # queued by an older version (or an app that was removed) before a restart
        reason = unknown_kind_message(job.kind)
        logger.error("job %s has the unknown kind %r; marked failed", job_id, job.kind)
        mine.update(
            state=Job.State.FAILED,
            error=reason,
            message=reason[:300],
            finished_at=timezone.now(),
            lease_until=None,
        )
        return
    try:
        kwargs = dict(kwargs)
        with _Heartbeat(job.pk, me), using_base_url(kwargs.pop(BASE_URL_PARAM, None)):
            result = kind.fn(Progress(job.pk, worker=me), **kwargs) or {}
    except Exception as exc:
        logger.exception("job %s (%s) failed", job_id, job.kind)
        mine.update(
            state=Job.State.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            message=(str(exc) or type(exc).__name__)[:300],
            finished_at=timezone.now(),
            lease_until=None,
        )
        logger.debug("%s", traceback.format_exc())
        return
    except BaseException:
        # KeyboardInterrupt/SystemExit: the worker is being stopped. Give the lease up so the
        # next worker (or the next read) recovers the job at once.
        mine.update(lease_until=timezone.now())
        raise
    # A job may sum itself up for the user in `result["message"]` ("1.234 Datensätze exportiert").
    final = {"message": str(result["message"])[:300]} if result.get("message") else {}
    mine.update(
        state=Job.State.SUCCEEDED,
        percent=100,
        result=result,
        finished_at=timezone.now(),
        lease_until=None,
        **final,
    )


# --- recovery -----------------------------------------------------------------------------------


def _process_gone(worker: str) -> bool:
    """Is the worker that holds a lease a process on this host that no longer runs?"""
    host, _sep, rest = worker.partition(":")
    pid_text, _sep, token = rest.partition(":")
    if host != _host() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return f"{host}:{pid}:{token}" != worker_id()  # our pid, an earlier life (containers reuse pids)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def job_declare_dead(job: Job, reason: str | None = None) -> bool:
    """Mark a running job failed (once, by conditional UPDATE) and hand its work on; True if we did."""
    reason = reason or _("Interrupted: the background worker stopped while this job was running.")
    done = Job.objects.filter(pk=job.pk, state=Job.State.RUNNING, worker=job.worker).update(
        state=Job.State.FAILED,
        message=reason[:300],
        error=reason,
        finished_at=timezone.now(),
        lease_until=None,
    )
    if not done:
        return False
    logger.warning("job %s (%s) of worker %s declared dead", job.pk, job.kind, job.worker or "?")
    kind = JOBS.get(job.kind)
    job.refresh_from_db()
    try:
        if kind is None or not kind.resume:
            return True
        if callable(kind.resume):
            kind.resume(job)
        else:
            job_resume(job)
    except Exception:
        logger.exception("job %s: resuming failed", job.pk)
    return True


def job_resume(job: Job) -> Job:
    """Run a dead job's work again as a new job with the same arguments."""
    new = job_start(
        kind=job.kind,
        title=job.title,
        office=job.office,
        created_by=job.created_by,
        resumed_from=job,
        **job.params,
    )
    Job.objects.filter(pk=job.pk).update(
        message=(
            job.message + " " + _("The remaining work continues in a new job.")
            if job.message
            else _("The remaining work continues in a new job.")
        )[:300]
    )
    return new


def _dead(job: Job, now: Any) -> bool:
    return job.lease_until is None or job.lease_until < now or _process_gone(job.worker)


def jobs_recover() -> list[Job]:
    """Declare dead every running job whose lease ran out or whose worker process here is gone."""
    now = timezone.now()
    here = _host() + ":"
    candidates = Job.objects.filter(state=Job.State.RUNNING).filter(
        Q(lease_until__isnull=True) | Q(lease_until__lt=now) | Q(worker__startswith=here)
    )
    recovered = [job for job in candidates if _dead(job, now) and job_declare_dead(job)]
    return recovered


def job_check(job: Job) -> Job:
    """On read: a running job whose lease ran out is declared dead now; returns the fresh row."""
    if job.state == Job.State.RUNNING and _dead(job, timezone.now()):
        job_declare_dead(job)
        job.refresh_from_db()
    return job


def job_alive(job: Job | None) -> TypeGuard[Job]:
    """Queued, or running under a valid lease (a dead one is declared so on the way)."""
    if job is None:
        return False
    job.refresh_from_db()
    return job_check(job).state in (Job.State.QUEUED, Job.State.RUNNING)


@db_task()
def run_job_task(job_id: str, kwargs: dict[str, Any]) -> None:
    job_run(job_id, kwargs)


@db_periodic_task(crontab(minute="*"))
def jobs_recover_periodic() -> None:
    for job in jobs_recover():
        logger.warning("recovered dead job %s (%s)", job.pk, job.kind)


@HUEY.on_startup()
def _recover_on_startup() -> None:
    """A (re)started worker first picks up what a killed one left behind."""
    close_old_connections()
    try:
        jobs_recover()
    except Exception:
        logger.exception("recovering dead jobs at start failed")
    finally:
        connection.close()


@HUEY.on_startup()
def _load_urls_on_startup() -> None:
    """Jobs build links with `reverse`: load the URL configuration (the API's schemas take a second
    or two) when the worker starts, not inside its first job."""
    get_resolver().reverse_dict  # noqa: B018  (reading it loads and indexes every URL pattern)


@HUEY.signal(SIGNAL_INTERRUPTED)
def _on_interrupted(signal: str, task: Any) -> None:
    """The consumer stops without waiting (SIGTERM): give up our leases so recovery is immediate."""
    _stopping.set()
    try:
        Job.objects.filter(state=Job.State.RUNNING, worker=worker_id()).update(lease_until=timezone.now())
    except Exception:
        logger.exception("releasing the leases of interrupted jobs failed")
    finally:
        connection.close()
