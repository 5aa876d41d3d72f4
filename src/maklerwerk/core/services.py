from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.core.history import history_record, snapshot
from maklerwerk.core.jobs import Progress, job_function
from maklerwerk.core.models import Activity, ChangeLog

if TYPE_CHECKING:
    from maklerwerk.accounts.models import Office, User


def _check_activity_links(
    office: Office,
    acting_user: User | None,
    contact_id: int | None,
    property_id: int | None,
    further_contact_ids: list[int],
) -> None:
    """Contacts and the property must be the office's own; a restricted property must be visible."""
    from maklerwerk.contacts.models import Contact
    from maklerwerk.properties.models import Property

    if contact_id is not None and not Contact.objects.filter(pk=contact_id, office=office).exists():
        raise ApplicationError(_("Unknown contact."), extra={"field": "contact_id"})
    ids = set(further_contact_ids)
    if ids and Contact.objects.filter(pk__in=ids, office=office).count() != len(ids):
        raise ApplicationError(_("Unknown contact."), extra={"field": "further_contact_ids"})
    if property_id is not None:
        # A user's action may only name a property they may see (restricted: as if it did not exist).
        from maklerwerk.properties.selectors import visible_properties

        known = Property.objects if acting_user is None else visible_properties(acting_user)
        if not known.filter(pk=property_id, office=office).exists():
            raise ApplicationError(_("Unknown property."), extra={"field": "property_id"})


def _subject(type: str, subject: str, body: str) -> str:
    """The subject line: as typed, else the first line of the text, else the kind of activity."""
    subject = subject.strip()
    if not subject:
        first = next((line.strip() for line in body.splitlines() if line.strip()), "")
        subject = first if len(first) <= 80 else first[:79].rstrip() + "…"
    return subject or str(Activity.Type(type).label if type in Activity.Type.values else type)


def _activity_snapshot(activity: Activity) -> dict[str, Any]:
    return snapshot(
        activity,
        extra={"further_contacts": sorted(str(c) for c in activity.further_contacts.all())},
    )


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
    further_contact_ids: list[int] | None = None,
) -> Activity:
    """Log an activity, optionally on contacts and/or a property of the same office.

    What an agent logs by hand (call, note, viewing, meeting, letter) is recorded in the history,
    so a later edit or deletion can be traced; automatic entries (e-mail sent, ...) are not.
    """
    further = [i for i in dict.fromkeys(further_contact_ids or []) if i != contact_id]
    _check_activity_links(office, acting_user, contact_id, property_id, further)
    activity = Activity(
        office=office,
        type=type,
        subject=_subject(type, subject, body),
        body=body,
        user=acting_user,
        occurred_at=occurred_at or timezone.now(),
        payload=payload or {},
        contact_id=contact_id,
        property_id=property_id,
    )
    activity.full_clean()
    activity.save()
    if further:
        activity.further_contacts.set(further)
    if type in Activity.MANUAL_TYPES:
        history_record(
            instance=activity,
            acting_user=acting_user,
            action=ChangeLog.Action.CREATE,
            after=_activity_snapshot(activity),
        )
    return activity


# Fields an edit may change (type, text, time and links); who logged it and the payload stay.
ACTIVITY_EDITABLE = ("type", "subject", "body", "occurred_at", "contact_id", "property_id")


@transaction.atomic
def activity_update(
    *,
    activity: Activity,
    acting_user: User | None,
    further_contact_ids: list[int] | None = None,
    **changes: Any,
) -> Activity:
    """Change a logged activity; the history keeps the old values."""
    unknown = set(changes) - set(ACTIVITY_EDITABLE)
    if unknown:
        raise ApplicationError(_("These fields cannot be changed: %s") % ", ".join(sorted(unknown)))
    before = _activity_snapshot(Activity.objects.get(pk=activity.pk))
    contact_id = changes.get("contact_id", activity.contact_id)
    further = (
        [i for i in dict.fromkeys(further_contact_ids) if i != contact_id]
        if further_contact_ids is not None
        else None
    )
    _check_activity_links(
        activity.office,
        acting_user,
        contact_id,
        changes.get("property_id", activity.property_id),
        further or [],
    )
    for key, value in changes.items():
        setattr(activity, key, value)
    activity.subject = _subject(activity.type, activity.subject, activity.body)
    activity.full_clean()
    activity.save()
    if further is not None:
        activity.further_contacts.set(further)
    history_record(
        instance=activity,
        acting_user=acting_user,
        action=ChangeLog.Action.UPDATE,
        before=before,
        after=_activity_snapshot(activity),
    )
    return activity


@transaction.atomic
def activity_delete(*, activity: Activity, acting_user: User | None) -> None:
    """Delete an activity; the history keeps what it said."""
    history_record(
        instance=activity,
        acting_user=acting_user,
        action=ChangeLog.Action.DELETE,
        before=_activity_snapshot(activity),
    )
    activity.delete()


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


__all__ = ["ChangeLog", "activity_create", "activity_delete", "activity_update", "office_data_export"]
