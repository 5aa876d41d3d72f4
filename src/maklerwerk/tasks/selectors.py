from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.http import Http404

from maklerwerk.properties.selectors import property_visible_q
from maklerwerk.tasks.models import Task

if TYPE_CHECKING:
    from maklerwerk.accounts.models import User


def task_list(
    *,
    user: User,
    state: str = "open",
    assignee_id: int | None = None,
    contact_id: int | None = None,
    property_id: int | None = None,
) -> QuerySet[Task]:
    """The office's tasks: `state` is open, done or all; open ones by due date (undated last).

    Tasks about a property the user may not see (restricted) are left out.
    """
    qs = (
        Task.objects.filter(office=user.office_id)
        .filter(_visible(user))
        .select_related("assignee", "contact", "property")
    )
    if state == "open":
        qs = qs.filter(done_at__isnull=True)
    elif state == "done":
        qs = qs.filter(done_at__isnull=False)
    if assignee_id:
        qs = qs.filter(assignee_id=assignee_id)
    if contact_id:
        qs = qs.filter(contact_id=contact_id)
    if property_id:
        qs = qs.filter(property_id=property_id)
    return qs


def _visible(user: User) -> Q:

    return property_visible_q(user)


def task_get(*, user: User, pk: int) -> Task:
    try:
        return (
            Task.objects.select_related("assignee").filter(_visible(user)).get(pk=pk, office=user.office_id)
        )
    except Task.DoesNotExist as exc:
        raise Http404 from exc


def tasks_due(*, user: User) -> tuple[list[Task], list[Task]]:
    """The user's open tasks that are overdue, and those due later today (for the dashboard)."""
    import datetime as dt

    from django.utils import timezone

    now = timezone.now()
    end_of_day = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time.max))
    qs = (
        Task.objects.filter(
            office=user.office_id, assignee=user, done_at__isnull=True, due_at__lte=end_of_day
        )
        .select_related("contact", "property")
        .order_by("due_at", "pk")
    )
    tasks = list(qs[:50])
    overdue = [t for t in tasks if t.due_at is not None and t.due_at < now]
    return overdue, [t for t in tasks if t.due_at is not None and t.due_at >= now]


def open_task_count(*, user: User) -> int:
    return (
        Task.objects.filter(office=user.office_id, assignee=user, done_at__isnull=True)
        .filter(_visible(user))
        .count()
    )
