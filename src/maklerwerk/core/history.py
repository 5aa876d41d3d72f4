"""Field-level change history. Services call `history_record` inside their transaction."""

from __future__ import annotations

import datetime as dt
import decimal
import json
import uuid
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from maklerwerk.core.models import ChangeLog

if TYPE_CHECKING:
    from maklerwerk.accounts.models import User

# Never written to the history, whatever the model.
_SKIP = {"id", "password", "created_at", "updated_at", "last_login", "token_hash", "search_vector"}
# A history row stays small whatever the record holds (a contact with 500 roles after a merge held
# hundreds of KB per row): long lists keep their first items and a count, long texts are cut, and a
# change of a long list stores what was removed and added, not both whole lists.
LIST_LIMIT = 40
TEXT_LIMIT = 4000


def _plain(value: Any) -> Any:
    """A JSON-safe, human-readable form of a field value."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if hasattr(value, "name"):  # FieldFile
        return value.name or None
    return str(value)


def snapshot(instance: models.Model, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The tracked values of a row: concrete fields plus any `extra` (e.g. related lists)."""
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if field.name in _SKIP:
            continue
        if isinstance(field, models.ForeignKey):
            related = getattr(instance, field.name, None)
            data[field.name] = str(related) if related is not None else None
        else:
            data[field.name] = _plain(field.value_from_object(instance))
    if extra:
        data.update({k: _plain(v) for k, v in extra.items()})
    return data


def diff(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        _change(key, before.get(key), after.get(key)) for key in after if before.get(key) != after.get(key)
    ]


def _change(field: str, old: Any, new: Any) -> dict[str, Any]:
    if isinstance(old, list) and isinstance(new, list) and len(old) + len(new) > LIST_LIMIT:
        kept = {json.dumps(item, sort_keys=True) for item in new}
        gone = {json.dumps(item, sort_keys=True) for item in old}
        removed = [item for item in old if json.dumps(item, sort_keys=True) not in kept]
        added = [item for item in new if json.dumps(item, sort_keys=True) not in gone]
        return {"field": field, "old": _bounded(removed), "new": _bounded(added), "delta": True}
    return {"field": field, "old": _bounded(old), "new": _bounded(new)}


def _bounded(value: Any, depth: int = 0) -> Any:
    """`value` with lists cut to LIST_LIMIT items (plus "… +N") and texts to TEXT_LIMIT characters."""
    if isinstance(value, str):
        return _clip(value, TEXT_LIMIT)
    if isinstance(value, list):
        head = [_bounded(v, depth + 1) for v in value[:LIST_LIMIT]]
        return [*head, f"… +{len(value) - LIST_LIMIT}"] if len(value) > LIST_LIMIT else head
    if isinstance(value, dict) and depth < 5:
        return {k: _bounded(v, depth + 1) for k, v in value.items()}
    return value


def history_record(
    *,
    instance: models.Model,
    acting_user: User | None,
    action: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
) -> ChangeLog | None:
    """Record what changed on `instance`. `before`/`after` are `snapshot()`s; create has no `before`.

    Returns None when an update changed nothing, so a save without edits leaves no noise.
    """
    after = after if after is not None else snapshot(instance)
    if action == ChangeLog.Action.CREATE:
        changes = [_change(k, None, v) for k, v in after.items() if v not in (None, "", [], {})]
    elif action == ChangeLog.Action.DELETE:
        changes = [_change(k, v, None) for k, v in (before or after).items() if v not in (None, "")]
    else:
        changes = diff(before or {}, after)
        if not changes and action == ChangeLog.Action.UPDATE:
            return None
    office_id = getattr(instance, "office_id", None)
    if office_id is None and instance._meta.label == "accounts.Office":
        office_id = instance.pk
    return ChangeLog.objects.create(
        office_id=office_id,
        content_type=ContentType.objects.get_for_model(instance),
        object_id=str(instance.pk),
        object_repr=str(instance)[:300],
        action=action,
        changes=changes,
        user=acting_user,
        note=_clip(str(note), ChangeLog._meta.get_field("note").max_length),  # type: ignore[arg-type]  # has one
    )


def history_created_many(
    *, items: list[tuple[models.Model, dict[str, Any]]], acting_user: User | None, note: str = ""
) -> None:
    """Record the creation of many rows of one model at once (`(instance, snapshot)` each, saved):
    the same entries `history_record(action=CREATE)` writes, in one bulk insert."""
    if not items:
        return
    content_type = ContentType.objects.get_for_model(items[0][0])
    note = _clip(str(note), ChangeLog._meta.get_field("note").max_length)  # type: ignore[arg-type]  # has one
    ChangeLog.objects.bulk_create(
        (
            ChangeLog(
                office_id=getattr(instance, "office_id", None),
                content_type=content_type,
                object_id=str(instance.pk),
                object_repr=str(instance)[:300],
                action=ChangeLog.Action.CREATE,
                changes=[
                    {"field": k, "old": None, "new": v}
                    for k, v in after.items()
                    if v not in (None, "", [], {})
                ],
                user=acting_user,
                note=note,
            )
            for instance, after in items
        ),
        batch_size=1000,
    )


def _clip(text: str, limit: int) -> str:
    """At most `limit` characters, ending in "…" when cut (PostgreSQL refuses longer values)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def history_for(instance: models.Model) -> models.QuerySet[ChangeLog]:
    return ChangeLog.objects.filter(
        content_type=ContentType.objects.get_for_model(instance), object_id=str(instance.pk)
    ).select_related("user", "content_type")


def field_label(model: type[models.Model], name: str) -> str:
    """The translated verbose name of a field, for showing history rows."""
    try:
        return str(model._meta.get_field(name).verbose_name)  # type: ignore[union-attr]  # a relation: except
    except Exception:  # a key from `extra` rather than a model field
        return name.replace("_", " ")


def history_values_erase(instance: models.Model) -> int:
    """Blank the old and new values in the history of `instance` (Art. 17 DSGVO): who changed which
    field when stays (the statistics and the audit trail), what the personal data was does not.
    Returns the number of history rows scrubbed."""
    rows = history_for(instance)
    count = 0
    for row in rows:
        row.changes = [{"field": c.get("field"), "old": None, "new": None} for c in row.changes or []]
        row.object_repr = f"#{instance.pk}"
        row.save(update_fields=["changes", "object_repr"])
        count += 1
    return count
