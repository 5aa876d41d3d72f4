from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.imports.office import office_import


class Command(BaseCommand):
    help = (
        "Load an office export (the ZIP of Settings → Export) into this empty instance: every record "
        "with its id, every file checked against its checksum. Users then set their password by reset."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = office_import(options["file"])
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        records = sum(result["counts"].values())
        self.stdout.write(
            f"Office {result['office_id']}: {records} records and {result['files']} files loaded."
        )
