"""`maklerwerk fetch_inquiries`: one pass over all active mailboxes, by hand."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from maklerwerk.inquiries.handler import fetch_all
from maklerwerk.inquiries.models import Mailbox


class Command(BaseCommand):
    help = "Fetch new inquiries from all active mailboxes once (what the periodic job does every 5 minutes)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--office", type=int, default=None, help="Only this office's mailboxes")

    def handle(self, *args: Any, **options: Any) -> None:

        results = fetch_all(office_id=options["office"])
        if not results:
            self.stdout.write("Keine aktiven Postfächer.")
        for r in results:
            name = Mailbox.objects.filter(pk=r.mailbox_id).values_list("name", flat=True).first()
            if r.error:
                self.stdout.write(self.style.ERROR(f"{name}: Fehler – {r.error}"))
            else:
                self.stdout.write(
                    self.style.SUCCESS(
                        f"{name}: {r.fetched} abgerufen, {r.taken_in} neu übernommen, "
                        f"{r.already_known} bereits bekannt, {r.failed} fehlgeschlagen"
                    )
                )
