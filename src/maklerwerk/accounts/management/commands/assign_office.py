from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from maklerwerk.accounts.models import User
from maklerwerk.accounts.services import office_for_new_admin, user_make_office_admin
from maklerwerk.core.exceptions import ApplicationError


class Command(BaseCommand):
    help = (
        "Make USERNAME an administrator of an office: the only one, the one given with --office, "
        "or a new one when there is none. For superusers made before they joined an office."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--office", help="Name or id of the office (required when there are several)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = User.objects.get(username=options["username"])
        except User.DoesNotExist as exc:
            raise CommandError(f"No user named {options['username']!r}.") from exc
        if user.office_id is not None:
            office = user.office.name  # type: ignore[union-attr]  # office_id is set
            raise CommandError(f"User {user.username!r} already belongs to the office {office!r}.")
        try:
            office, created = user_make_office_admin(
                user=user, office=office_for_new_admin(options["office"])
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        what = "created office" if created else "office"
        self.stdout.write(f"{user.username} is administrator of the {what} {office.name!r} (id {office.pk}).")
