"""The CSV reader takes whatever old systems write: encodings, delimiters, quoting, German values."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from maklerwerk.imports import csvfile

# Text an export can hold in every supported encoding (cp1252 has no emoji or CJK).
CELL = st.text(
    alphabet=st.characters(codec="cp1252", exclude_categories=("Cc", "Cs")) | st.sampled_from("\n\"';,\t|"),
    max_size=12,
)
HEADER = st.text(alphabet="abcdefghijklmnopqrstuvwxyzäöüß_", min_size=1, max_size=8)


@st.composite
def tables(draw: st.DrawFn) -> tuple[list[str], list[list[str]]]:
    width = draw(st.integers(min_value=2, max_value=6))
    headers = draw(st.lists(HEADER, min_size=width, max_size=width, unique=True))
    row = st.lists(CELL, min_size=width, max_size=width).filter(lambda r: any(c.strip() for c in r))
    return headers, draw(st.lists(row, max_size=8))


@settings(max_examples=200, deadline=None)
@given(
    table=tables(),
    delimiter=st.sampled_from(csvfile.DELIMITERS),
    encoding=st.sampled_from(("utf-8", "utf-8-sig", "cp1252")),
    newline=st.sampled_from(("\r\n", "\n")),
)
def test_whatever_a_spreadsheet_writes_reads_back_cell_for_cell(
    table: tuple[list[str], list[list[str]]], delimiter: str, encoding: str, newline: str
) -> None:
    headers, rows = table
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=newline, quoting=csv.QUOTE_MINIMAL)
    writer.writerow(headers)
    writer.writerows(rows)
    raw = out.getvalue().encode(encoding)
    got = csvfile.read_table(raw)
    assert got.headers == headers
    assert got.delimiter == delimiter or not rows
    if got.delimiter == delimiter:
        assert got.rows == rows


@settings(max_examples=300, deadline=None)
@given(raw=st.binary(max_size=300))
def test_any_bytes_give_a_table_or_a_german_reason_never_a_crash(raw: bytes) -> None:
    try:
        table = csvfile.read_table(raw)
    except csvfile.CsvError as exc:
        assert str(exc)
    else:
        assert len(table.headers) >= 2
        assert all(len(r) >= len(table.headers) for r in table.rows)


@given(day=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 12, 31)))
def test_german_and_iso_dates_read_as_the_same_day(day: dt.date) -> None:
    assert csvfile.parse_date(day.strftime("%d.%m.%Y")) == day
    assert csvfile.parse_date(f"{day.day}.{day.month}.{day.year} 10:15") == day
    assert csvfile.parse_date(day.isoformat()) == day


@given(number=st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False))
def test_german_numbers_with_thousands_read_back(number: Decimal) -> None:
    german = f"{number:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".")
    assert csvfile.parse_number(german) == number
    assert csvfile.parse_number(f"{number:.2f} €") == number


@pytest.mark.parametrize("value", ["31.02.2024", "2024-13-01", "morgen", "32.1.2020"])
def test_impossible_dates_are_a_german_error(value: str) -> None:
    with pytest.raises(ValueError, match="Datum"):
        csvfile.parse_date(value)


def test_consent_is_never_guessed() -> None:
    assert csvfile.parse_bool("Ja") is True
    assert csvfile.parse_bool("") is False
    with pytest.raises(ValueError, match="weder Ja noch Nein"):
        csvfile.parse_bool("vielleicht")
