from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from maklerwerk.contacts.models import Contact
from maklerwerk.core.exceptions import ApplicationError

# The office export (a job) lives in core.export; its entry point stays importable from here.
from maklerwerk.core.export import EXPORT_SECTIONS, ExportSection, office_data_export
from maklerwerk.core.history import history_record, snapshot
from maklerwerk.core.models import Activity, ChangeLog
from maklerwerk.properties.models import Property
from maklerwerk.properties.selectors import visible_properties

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

    if contact_id is not None and not Contact.objects.filter(pk=contact_id, office=office).exists():
        raise ApplicationError(_("Unknown contact."), extra={"field": "contact_id"})
    ids = set(further_contact_ids)
    if ids and Contact.objects.filter(pk__in=ids, office=office).count() != len(ids):
        raise ApplicationError(_("Unknown contact."), extra={"field": "further_contact_ids"})
    if property_id is not None:
        # A user's action may only name a property they may see (restricted: as if it did not exist).

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
    author: User | None = None,
) -> Activity:
    """Log an activity, optionally on contacts and/or a property of the same office.

    What an agent logs by hand (call, note, viewing, meeting, letter) is recorded in the history,
    so a later edit or deletion can be traced; automatic entries (e-mail sent, ...) are not.
    `author` is who the activity is by when that is not the acting user (an import keeps the old
    system's author); it must be a user of the office.
    """
    if author is not None and author.office_id != office.pk:
        raise ApplicationError(_("Unknown user."), extra={"field": "user"})
    further = [i for i in dict.fromkeys(further_contact_ids or []) if i != contact_id]
    _check_activity_links(office, acting_user, contact_id, property_id, further)
    activity = Activity(
        office=office,
        type=type,
        subject=_subject(type, subject, body),
        body=body,
        user=author or acting_user,
        occurred_at=occurred_at or timezone.now(),
        payload=payload or {},
        contact_id=contact_id,
        property_id=property_id,
    )
    # The links were checked above and the user is given: no query per key (as activities_create_many).
    activity.full_clean(exclude=["office", "user", "contact", "property"])
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


@dataclass(frozen=True)
class NewActivity:
    """One automatic activity for `activities_create_many` (the fields of `activity_create`)."""

    type: str
    subject: str
    body: str = ""
    occurred_at: dt.datetime | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    contact_id: int | None = None
    property_id: int | None = None
    further_contact_ids: tuple[int, ...] = ()


@transaction.atomic
def activities_create_many(
    *, office: Office, acting_user: User | None, entries: list[NewActivity]
) -> list[Activity]:
    """Log many automatic activities at once (the mail archive's batch): the same checks as
    `activity_create` (contacts of the office, a visible property), read in two queries, and bulk
    writes. Manual types are refused here: they need their history row one by one."""
    if any(e.type in Activity.MANUAL_TYPES for e in entries):
        raise ApplicationError(_("Activities logged by hand are created one at a time."))
    contact_ids = {i for e in entries for i in (e.contact_id, *e.further_contact_ids) if i is not None}
    found = set(Contact.objects.filter(pk__in=contact_ids, office=office).values_list("pk", flat=True))
    if found != contact_ids:
        raise ApplicationError(_("Unknown contact."), extra={"field": "contact_id"})
    property_ids = {e.property_id for e in entries if e.property_id is not None}
    if property_ids:
        known = Property.objects if acting_user is None else visible_properties(acting_user)
        visible = set(known.filter(pk__in=property_ids, office=office).values_list("pk", flat=True))
        if visible != property_ids:
            raise ApplicationError(_("Unknown property."), extra={"field": "property_id"})
    now = timezone.now()
    rows = [
        Activity(
            office=office,
            type=e.type,
            subject=_subject(e.type, e.subject, e.body),
            body=e.body,
            user=acting_user,
            occurred_at=e.occurred_at or now,
            payload=e.payload,
            contact_id=e.contact_id,
            property_id=e.property_id,
        )
        for e in entries
    ]
    for row in rows:
        row.full_clean(exclude=["office", "user", "contact", "property"], validate_unique=False)
    rows = Activity.objects.bulk_create(rows)
    through = Activity.further_contacts.through
    links = [
        through(activity_id=row.pk, contact_id=cid)
        for row, e in zip(rows, entries, strict=True)
        for cid in dict.fromkeys(e.further_contact_ids)
        if cid != e.contact_id
    ]
    through.objects.bulk_create(links)
    return rows


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


__all__ = [
    "EXPORT_SECTIONS",
    "ChangeLog",
    "ExportSection",
    "activity_create",
    "activity_delete",
    "activity_update",
    "office_data_export",
]
