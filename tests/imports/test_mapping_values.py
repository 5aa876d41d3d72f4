"""The value parsers of the table import never crash: any cell gives a value or a German error."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from maklerwerk.imports import mapping

CELL = st.text(alphabet=st.characters(codec="cp1252", exclude_categories=["Cs"]), max_size=30)
KINDS = ("properties", "search_profiles", "activities")


@settings(max_examples=150, deadline=None)
@given(kind=st.sampled_from(KINDS), cells=st.lists(CELL, min_size=1, max_size=20))
def test_any_row_gives_values_or_a_german_error_per_column(kind: str, cells: list[str]) -> None:
    targets = list(mapping.targets_for(kind))
    headers = [f"Spalte {i}" for i in range(len(cells))]
    columns = {h: targets[i % len(targets)] for i, h in enumerate(headers)}
    row = mapping.row_values(headers, cells, columns, kind, {})
    assert all(column in headers and message for column, message in row.errors)
    for key, value in row.data.items():
        target = mapping.targets_for(kind)[key]
        if target.kind == "choice":
            assert value in {code for code, _label in mapping.value_options(target)}
        elif target.kind == "datetime":
            assert value.tzinfo is not None


@settings(max_examples=100, deadline=None)
@given(
    when=st.datetimes(min_value=dt.datetime(1950, 1, 1), max_value=dt.datetime(2100, 12, 31)),  # noqa: DTZ001  # wall-clock times as a file writes them
    iso=st.booleans(),
)
def test_german_and_iso_date_times_read_back_to_the_minute(when: dt.datetime, iso: bool) -> None:
    text = when.strftime("%Y-%m-%dT%H:%M") if iso else when.strftime("%d.%m.%Y %H:%M")
    row = mapping.row_values(["Datum"], [text], {"Datum": "occurred_at"}, "activities", {})
    got = row.data["occurred_at"]
    assert (got.year, got.month, got.day, got.hour, got.minute) == (
        when.year, when.month, when.day, when.hour, when.minute,
    )  # fmt: skip


@settings(max_examples=100, deadline=None)
@given(value=CELL)
def test_a_value_is_suggested_only_as_one_of_ours(value: str) -> None:
    for kind in KINDS:
        for target in mapping.targets_for(kind).values():
            if target.kind in ("choice", "choices"):
                suggestion = mapping.value_suggest(target, value)
                assert suggestion == "" or suggestion in {c for c, _label in mapping.value_options(target)}


def test_every_shipped_value_map_points_at_one_of_our_values() -> None:
    for kind in KINDS:
        for key, target in mapping.targets_for(kind).items():
            codes = {c for c, _label in mapping.value_options(target)}
            for ours in mapping.VALUE_MAPS.get(key, {}).values():
                assert ours in codes, (kind, key, ours)
