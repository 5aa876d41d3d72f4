"""Demo data, built to grow: each app registers a seeder in `AppConfig.ready()`; `seed_demo` runs
them in their `order` (contacts before the properties that name them, ...).

Seeders are idempotent: they top up to the requested count instead of adding again, so running
`seed_demo` twice leaves the same data. Large counts use bulk inserts (benchmarks).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.module_loading import import_string

from maklerwerk.core.registry import Registry

if TYPE_CHECKING:
    from maklerwerk.accounts.models import Office, User


@dataclass
class SeedContext:
    office: Office
    agent: User
    options: dict[str, Any]
    rng: random.Random
    log: Callable[[str], None]
    progress: Callable[[str, int], Any] = field(default=lambda desc, total: None)


@dataclass(frozen=True)
class Seeder:
    key: str
    # "package.module.function" taking a SeedContext; imported only when seeding (Faker and Pillow
    # are slow to import, and every process registers the seeders at start).
    run: str
    # (option, default for the demo, help) for each count this seeder understands
    counts: tuple[tuple[str, int, str], ...] = ()
    order: int = 50

    def __call__(self, ctx: SeedContext) -> None:
        import_string(self.run)(ctx)


SEEDERS: Registry[Seeder] = Registry("demo-data seeders")


def bulk_create_chunked(
    model: Any, objs: Any, *, batch_size: int = 5000, on_batch: Callable[[int], Any] | None = None
) -> int:
    """Insert an iterable of unsaved objects in batches; returns how many were inserted."""
    batch: list[Any] = []
    total = 0
    for obj in objs:
        batch.append(obj)
        if len(batch) >= batch_size:
            model.objects.bulk_create(batch, batch_size=batch_size)
            total += len(batch)
            if on_batch:
                on_batch(len(batch))
            batch = []
    if batch:
        model.objects.bulk_create(batch, batch_size=batch_size)
        total += len(batch)
        if on_batch:
            on_batch(len(batch))
    return total
