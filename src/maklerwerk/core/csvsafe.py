"""CSV that spreadsheets open as data, never as formulas (OWASP "CSV Injection").

A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is a formula (or becomes one)
in Excel, LibreOffice and Google Sheets; a contact named `=HYPERLINK("https://evil", "Klick")`
would run when the export is opened. Such text cells get a leading single quote, as OWASP
recommends; numbers stay numbers. Every CSV the product writes goes through `writer`.
"""

from __future__ import annotations

import csv
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    """`value`, with a leading ' if it is text a spreadsheet would read as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeWriter:
    """A `csv.writer` whose rows are escaped cell by cell."""

    def __init__(self, fileobj: Any, **kwargs: Any) -> None:
        self._writer = csv.writer(fileobj, **kwargs)

    def writerow(self, row: list[Any]) -> Any:
        return self._writer.writerow([cell(v) for v in row])


def writer(fileobj: Any, **kwargs: Any) -> SafeWriter:
    """Like `csv.writer(fileobj, **kwargs)`, with formula escaping."""
    return SafeWriter(fileobj, **kwargs)
