"""Every CSV the product writes escapes formulas (OWASP CSV injection): the shared writer."""

from __future__ import annotations

import csv
import io

import pytest

from maklerwerk.core import csvsafe


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+49 221 1234", "'+49 221 1234"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("Müller, Hans", "Müller, Hans"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_text_that_a_spreadsheet_would_run_gets_a_leading_quote(value: str, written: str) -> None:
    out = io.StringIO()
    csvsafe.writer(out, delimiter=";").writerow([value, 42, -3])
    assert next(csv.reader(io.StringIO(out.getvalue()), delimiter=";")) == [written, "42", "-3"]
