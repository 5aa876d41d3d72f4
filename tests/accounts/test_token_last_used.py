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
