from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from maklerwerk.accounts.models import Office, User
from maklerwerk.contacts import importing
from maklerwerk.core.exceptions import ApplicationError


class Command(BaseCommand):
    help = (
        "Import contacts from a vCard file (2.1, 3.0, 4.0). Cards imported before are recognised "
        "(nothing created twice); probable duplicates are skipped, possible ones listed for review."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Check and report, create nothing")
        parser.add_argument("--office", type=int, help="Office id (needed when there is more than one)")
        parser.add_argument("--user", help="User name recorded as the creator in the history")

    def handle(self, *args: Any, **options: Any) -> None:
        office = self._office(options["office"])
        user = None
        if options["user"]:
            user = User.objects.filter(username=options["user"], office=office).first()
            if user is None:
                raise CommandError(f"No user {options['user']!r} in office {office.pk}.")
        path: Path = options["file"]
        try:
            entries = importing.read_upload(path.read_bytes())
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from exc
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        quiet = options["verbosity"] == 0
        with tqdm(total=len(entries), unit=" vCards", disable=quiet, desc=path.name) as bar:
            summary = importing.vcard_import(
                office=office,
                acting_user=user,
                entries=entries,
                dry_run=options["dry_run"],
                batch=path.name,
                on_progress=lambda done, total: bar.update(done - bar.n),
            )
        dry = options["dry_run"]
        verb = "would be created" if dry else "created"
        self.stdout.write(
            self.style.SUCCESS(f"{len(summary.created)} {verb}")
            + f", {len(summary.skipped)} skipped as probable duplicate, {len(summary.failed)} failed"
            + f", {len(summary.unchanged)} unchanged (imported before)"
            + f", {len(summary.updated)} {'would be updated' if dry else 'updated'}"
            + f", {len(summary.review)} {'would be created' if dry else 'created'} for review"
            + f", {len(summary.conflicts)} not overwritten (edited since the last import)"
        )
        for row in summary.review:
            self.stdout.write(
                f"  review #{row['position']} {row['name']}: possible duplicate of contact "
                f"{row['duplicate_of']} ({', '.join(row['reasons'])}), listed on the duplicates page"
            )
        for row in summary.conflicts:
            self.stdout.write(f"  not overwritten #{row['position']} {row['name']}: {row['reason']}")
        for row in summary.skipped:
            self.stdout.write(
                f"  skipped #{row['position']} {row['name']}: probable duplicate of contact "
                f"{row['duplicate_of']} ({', '.join(row['reasons'])})"
            )
        for row in summary.failed:
            self.stdout.write(
                self.style.WARNING(f"  failed #{row['position']} {row['name']}: {row['reason']}")
            )

    def _office(self, pk: int | None) -> Office:
        if pk is not None:
            office = Office.objects.filter(pk=pk).first()
            if office is None:
                raise CommandError(f"No office with id {pk}.")
            return office
        offices = list(Office.objects.order_by("pk")[:2])
        if len(offices) != 1:
            raise CommandError("Name the office with --office ID." if offices else "There is no office yet.")
        return offices[0]
