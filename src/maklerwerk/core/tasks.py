"""The foundation's huey task that runs every job; the job kinds are registered in CoreConfig.ready()."""

from maklerwerk.core.jobs import run_job_task  # noqa: F401
