"""How history rows are shown: the one place that turns ChangeLog entries into what an agent reads."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from maklerwerk.core.history import field_label
from maklerwerk.core.models import ChangeLog


def history_rows(entries: Iterable[ChangeLog], labels: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Rows for `core/_history.html`: each entry with its changes as (label, old, new)."""
    rows = []
    for entry in entries:
        model = entry.content_type.model_class()
        changes = []
        for c in entry.changes:
            label = (labels or {}).get(c["field"]) or (
                field_label(model, c["field"]) if model else c["field"]
            )
            changes.append({"field": c["field"], "label": label, "old": c.get("old"), "new": c.get("new")})
        rows.append({"entry": entry, "changes": changes})
    return rows
