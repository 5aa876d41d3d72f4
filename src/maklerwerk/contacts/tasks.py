"""vCard import as background jobs: the preview (parse + duplicate check) and the import itself.

Both read the uploaded file the web request left in the data dir; a big file (thousands of cards,
megabytes) so never ties up a web worker, and the page shows progress (core/_job_progress.html).
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override

from maklerwerk.accounts.models import Office, User
from maklerwerk.contacts import importing
from maklerwerk.core.jobs import Progress, job_function


def _result_url(progress: Progress) -> str:
    return reverse("contacts:import") + f"?job={progress.job_id}"


@job_function("contacts.vcard_preview")
def vcard_preview_job(progress: Progress, *, office_id: int, token: str, filename: str) -> dict[str, Any]:
    office = Office.objects.get(pk=office_id)
    with override("de"):
        cards = importing.read_cards(importing.upload_path(token).read_bytes())
        entries = importing.parse_cards(
            cards, on_progress=lambda done, total: progress.update(done, 2 * total, _("Reading the file"))
        )
        rows = importing.preview(
            office=office,
            entries=entries,
            on_progress=lambda done, total: progress.update(
                total + done, 2 * total, _("Checking for duplicates")
            ),
        )
        counts = {
            "new": sum(1 for r in rows if r.status in ("new", "review")),
            "duplicate": sum(1 for r in rows if r.status == "duplicate"),
            "error": sum(1 for r in rows if r.status == "error"),
            "known": sum(1 for r in rows if r.status in ("unchanged", "updated", "conflict")),
        }
        return {
            "token": token,
            "filename": filename,
            "rows": importing.preview_as_dicts(rows),
            "counts": counts,
            "redirect": _result_url(progress),
            "message": _("%(n)s entries read") % {"n": len(rows)},
        }


@job_function("contacts.vcard_import")
def vcard_import_job(
    progress: Progress,
    *,
    office_id: int,
    user_id: int | None,
    token: str,
    filename: str,
    dry_run: bool = False,
) -> dict[str, Any]:
    office = Office.objects.get(pk=office_id)
    user = User.objects.filter(pk=user_id).first() if user_id else None
    path = importing.upload_path(token)
    with override("de"):
        entries = importing.parse_cards(importing.read_cards(path.read_bytes()))
        summary = importing.vcard_import(
            office=office,
            acting_user=user,
            entries=entries,
            dry_run=dry_run,
            batch=filename,
            on_progress=lambda done, total: progress.update(
                done, total, _("%(done)s of %(total)s contacts") % {"done": done, "total": total}
            ),
        )
        path.unlink(missing_ok=True)
        counts = summary.counts()
        # Possible duplicates are created too (and listed for review), so they count as created.
        review = counts.get("review", 0)
        message = _("%(created)s created, %(skipped)s skipped, %(failed)s failed") % {
            **counts,
            "created": counts["created"] + review,
        }
        if review:
            message += " · " + _("%(n)s of them to review as possible duplicates") % {"n": review}
        return {
            **summary.as_dict(),
            "filename": filename,
            "redirect": _result_url(progress),
            "message": message,
        }
