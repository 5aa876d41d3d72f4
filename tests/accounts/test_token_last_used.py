"""An API token's "last used" time: set on use, then at most once a minute (no write per request)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from maklerwerk.accounts.models import ApiToken
from maklerwerk.accounts.services import api_token_authenticate, api_token_create

pytestmark = pytest.mark.django_db

START = dt.datetime(2026, 3, 2, 9, 0, 0, tzinfo=dt.UTC)


def test_last_use_is_recorded_then_at_most_once_a_minute(agent: Any) -> None:
    token, plain = api_token_create(user=agent, name="Sync")
    assert ApiToken.objects.get(pk=token.pk).last_used_at is None

    def used_at(seconds: int) -> dt.datetime | None:
        with time_machine.travel(START + dt.timedelta(seconds=seconds), tick=False):
            assert api_token_authenticate(plain) == agent
        return ApiToken.objects.get(pk=token.pk).last_used_at

    assert used_at(0) == START
    assert used_at(60) == START  # a minute is not more than a minute
    assert used_at(61) == START + dt.timedelta(seconds=61)


def test_a_token_that_cannot_be_ours_costs_no_query(agent: Any, django_assert_num_queries: Any) -> None:
    # Every API request authenticates: junk (a foreign token, an over-long header) must not reach
    # the database, so a flood of it costs no lookups.
    api_token_create(user=agent, name="Sync")
    for junk in ("Bearer abc", "x" * 300, "mwk_" + "a" * 197):  # the last is 201 characters
        with django_assert_num_queries(0):
            assert api_token_authenticate(junk) is None
    with django_assert_num_queries(1):  # 200 characters with our prefix: looked up, not found
        assert api_token_authenticate("mwk_" + "a" * 196) is None


def test_user_and_office_come_with_the_token_in_one_query(agent: Any, django_assert_num_queries: Any) -> None:
    # Each API view reads request.auth's office: one query per request, not three.
    _token, plain = api_token_create(user=agent, name="Sync")
    with time_machine.travel(START, tick=False):
        api_token_authenticate(plain)  # records the first use
    with time_machine.travel(START + dt.timedelta(seconds=30), tick=False), django_assert_num_queries(1):
        user = api_token_authenticate(plain)
        assert user is not None and user.office is not None
        assert user.office.name == agent.office.name
