"""`maklerwerk openimmo_export --out FILE.zip [--portal ID] [--full]`: the package that would be sent."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from maklerwerk.accounts.models import Office
from maklerwerk.integrations.openimmo import mapping, writer
from maklerwerk.portals.exporters import openimmo
from maklerwerk.portals.models import Portal
from maklerwerk.properties.models import Property


class Command(BaseCommand):
    help = (
        "Write the OpenImmo package a portal would get (its assigned properties), or of all active "
        "properties of an office when no portal is given."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--out", required=True, help="The ZIP file to write")
        parser.add_argument("--portal", type=int, help="Portal id: its assigned, publishable properties")
        parser.add_argument(
            "--office", type=int, help="Office id (without --portal; needed with several offices)"
        )
        parser.add_argument("--full", action="store_true", help="Mark the package as a full transfer (VOLL)")

    def _properties(self, options: dict[str, Any]) -> tuple[Any, Any, Portal | None]:

        if options["portal"]:
            portal = Portal.objects.select_related("office").filter(pk=options["portal"]).first()
            if portal is None:
                raise CommandError(f"Portal {options['portal']} gibt es nicht.")
            ids = portal.assignments.filter(wanted=True).values("property_id")
            props = Property.objects.filter(pk__in=ids, status__in=["active", "reserved"])
            return portal.office, props, portal
        offices = Office.objects.filter(pk=options["office"]) if options["office"] else Office.objects.all()
        if offices.count() != 1:
            raise CommandError("Mehrere Büros: bitte --office ID oder --portal ID angeben.")
        office = offices.get()
        return office, Property.objects.filter(office=office, status="active"), None

    def handle(self, *args: Any, **options: Any) -> None:
        office, props, portal = self._properties(options)
        now = timezone.now()
        if portal is not None:
            header = openimmo.transfer_header(portal, now, full=options["full"])
            limit, max_kb = portal.picture_limit, portal.picture_max_kb
        else:
            header = writer.Transfer(
                full=options["full"], provider_number="", company=office.name, openimmo_anid="MAKLERWERK",
                sender_version=openimmo.SENDER_VERSION, timestamp=timezone.localtime(now),
            )  # fmt: skip
            limit, max_kb = None, 2000
        refused: list[str] = []
        props = props.select_related("office", "responsible_agent").order_by("pk")

        def items() -> Iterator[tuple[writer.Listing, list[openimmo.Picture]]]:
            for prop in tqdm(props.iterator(chunk_size=200), total=props.count(), unit="Objekt"):
                problems = openimmo.preflight(prop)
                if problems:
                    refused.append(f"{prop.external_id}: {' '.join(problems)}")
                    continue
                pics = openimmo.pictures(prop, limit)
                yield openimmo.listing_for(prop, mapping.ACTION_CHANGE, pics), pics

        out = Path(options["out"])
        with out.open("wb") as f:
            count = openimmo.write_package(f, header, out.with_suffix(".xml").name, items(), max_kb)
        for line in refused:
            self.stdout.write(self.style.WARNING(f"Nicht exportiert – {line}"))
        self.stdout.write(self.style.SUCCESS(f"{count} Objekte in {out} geschrieben."))
