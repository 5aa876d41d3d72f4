"""Matching took its models over from properties without touching the data: an existing database
migrates forward (and back) with its tables, rows and history as they were."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from maklerwerk.core.models import ChangeLog
from maklerwerk.matching.models import (
    AgentNotification,
    NewMatch,
    SearchProfile,
    SearchProfileArea,
    SelfServiceLink,
)
from tests.live.migrations import migrate_to_latest

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("properties", "0005_agent_fields_choices_and_kennung_pattern"), ("matching", None)]
AFTER = [("properties", "0006_matching_moved_out"), ("matching", "0001_initial")]
MOVED = (SearchProfile, SearchProfileArea, NewMatch, SelfServiceLink, AgentNotification)


def _migrate(target: Sequence[tuple[str, str | None]]) -> None:
    MigrationExecutor(connection).migrate(target)
    ContentType.objects.clear_cache()


def _tables() -> dict[str, Any]:
    """Columns, constraints and indexes of the moved tables, and their rows."""
    with connection.cursor() as cursor:
        out = {}
        for model in MOVED:
            table = model._meta.db_table
            columns = [
                (c.name, c.type_code, c.null_ok)
                for c in connection.introspection.get_table_description(cursor, table)
            ]
            constraints = connection.introspection.get_constraints(cursor, table)
            cursor.execute(f"SELECT * FROM {table} ORDER BY id")  # noqa: S608 - table names of our models
            out[table] = (columns, constraints, cursor.fetchall())
        return out


def test_an_existing_database_keeps_its_tables_rows_and_history(office: Any, contact: Any) -> None:
    """GIVEN a database from before the split, with a search profile and its history
    WHEN it migrates forward THEN no table changed, every row is still there and the profile's
    history still belongs to it (its content type moved with it); and back again."""
    try:
        _migrate(BEFORE)
        old_ct = ContentType.objects.get(app_label="properties", model="searchprofile")
        profile = SearchProfile.objects.create(office=office, contact=contact, name="Altbau Nordend")
        ChangeLog.objects.create(
            office=office, content_type=old_ct, object_id=str(profile.pk), action=ChangeLog.Action.CREATE
        )
        before = _tables()

        _migrate(AFTER)
        assert _tables() == before
        ct = ContentType.objects.get_for_model(SearchProfile)
        assert (ct.pk, ct.app_label) == (old_ct.pk, "matching")
        assert [h.subject for h in ChangeLog.objects.filter(object_id=str(profile.pk))] == [profile]

        _migrate(BEFORE)
        assert _tables() == before
        assert ContentType.objects.get(pk=ct.pk).app_label == "properties"
    finally:
        migrate_to_latest()
