from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from tqdm import tqdm

from maklerwerk.duplicates.engine import rebuild_keys


class Command(BaseCommand):
    help = "Recompute the duplicate match keys and name counts (after imports or bulk-seeded data)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--office", type=int, help="Only this office (id); default: all offices")
        parser.add_argument("--missing", action="store_true", help="Only contacts that have no keys yet")

    def handle(self, *args: Any, **options: Any) -> None:
        bar = tqdm(desc="Match keys", unit=" contacts", file=self.stderr, disable=options["verbosity"] == 0)

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()

        done = rebuild_keys(
            office_id=options["office"], only_missing=options["missing"], on_progress=progress
        )
        bar.close()
        self.stdout.write(f"{done} contacts keyed")
