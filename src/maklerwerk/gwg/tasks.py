"""Jobs of the GwG file: the nightly retention sweep and the reminder of the risk analysis review."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from maklerwerk.gwg import reminders
from maklerwerk.gwg.retention import retention_sweep


@db_periodic_task(crontab(minute="37", hour="3"))
def gwg_retention_nightly() -> None:
    """Every night: delete the cases whose five years (§8 Abs. 4 GwG) are over."""
    retention_sweep()


@db_periodic_task(crontab(minute="7", hour="6"))
def gwg_risk_analysis_reminder_daily() -> None:
    """Every morning: a task for the office's administrators when the risk analysis review is due."""
    reminders.risk_analysis_reminders()
