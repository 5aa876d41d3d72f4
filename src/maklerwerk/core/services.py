from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import ngettext

from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.core.jobs import Progress, job_function
from maklerwerk.core.models import Activity, ChangeLog

if TYPE_CHECKING:
    from maklerwerk.accounts.models import Office, User


@transaction.atomic
def activity_create(
    *,
    office: Office,
    type: str,
    subject: str,
    acting_user: User | None,
    body: str = "",
    occurred_at: dt.datetime | None = None,
    payload: dict[str, Any] | None = None,
    contact_id: int | None = None,
    property_id: int | None = None,
) -> Activity:
    """Log an activity, optionally on a contact and/or property of the same office."""
    from maklerwerk.contacts.models import Contact
    from maklerwerk.properties.models import Property

    if contact_id is not None and not Contact.objects.filter(pk=contact_id, office=office).exists():
        raise ApplicationError("Unknown contact.", extra={"field": "contact_id"})
    if property_id is not None:
        # A user's action may only name a property they may see (restricted: as if it did not exist).
        from maklerwerk.properties.selectors import visible_properties

        known = Property.objects if acting_user is None else visible_properties(acting_user)
        if not known.filter(pk=property_id, office=office).exists():
            raise ApplicationError("Unknown property.", extra={"field": "property_id"})
    activity = Activity(
        office=office,
        type=type,
        subject=subject,
        body=body,
        user=acting_user,
        occurred_at=occurred_at or timezone.now(),
        payload=payload or {},
        contact_id=contact_id,
        property_id=property_id,
    )
    activity.full_clean()
    activity.save()
    return activity


# What a data export contains: (file section, model label, fields left out). Each app adds its own.
EXPORT_SECTIONS: list[tuple[str, str, set[str]]] = [
    ("users", "accounts.User", {"password"}),
    ("activities", "core.Activity", set()),
    ("history", "core.ChangeLog", set()),
]


def _office_path(model: Any) -> str | None:
    """How rows of `model` reach their office: directly, or through their property or contact."""
    names = {f.name for f in model._meta.fields}
    if "office" in names:
        return "office_id"
    for parent in ("property", "contact"):
        if parent in names:
            return f"{parent}__office_id"
    return None


def _exportable(value: Any) -> Any:
    # Uploaded files are exported by their stored name (the files themselves live in MEDIA_ROOT).
    if isinstance(value, FieldFile):
        return value.name or None
    return value


@job_function("core.data_export", resume=True)
def office_data_export(progress: Progress, *, office_id: int) -> dict[str, Any]:
    """Write every record of the office as one JSON file: the office's data is never locked in."""
    from django.apps import apps
    from django.forms.models import model_to_dict

    from maklerwerk.accounts.models import Office

    office = Office.objects.get(pk=office_id)
    out_dir = settings.DATA_DIR / "exports"
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{progress.job_id}.json"
    querysets = []
    for section, label, skip in EXPORT_SECTIONS:
        model = apps.get_model(label)
        field = _office_path(model)
        qs = model.objects.filter(**{field: office_id}) if field else model.objects.none()
        querysets.append((section, qs.order_by("pk"), skip))
    total = sum(qs.count() for _, qs, _ in querysets) or 1
    done = 0
    counts: dict[str, int] = {}
    with path.open("w", encoding="utf-8") as fh:
        fh.write('{"format": "maklerwerk-export", "version": 1, ')
        fh.write(f'"exported_at": {json.dumps(timezone.now().isoformat())}, ')
        fh.write(f'"office": {json.dumps(model_to_dict(office, exclude=["logo"]), cls=DjangoJSONEncoder)}')
        for section, qs, skip in querysets:
            fh.write(f', "{section}": [')
            counts[section] = 0
            for i, obj in enumerate(qs.iterator(chunk_size=2000)):
                row = {
                    f.attname: _exportable(f.value_from_object(obj))
                    for f in obj._meta.concrete_fields
                    if f.name not in skip
                }
                fh.write(("," if i else "") + json.dumps(row, cls=DjangoJSONEncoder, ensure_ascii=False))
                counts[section] += 1
                done += 1
                progress.update(done, total, f"{section}: {counts[section]}")
            fh.write("]")
        fh.write("}")
    records = sum(counts.values())
    message = ngettext("%(n)s record exported", "%(n)s records exported", records) % {"n": records}
    return {"file": path.name, "counts": counts, "message": message}


__all__ = ["ChangeLog", "activity_create", "office_data_export"]
