"""Reading and writing import records (see models.py). Callers decide what a record means."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType

from maklerwerk.imports.models import ImportRecord

if TYPE_CHECKING:
    from django.db import models

    from maklerwerk.accounts.models import Office


def content_hash(data: Any) -> str:
    """A stable hash of normalised content (dicts in key order, dates as ISO text)."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def records_find(
    *, office: Office, source_system: str, kind: str, source_keys: Iterable[str]
) -> dict[str, ImportRecord]:
    """The office's records for these source keys (one query per 500 keys), by source key."""
    keys = list(dict.fromkeys(source_keys))
    out: dict[str, ImportRecord] = {}
    for i in range(0, len(keys), 500):
        qs = ImportRecord.objects.filter(
            office=office, source_system=source_system, kind=kind, source_key__in=keys[i : i + 500]
        ).select_related("target_type")
        out.update((r.source_key, r) for r in qs)
    return out


def record_save(
    *,
    office: Office,
    source_system: str,
    kind: str,
    source_key: str,
    target: models.Model,
    row_hash: str,
    status: str = ImportRecord.Status.CREATED,
    batch: str = "",
) -> ImportRecord:
    """Create or replace the record of `source_key`, pointing at `target` as it is now."""
    model = type(target)
    stamp = None
    if any(f.name == "updated_at" for f in model._meta.concrete_fields):
        stamp = model._default_manager.filter(pk=target.pk).values_list("updated_at", flat=True).first()
    record, _created = ImportRecord.objects.update_or_create(
        office=office,
        source_system=source_system,
        kind=kind,
        source_key=source_key,
        defaults={
            "target_type": ContentType.objects.get_for_model(target),
            "target_id": target.pk,
            "row_hash": row_hash,
            "target_updated_at": stamp,
            "status": status,
            "batch": batch[:100],
        },
    )
    return record
