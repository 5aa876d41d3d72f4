"""The real Huey consumer against the configured storage: SQLite file, or Redis with REDIS_URL.

CI runs this file once more with REDIS_URL set (`make test-jobs`), so both storages are proven.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from huey.consumer import Consumer
from huey.contrib.djhuey import HUEY

from maklerwerk.core.jobs import job_start
from maklerwerk.core.models import Job
from tests.core.test_jobs import _count_to  # noqa: F401  (registers tests.count_to)

pytestmark = [pytest.mark.jobs, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def consumer() -> Iterator[Consumer]:
    HUEY.immediate = False  # back to the configured storage
    HUEY.flush()
    worker = Consumer(HUEY, workers=1, worker_type="thread", periodic=False, check_worker_health=False)
    thread = threading.Thread(target=worker.run, daemon=True)
    # Consumer.run installs signal handlers, which only the main thread may do.
    worker._set_signal_handlers = lambda: None
    thread.start()
    yield worker
    worker.stop(graceful=True)
    thread.join(10)
    HUEY.flush()
    HUEY.immediate = True


def _wait_finished(job: Job, timeout: float = 20) -> Job:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        job.refresh_from_db()
        if job.is_finished:
            return job
        time.sleep(0.05)
    raise AssertionError(f"job still {job.state} after {timeout}s")


def test_the_worker_runs_queued_jobs_from_the_storage(
    consumer: Consumer, office: Any, agent: Any, settings: Any
) -> None:
    expected = "huey.RedisHuey" if settings.REDIS_URL else "huey.SqliteHuey"
    assert settings.HUEY["huey_class"] == expected
    assert type(HUEY).__name__ == expected.split(".")[1]
    jobs = [
        job_start(kind="tests.count_to", title=f"Job {i}", office=office, created_by=agent, n=3)
        for i in range(3)
    ]
    for job in jobs:
        done = _wait_finished(job)
        assert done.state == "succeeded" and done.result == {"counted": 3} and done.percent == 100
