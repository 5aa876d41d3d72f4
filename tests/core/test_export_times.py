"""The office export keeps every time exactly, so an import and a second export give the same file."""

from __future__ import annotations

import datetime as dt
import json

from django.utils.dateparse import parse_datetime
from hypothesis import given
from hypothesis import strategies as st

from maklerwerk.core.export import ExactJSONEncoder


@given(
    st.datetimes(
        min_value=dt.datetime(1900, 1, 1),  # noqa: DTZ001  (hypothesis wants naive bounds)
        max_value=dt.datetime(2200, 1, 1),  # noqa: DTZ001
        timezones=st.just(dt.UTC),
    )
)
def test_a_time_survives_export_and_import_to_the_microsecond(moment: dt.datetime) -> None:
    text = json.loads(json.dumps({"at": moment}, cls=ExactJSONEncoder))["at"]
    assert parse_datetime(text) == moment
    assert json.dumps(parse_datetime(text), cls=ExactJSONEncoder) == json.dumps(moment, cls=ExactJSONEncoder)


def test_a_time_with_few_microseconds_keeps_its_fraction() -> None:
    # Django's encoder wrote "...:05.000Z" here, which came back as ":05" and exported as ":05Z".
    moment = dt.datetime(2026, 12, 5, 4, 31, 5, 456, tzinfo=dt.UTC)
    assert json.dumps(moment, cls=ExactJSONEncoder) == '"2026-12-05T04:31:05.000456Z"'
