from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from maklerwerk.accounts.models import User
from maklerwerk.accounts.services import api_token_create, office_for_new_admin, user_make_office_admin
from maklerwerk.core.exceptions import ApplicationError


class Command(BaseCommand):
    help = "Create a personal API token for USERNAME and print it (it is shown only once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="CLI", help="A name to recognise the token by")
        parser.add_argument(
            "--scope",
            default="full",
            choices=["full", "inquiries:create"],
            help="'inquiries:create': the token may only create inquiries (a website's form)",
        )
        parser.add_argument(
            "--office",
            help="For a superuser without an office: the office to administer (needed with several)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = User.objects.get(username=options["username"])
        except User.DoesNotExist as exc:
            raise CommandError(f"No user named {options['username']!r}.") from exc
        if not user.is_active:
            raise CommandError(f"User {user.username!r} is deactivated.")
        if user.office_id is None:
            # A token of a user without an office would answer 403 everywhere: make the superuser an
            # admin first (saying so), and refuse for anyone else.
            if not user.is_superuser:
                raise CommandError(
                    f"User {user.username!r} belongs to no office; "
                    f"run `maklerwerk assign_office {user.username}` first."
                )
            try:
                office, created = user_make_office_admin(
                    user=user, office=office_for_new_admin(options["office"])
                )
            except ApplicationError as exc:
                raise CommandError(exc.message) from exc
            what = "created office" if created else "office"
            self.stderr.write(
                f"{user.username} is now administrator of the {what} {office.name!r} (id {office.pk})."
            )
        _token, plain = api_token_create(user=user, name=options["name"], scope=options["scope"])
        self.stdout.write(plain)
