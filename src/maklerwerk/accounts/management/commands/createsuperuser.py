"""Django's createsuperuser, plus: the new superuser administers an office (explicitly, never silently).

No office yet: one is created ("Mein Maklerbüro", renamed in the settings). One office: the
superuser joins it as administrator. Several: `--office NAME|ID` is required. What happened is
printed, so a token made afterwards with `create_api_token` works at once.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.management.commands import createsuperuser
from django.core.management.base import CommandError, CommandParser
from django.db.models import Max

from maklerwerk.accounts.models import User
from maklerwerk.accounts.services import office_for_new_admin, user_make_office_admin
from maklerwerk.core.exceptions import ApplicationError


class Command(createsuperuser.Command):
    help = "Create a superuser who administers an office (created when there is none)."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--office", help="Name or id of the office to administer (required when there are several)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # Decide the office before asking for a password, so a wrong choice costs nothing.
        try:
            office = office_for_new_admin(options.get("office"))
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        last_pk = User.objects.aggregate(last=Max("pk"))["last"] or 0
        super().handle(*args, **options)
        for user in User.objects.filter(pk__gt=last_pk, is_superuser=True, office=None):
            joined, created = user_make_office_admin(user=user, office=office)
            what = "created office" if created else "office"
            self.stdout.write(
                f"{user.username} is administrator of the {what} {joined.name!r} (id {joined.pk})."
            )
