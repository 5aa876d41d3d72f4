"""Huey discovers this module in every app; importing it registers the job functions."""

from maklerwerk.core import services  # noqa: F401  (registers core.data_export)
from maklerwerk.core.jobs import run_job_task  # noqa: F401
