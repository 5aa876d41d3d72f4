"""Huey discovers this module; importing it registers the duplicate search job."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from maklerwerk.core.jobs import Progress, job_function
from maklerwerk.duplicates import finder


@job_function("duplicates.search", resume=True)
def duplicate_search(progress: Progress, *, office_id: int) -> dict[str, Any]:
    """Find all probable duplicate pairs of the office and store them for the Dubletten page."""

    def report(stage: str, done: int, total: int) -> None:
        if stage == "load":
            progress.update(5, 100, _("%(n)s contacts loaded") % {"n": total}, force=True)
        else:
            progress.update(5 + int(90 * done / max(total, 1)), 100, _("Comparing contacts …"))

    pairs = finder.office_find_pairs(office_id, on_progress=report)
    stored = finder.pairs_store(office_id, pairs)
    groups = len(finder.batch.groups_of((p.a, p.b) for p in pairs))
    progress.update(
        100, 100, _("%(groups)s groups, %(pairs)s pairs") % {"groups": groups, "pairs": stored}, force=True
    )
    # The Dubletten page that shows the progress reloads itself with the groups when done.
    return {"pairs": stored, "groups": groups, "redirect": reverse("duplicates:index")}
