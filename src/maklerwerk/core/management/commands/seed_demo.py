from __future__ import annotations

import random
import secrets
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from tqdm import tqdm

from maklerwerk.accounts.models import Office, User
from maklerwerk.accounts.roles import Role
from maklerwerk.accounts.services import user_create
from maklerwerk.core.seeding import SEEDERS, SeedContext

DEMO_OFFICE = {
    "name": "Musterimmobilien Rhein-Main GmbH",
    "street": "Hanauer Landstraße 126",
    "postal_code": "60314",
    "city": "Frankfurt am Main",
    "phone": "+49 69 12345670",
    "email": "info@musterimmobilien.example",
    "website": "https://musterimmobilien.example",
    "imprint": (
        "Musterimmobilien Rhein-Main GmbH\nGeschäftsführerin: Anna Beispiel\n"
        "HRB 123456, Amtsgericht Frankfurt am Main\nErlaubnis nach § 34c GewO: IHK Frankfurt am Main"
    ),
    "email_signature": "Mit freundlichen Grüßen\n\nIhr Team der Musterimmobilien Rhein-Main GmbH",
    "terms_text": "Allgemeine Geschäftsbedingungen (Demo). Die Käuferprovision beträgt 3,57 % inkl. MwSt.",
    "cancellation_notice_text": "Widerrufsbelehrung (Demo): Sie haben das Recht, binnen vierzehn Tagen "
    "ohne Angabe von "
    "Gründen diesen Vertrag zu widerrufen.",
}
DEMO_USERNAME = "demo"


class Command(BaseCommand):
    help = "Create (idempotently) a demo office, a demo agent login and realistic German demo data."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--first-start",
            action="store_true",
            help="Do nothing if demo data was loaded before (used by `make run`)",
        )
        parser.add_argument("--seed", type=int, default=42, help="Random seed, for repeatable data")
        for seeder in SEEDERS:
            for option, default, help_text in seeder.counts:
                parser.add_argument(
                    f"--{option.replace('_', '-')}", type=int, default=default, help=help_text
                )

    def handle(self, *args: Any, **options: Any) -> None:
        marker = settings.DATA_DIR / ".demo-seeded"
        if options["first_start"] and marker.exists():
            return
        office, agent, password = self._office_and_agent()
        rng = random.Random(options["seed"])
        quiet = options["verbosity"] == 0

        def progress(desc: str, total: int) -> tqdm:
            return tqdm(total=total, desc=desc, unit=" rows", disable=quiet or total < 1000, leave=False)

        ctx = SeedContext(
            office=office, agent=agent, options=options, rng=rng, log=self._log(quiet), progress=progress
        )
        for seeder in SEEDERS:
            with transaction.atomic():
                seeder(ctx)
        marker.write_text("seeded\n", encoding="utf-8")
        self.stdout.write(self.style.SUCCESS(f"Demo-Büro: {office.name}"))
        self.stdout.write(f"Anmeldung: Benutzer {DEMO_USERNAME!r}, Passwort {password!r}")

    def _log(self, quiet: bool) -> Any:
        def log(msg: str) -> None:
            if not quiet:
                self.stdout.write(f"  {msg}")

        return log

    @transaction.atomic
    def _office_and_agent(self) -> tuple[Office, User, str]:
        cred_file = settings.DATA_DIR / "demo-credentials.txt"
        office = Office.objects.filter(name=DEMO_OFFICE["name"]).first()
        if office is None:
            # A fresh install may already have the default office (first superuser): make it the demo office.
            office = (
                Office.objects.order_by("pk").first()
                if not User.objects.exclude(office=None).exists()
                else None
            )
            office = office or Office()
            for key, value in DEMO_OFFICE.items():
                setattr(office, key, value)
            office.save()
        agent = User.objects.filter(username=DEMO_USERNAME).first()
        if agent is None:
            password = secrets.token_urlsafe(9)
            agent = user_create(
                office=office,
                username=DEMO_USERNAME,
                password=password,
                role=Role.ADMIN,
                first_name="Anna",
                last_name="Beispiel",
                email="anna.beispiel@musterimmobilien.example",
            )
            cred_file.write_text(password, encoding="utf-8")
            cred_file.chmod(0o600)
        else:
            password = (
                cred_file.read_text(encoding="utf-8").strip() if cred_file.exists() else "(unverändert)"
            )
        return office, agent, password
