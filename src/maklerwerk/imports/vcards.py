"""vCard files as a step of the import wizard: the contacts app's vCard import
(`contacts.importing.vcard_import`: every new card through the contact intake and the duplicate
engine, known cards by UID or content) run on an uploaded `ImportRun`, its summary turned into the
wizard's report (the same page, counts, CSV download and undo as the other imports)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from maklerwerk.contacts import importing
from maklerwerk.imports.csvimport import Report

if TYPE_CHECKING:
    from maklerwerk.accounts.models import User
    from maklerwerk.imports.models import ImportRun


def run_cards(
    *,
    run: ImportRun,
    acting_user: User | None,
    dry_run: bool,
    on_progress: Callable[[int, int], Any] | None = None,
) -> Report:
    """Read and import (or, `dry_run`, only check) the cards of the run's file."""
    with run.file.open("rb") as fh:
        entries = importing.parse_cards(importing.read_cards(fh.read()))
    summary = importing.vcard_import(
        office=run.office,
        acting_user=acting_user,
        entries=entries,
        dry_run=dry_run,
        on_progress=on_progress,
        batch=run.batch,
        run=run,
    )
    report = Report(dry_run=dry_run)
    for row in summary.created:
        report.add("created", row["position"], row["name"], id=row.get("id"))
    for row in summary.review:
        report.add("review", row["position"], row["name"], id=row.get("id"), **_similar(row))
    for row in summary.skipped:
        report.add("duplicate", row["position"], row["name"], **_similar(row))
    for row in summary.unchanged:
        report.add("unchanged", row["position"], row["name"], id=row.get("id"))
    for row in summary.updated:
        report.add("updated", row["position"], row["name"], id=row.get("id"))
    for row in summary.conflicts:
        report.add("conflict", row["position"], row["name"], id=row.get("id"), reason=row.get("reason", ""))
    for row in summary.failed:
        report.add("failed", row["position"], row["name"], errors=[{"column": "", "message": row["reason"]}])
    report.rows.sort(key=lambda r: r["line"])
    return report


def _similar(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "duplicate_of": row.get("duplicate_of"),
        "duplicate_name": row.get("duplicate_name") or str(row.get("duplicate_of") or ""),
        "reasons": list(row.get("reasons") or []),
    }
