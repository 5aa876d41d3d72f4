"""The foundation's demo data: activities for the dashboard and the API floor benchmark."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.utils import timezone

from maklerwerk.core.models import Activity
from maklerwerk.core.seeding import SeedContext, bulk_create_chunked

_SUBJECTS = {
    Activity.Type.CALL: ["Rückruf wegen Besichtigung", "Telefonat mit Eigentümer", "Finanzierung besprochen"],
    Activity.Type.NOTE: ["Notiz zur Objektaufnahme", "Unterlagen angefordert", "Preisvorstellung notiert"],
    Activity.Type.VIEWING: ["Besichtigung durchgeführt", "Zweitbesichtigung vereinbart"],
    Activity.Type.EMAIL_SENT: ["Terminbestätigung versendet", "Unterlagen per E-Mail verschickt"],
}


def seed_activities(ctx: SeedContext) -> None:
    wanted = ctx.options["activities"]
    # Count only our own demo rows: other seeders log activities of their own.
    existing = Activity.objects.filter(office=ctx.office, payload__demo="core").count()
    missing = max(0, wanted - existing)
    if not missing:
        return
    now = timezone.now()
    types = list(_SUBJECTS)
    bar = ctx.progress("Aktivitäten", missing)

    def build() -> Iterator[Activity]:
        for i in range(missing):
            kind = types[i % len(types)]
            yield Activity(
                office=ctx.office,
                type=kind,
                user=ctx.agent,
                subject=ctx.rng.choice(_SUBJECTS[kind]),
                body="",
                occurred_at=now - dt.timedelta(minutes=ctx.rng.randint(1, 60 * 24 * 90)),
                payload={"demo": "core"},
            )

    bulk_create_chunked(Activity, build(), on_batch=lambda n: bar.update(n) if bar else None)
    ctx.log(f"{missing} Aktivitäten angelegt")
