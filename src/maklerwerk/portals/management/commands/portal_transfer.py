"""`maklerwerk portal_transfer ID [--full]`: run a transfer to a portal now, in this process."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from maklerwerk.portals.models import Portal, TransferRun
from maklerwerk.portals.transfer import transfer_execute


class Command(BaseCommand):
    help = "Transfer the assigned properties to a portal now (partial, or --full), and print the log."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("portal", type=int, help="Portal id")
        parser.add_argument("--full", action="store_true", help="Full transfer (VOLL)")

    def handle(self, *args: Any, **options: Any) -> None:
        portal = Portal.objects.filter(pk=options["portal"]).first()
        if portal is None:
            raise CommandError(f"Portal {options['portal']} gibt es nicht.")
        if not portal.active:
            raise CommandError(f"Portal „{portal.name}“ ist nicht aktiv.")
        run = TransferRun.objects.create(office_id=portal.office_id, portal=portal, full=options["full"])
        run = transfer_execute(run_id=run.pk)
        for entry in run.entries.all():
            hint = f" – {entry.hint}" if entry.hint else ""
            self.stdout.write(
                f"{entry.external_id}: {entry.get_action_display()} {entry.get_result_display()}{hint}"
            )
        style = self.style.SUCCESS if run.state == TransferRun.State.SUCCEEDED else self.style.ERROR
        self.stdout.write(style(f"{portal.name}: {run.get_state_display()} – {run.message}"))
        if run.state != TransferRun.State.SUCCEEDED:
            raise CommandError(run.message)
