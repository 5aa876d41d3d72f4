"""`maklerwerk sync --user NAME [--dry-run]`: sync all of a user's accounts (address books,
calendars and whatever else registered an `AccountSyncer` in `core.syncers`), with a progress bar."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from maklerwerk.accounts.models import User
from maklerwerk.core.syncers import ACCOUNT_SYNCERS


class Command(BaseCommand):
    help = "Sync all accounts (address book, calendar, mailbox) of one user."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="user name")
        parser.add_argument("--dry-run", action="store_true", help="decide and report, write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"Benutzer „{options['user']}“ gibt es nicht (oder er ist deaktiviert).")
        work = [(syncer, account) for syncer in ACCOUNT_SYNCERS for account in syncer.accounts(user)]
        if not work:
            self.stdout.write("Keine Konten zum Abgleichen.")
            return
        for syncer, account in tqdm(work, desc="sync", unit="account", file=self.stderr):
            line = syncer.run(account, options["dry_run"])
            self.stdout.write(f"{syncer.label(account)}: {line}")
