from __future__ import annotations

from typing import Any

from maklerwerk.imports.management.commands.import_csv import Command as ImportCommand


class Command(ImportCommand):
    help = (
        "Take properties over from an OpenImmo XML or ZIP (with pictures) of the old system. A dry run "
        "unless --commit; a second run of the same file changes nothing."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        super().handle(*args, **{**options, "kind": "properties", "format": "openimmo"})
