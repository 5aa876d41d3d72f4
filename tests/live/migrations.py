"""Migration tests go back in time; afterwards every app must be at its newest state again.

Migrating back unapplies every migration that depends on the target, in other apps too (tours
depends on inquiries, privacy on contacts...): migrating "forward" to the test's own target alone
would leave those apps without their tables for every later test."""

from __future__ import annotations

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate_to_latest() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
