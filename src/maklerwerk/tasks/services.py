from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, TypedDict

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from maklerwerk.accounts.permissions import ensure_capability
from maklerwerk.accounts.roles import Capability
from maklerwerk.contacts.models import Contact
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.core.history import history_record, snapshot
from maklerwerk.core.models import ChangeLog
from maklerwerk.properties.models import Property
from maklerwerk.properties.selectors import visible_properties
from maklerwerk.tasks.models import Task

if TYPE_CHECKING:
    from maklerwerk.accounts.models import Office, User


class TaskFields(TypedDict):
    """What a person fills in on a task (the task form's cleaned values, as `task_create` takes them)."""

    title: str
    assignee: User | None
    due_at: dt.datetime | None
    priority: str
    description: str
    contact_id: int | None
    property_id: int | None


def _check_links(
    office: Office,
    assignee: User | None,
    contact_id: int | None,
    property_id: int | None,
    acting_user: User | None = None,
) -> None:

    if assignee is not None and assignee.office_id != office.pk:
        raise ApplicationError(_("The assignee must belong to your office."), extra={"field": "assignee_id"})
    if contact_id is not None and not Contact.objects.filter(pk=contact_id, office=office).exists():
        raise ApplicationError(_("Unknown contact."), extra={"field": "contact_id"})
    if property_id is not None:
        # A user may only link a property they may see (restricted: as if it did not exist).

        known = Property.objects if acting_user is None else visible_properties(acting_user)
        if not known.filter(pk=property_id, office=office).exists():
            raise ApplicationError(_("Unknown property."), extra={"field": "property_id"})


@transaction.atomic
def task_create(
    *,
    office: Office,
    title: str,
    assignee: User | None,
    acting_user: User | None = None,
    due_at: dt.datetime | None = None,
    contact_id: int | None = None,
    property_id: int | None = None,
    description: str = "",
    link_url: str = "",
    source: str = "",
    priority: str = Task.Priority.NORMAL,
) -> Task:
    """Create a task; other features (inquiry manager, process manager) call this for follow-ups."""
    _check_links(office, assignee, contact_id, property_id, acting_user)
    task = Task(
        office=office,
        title=title.strip(),
        description=description,
        assignee=assignee,
        due_at=due_at,
        priority=priority,
        contact_id=contact_id,
        property_id=property_id,
        link_url=link_url,
        source=source,
        created_by=acting_user,
    )
    task.full_clean()
    task.save()
    history_record(instance=task, acting_user=acting_user, action=ChangeLog.Action.CREATE)
    return task


@transaction.atomic
def task_update(*, task: Task, acting_user: User | None, **changes: Any) -> Task:
    before = snapshot(Task.objects.get(pk=task.pk))
    assignee = changes.get("assignee", task.assignee)
    _check_links(
        task.office,
        assignee,
        changes.get("contact_id", task.contact_id),
        changes.get("property_id", task.property_id),
        acting_user,
    )
    for key, value in changes.items():
        setattr(task, key, value)
    task.full_clean()
    task.save()
    history_record(instance=task, before=before, acting_user=acting_user, action=ChangeLog.Action.UPDATE)
    return task


def task_set_done(*, task: Task, done: bool, acting_user: User | None) -> Task:
    return task_update(task=task, acting_user=acting_user, done_at=timezone.now() if done else None)


@transaction.atomic
def task_delete(*, task: Task, acting_user: User | None) -> None:
    ensure_capability(acting_user, Capability.DELETE)
    history_record(instance=task, acting_user=acting_user, action=ChangeLog.Action.DELETE)
    task.delete()
