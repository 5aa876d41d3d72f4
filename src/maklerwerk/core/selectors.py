from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import Http404

from maklerwerk.core.models import Activity, Job

if TYPE_CHECKING:
    from maklerwerk.accounts.models import User


def activity_list(
    *,
    user: User,
    type: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    user_id: int | None = None,
    contact_id: int | None = None,
    property_id: int | None = None,
) -> QuerySet[Activity]:
    """The office's activities, newest first, optionally filtered (none of hidden properties)."""
    from maklerwerk.properties.selectors import property_visible_q

    qs = (
        Activity.objects.filter(office_id=user.office_id)
        .filter(property_visible_q(user))
        .select_related("user")
    )
    if type:
        qs = qs.filter(type=type)
    if since:
        qs = qs.filter(occurred_at__gte=since)
    if until:
        qs = qs.filter(occurred_at__lt=until)
    if user_id:
        qs = qs.filter(user_id=user_id)
    if contact_id:
        qs = qs.filter(contact_id=contact_id)
    if property_id:
        qs = qs.filter(property_id=property_id)
    return qs


def activity_get(*, user: User, pk: int) -> Activity:
    from maklerwerk.properties.selectors import property_visible_q

    try:
        return (
            Activity.objects.select_related("user")
            .filter(property_visible_q(user))
            .get(pk=pk, office_id=user.office_id)
        )
    except Activity.DoesNotExist as exc:
        raise Http404 from exc


def job_get(*, user: User, pk: str) -> Job:
    """A job of the user's office; another office's job is simply not found."""
    try:
        job = Job.objects.get(pk=pk, office_id=user.office_id)
    except (Job.DoesNotExist, ValueError) as exc:
        raise Http404 from exc
    from maklerwerk.core.jobs import job_check

    return job_check(job)  # a job whose worker died is declared dead on read, never "running" forever
