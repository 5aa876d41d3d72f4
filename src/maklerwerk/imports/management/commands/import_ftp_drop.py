from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.imports.drop import drop_fetch
from maklerwerk.imports.models import FtpDrop


class Command(BaseCommand):
    help = (
        "Fetch the OpenImmo packages the old system uploaded to the office's FTP drop and import them "
        "(every office with a drop, or --office ID)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--office", type=int, help="Only this office")

    def handle(self, *args: Any, **options: Any) -> None:
        drops = FtpDrop.objects.select_related("office", "acting_user")
        if options["office"]:
            drops = drops.filter(office_id=options["office"])
        for found in drops:
            try:
                result = drop_fetch(drop=found)
            except ApplicationError as exc:
                raise CommandError(f"Office {found.office_id}: {exc.message}") from exc
            self.stdout.write(f"Office {found.office_id}: {result.message}")
