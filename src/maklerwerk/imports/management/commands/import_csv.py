from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from maklerwerk.accounts.models import Office, User
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.imports import csvfile, mapping, services
from maklerwerk.imports.models import ImportMapping, SourceSystem
from maklerwerk.imports.tasks import walk_for


class Command(BaseCommand):
    help = (
        "Take data over from the old system: contacts, properties, search profiles or activities from "
        "a CSV file (--kind, with a saved --mapping and its value maps, or the columns suggested for "
        "--source), or properties from an OpenImmo XML/ZIP (--kind properties). A dry run unless "
        "--commit; a second run of the same file changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--kind", choices=list(mapping.KINDS), default="contacts")
        parser.add_argument(
            "--format",
            choices=["csv", "openimmo"],
            default="",
            help="properties: csv or openimmo (by file name)",
        )
        parser.add_argument("--mapping", help="Name of a mapping saved in the office")
        parser.add_argument("--source", choices=SourceSystem.values, default=SourceSystem.OTHER)
        parser.add_argument("--commit", action="store_true", help="Write (without it: dry run)")
        parser.add_argument("--office", type=int, help="Office id (needed when there is more than one)")
        parser.add_argument("--user", help="User name recorded as the importer (default: an administrator)")

    def handle(self, *args: Any, **options: Any) -> None:
        office = self._office(options["office"])
        user = self._user(office, options["user"])
        path: Path = options["file"]
        try:
            raw = path.read_bytes()
            run = services.run_upload(
                office=office,
                acting_user=user,
                raw=raw,
                filename=path.name,
                source_system=options["source"],
                kind=options["kind"],
                source_format=options.get("format") or "",
            )
            if run.source_format == "csv":
                saved = None
                if options["mapping"]:
                    saved = ImportMapping.objects.filter(
                        office=office, kind=run.kind, name=options["mapping"]
                    ).first()
                    if saved is None:
                        raise CommandError(f"No mapping {options['mapping']!r} in office {office.pk}.")
                headers = csvfile.read_table(raw, max_rows=1).headers
                columns = mapping.suggest(
                    headers, run.source_system, saved.columns if saved else None, kind=run.kind
                )
                values = saved.values if saved else {}
                services.run_columns_set(run=run, acting_user=user, columns=columns, values=values)
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from exc
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        walk = walk_for(run)
        with tqdm(unit=" rows", disable=options["verbosity"] == 0, desc=path.name) as bar:

            def tick(done: int, total: int) -> None:
                bar.total = total
                bar.update(done - bar.n)

            report = walk(run=run, acting_user=user, dry_run=not options["commit"], on_progress=tick)
        result = report.as_dict()
        services.run_report_save(run=run, report=result)
        counts = ", ".join(f"{n} {status}" for status, n in result["counts"].items())
        self.stdout.write(("Imported" if options["commit"] else "Dry run") + f" (run {run.pk}): {counts}")
        for row in result["rows"]:
            problems = [e["message"] for e in row.get("errors", [])] + (
                [row["reason"]] if "reason" in row else []
            )
            if problems:
                self.stdout.write(f"  line {row['line']} {row['name']}: {'; '.join(problems)}")

    def _office(self, pk: int | None) -> Office:
        offices = list(Office.objects.filter(pk=pk) if pk else Office.objects.order_by("pk")[:2])
        if len(offices) != 1:
            raise CommandError(
                "Name the office with --office ID." if offices or pk is None else f"No office {pk}."
            )
        return offices[0]

    def _user(self, office: Office, name: str | None) -> User:
        users = User.objects.filter(office=office, is_active=True)
        user = (
            users.filter(username=name).first() if name else users.filter(role="admin").order_by("pk").first()
        )
        if user is None:
            raise CommandError(
                f"No user {name!r} in office {office.pk}." if name else "Name the user with --user."
            )
        return user
