"""Periodic fetch of all mailboxes (cron from INQUIRY_FETCH_CRON, default every 5 minutes).

`maklerwerk fetch_inquiries` runs the same pass by hand.
"""

from __future__ import annotations

import logging
import os

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

logger = logging.getLogger(__name__)


def _cron(value: str) -> crontab:
    """A 5-field cron string ("*/5 * * * *") as a Huey crontab."""
    minute, hour, day, month, day_of_week = value.split()
    return crontab(minute=minute, hour=hour, day=day, month=month, day_of_week=day_of_week)


FETCH_CRON = os.environ.get("INQUIRY_FETCH_CRON", "*/5 * * * *")


@db_periodic_task(_cron(FETCH_CRON))
@lock_task("inquiries-fetch")
def fetch_inquiries_periodic() -> None:
    from maklerwerk.inquiries.handler import fetch_all

    for result in fetch_all():
        logger.info("inquiries fetch: %s", result.as_dict())
