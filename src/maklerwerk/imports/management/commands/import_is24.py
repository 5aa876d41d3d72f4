from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser
from tqdm import tqdm

from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.imports import scout, services
from maklerwerk.imports.management.commands.import_csv import Command as ImportCommand
from maklerwerk.portals.models import Portal


class Command(ImportCommand):
    help = (
        "Take over the listings the old system put on ImmobilienScout24 (the office's IS24 portal): "
        "a listing whose externalId is a Kennung here is linked, the others become properties, and "
        "the next transfer updates them by their Scout ids. A dry run unless --commit."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--portal", type=int, help="The IS24 portal's id (when the office has several)")
        parser.add_argument("--commit", action="store_true", help="Write (without it: dry run)")
        parser.add_argument("--office", type=int, help="Office id (needed when there is more than one)")
        parser.add_argument("--user", help="User name recorded as the importer (default: an administrator)")

    def handle(self, *args: Any, **options: Any) -> None:
        office = self._office(options["office"])
        user = self._user(office, options["user"])
        portals = Portal.objects.filter(office=office, kind=Portal.Kind.IS24)
        if options["portal"]:
            portals = portals.filter(pk=options["portal"])
        if portals.count() != 1:
            raise CommandError("Name the ImmobilienScout24 portal with --portal ID.")
        try:
            run = scout.run_create(office=office, acting_user=user, portal=portals.get())
            with tqdm(unit=" listings", disable=options["verbosity"] == 0, desc="ImmobilienScout24") as bar:

                def tick(done: int, total: int) -> None:
                    bar.total = total
                    bar.update(done - bar.n)

                report = scout.run_scout(
                    run=run, acting_user=user, dry_run=not options["commit"], on_progress=tick
                )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        result = report.as_dict()
        services.run_report_save(run=run, report=result)
        counts = ", ".join(f"{n} {status}" for status, n in result["counts"].items())
        self.stdout.write(("Imported" if options["commit"] else "Dry run") + f" (run {run.pk}): {counts}")
        for row in result["rows"]:
            reasons = [row["reason"]] if "reason" in row else []
            problems = [e["message"] for e in row.get("errors", [])] + reasons
            if problems:
                self.stdout.write(f"  {row['line']} {row['name']}: {'; '.join(problems)}")
