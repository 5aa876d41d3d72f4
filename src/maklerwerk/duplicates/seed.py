"""Demo data: seeders insert contacts in bulk, past the services; give them match keys."""

from __future__ import annotations

from maklerwerk.core.seeding import SeedContext
from maklerwerk.duplicates.engine import rebuild_keys


def seed_match_keys(ctx: SeedContext) -> None:
    bar = ctx.progress("Dubletten-Schlüssel", 0)

    def progress(done: int, total: int) -> None:
        if bar is not None:
            bar.total = total
            bar.n = done
            bar.refresh()

    done = rebuild_keys(office_id=ctx.office.pk, only_missing=True, on_progress=progress)
    if done:
        ctx.log(f"{done} Kontakte für die Dublettenprüfung indiziert")
