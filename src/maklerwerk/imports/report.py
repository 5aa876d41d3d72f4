"""The report of a dry run or import as a CSV file for the spreadsheet (German, `;`, UTF-8 with BOM):
one line per row worth a look (errors one line per column, duplicates with the contact they match,
conflicts and skipped rows with the reason). Written through `core.csvsafe` (no formulas)."""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from maklerwerk.core import csvsafe

STATUS_LABELS = {
    "created": gettext_lazy("new"),
    "review": gettext_lazy("new, possible duplicate of"),
    "duplicate": gettext_lazy("skipped, probable duplicate of"),
    "updated": gettext_lazy("updated"),
    "skipped": gettext_lazy("skipped"),
    "conflict": gettext_lazy("not overwritten"),
    "failed": gettext_lazy("error"),
    "linked": gettext_lazy("linked with the existing property"),
}


def _lines(row: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(column, message, duplicate of) for one report row."""
    if row.get("errors"):
        return [(e.get("column", ""), e.get("message", ""), "") for e in row["errors"]]
    reasons = ", ".join(row.get("reasons") or [])
    if row.get("duplicate_name"):  # no id: a row further up in the file (a dry run)
        number = f" (#{row['duplicate_of']})" if row.get("duplicate_of") else ""
        return [("", reasons, f"{row['duplicate_name']}{number}")]
    return [("", str(row.get("reason") or reasons), "")]


def report_csv(report: dict[str, Any]) -> str:
    """The rows of `report` (as `ImportRun.report` keeps it) that need a look, as CSV text."""
    buffer = io.StringIO()
    writer = csvsafe.writer(buffer, delimiter=";")
    writer.writerow([_("Line"), _("Name"), _("Result"), _("Column"), _("Error or reason"), _("Duplicate of")])
    for row in report.get("rows", []):
        if row.get("status") == "created":
            continue
        label = str(STATUS_LABELS.get(row.get("status", ""), row.get("status", "")))
        for column, message, duplicate in _lines(row):
            writer.writerow([row.get("line", ""), row.get("name", ""), label, column, message, duplicate])
    return "\ufeff" + buffer.getvalue()  # BOM: Excel opens UTF-8 correctly
