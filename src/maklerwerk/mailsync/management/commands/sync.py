"""`maklerwerk sync --user NAME [--dry-run]`: sync all of a user's accounts, with progress.

Each syncing app offers `<app>.services.sync_user_accounts(user, *, dry_run, progress)`; the
command calls those of the installed apps in `SYNCERS` (mail archive first, then CardDAV/CalDAV
when the davsync app is there). They are looked up by dotted path, so this command imports no app
it does not need and the apps do not import each other.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string
from tqdm import tqdm

SYNCERS = ("mailsync", "davsync")


class Command(BaseCommand):
    help = "Sync all mail, address-book and calendar accounts of one user (--dry-run: report only)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--user", required=True, help="User name")
        parser.add_argument("--dry-run", action="store_true", help="Report what would change, write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"Benutzer „{options['user']}“ gibt es nicht (oder er ist deaktiviert).")
        failed = False
        with tqdm(desc="Abgleich", unit=" Schritte", disable=None) as bar:

            def progress(text: str) -> None:
                bar.update(1)
                bar.write(text)

            for label in SYNCERS:
                if not apps.is_installed(f"maklerwerk.{label}"):
                    continue
                sync = import_string(f"maklerwerk.{label}.services.sync_user_accounts")
                for result in sync(user, dry_run=options["dry_run"], progress=progress) or []:
                    failed = failed or bool(getattr(result, "error", ""))
        if failed:
            raise CommandError("Mindestens ein Konto ließ sich nicht abgleichen (siehe oben).")
