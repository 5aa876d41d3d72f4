"""The offer job: one individual mail per recipient, each claimed before it is sent.

If the worker dies, core.jobs declares the job dead and `services.offer_job_interrupted` resolves it:
the recipient in flight becomes "delivery unclear", the waiting ones go out in a new job.
"""

from __future__ import annotations

from typing import Any

from maklerwerk.core.jobs import Progress, job_function
from maklerwerk.exposes import services


@job_function("exposes.offer_send", resume=services.offer_job_interrupted)
def offer_send(progress: Progress, *, offer_id: int, acting_user_id: int | None) -> dict[str, Any]:
    """Send every waiting or failed recipient of the offer once; report per recipient."""
    return services.offer_send_all(
        offer_id=offer_id, acting_user_id=acting_user_id, on_progress=progress.update
    )
