from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.http import Http404

from maklerwerk.core.jobs import job_check
from maklerwerk.core.models import Activity, Job
from maklerwerk.properties.selectors import property_visible_q

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
    search: str | None = None,
) -> QuerySet[Activity]:
    """The office's activities the user may see, newest first, optionally filtered.

    A contact's activities include those where they took part as a further contact; activities
    about a restricted property are left out for users who may not see that property.
    """

    qs = (
        Activity.objects.filter(office=user.office_id)
        .filter(property_visible_q(user))
        .select_related("user", "contact", "property")
        .prefetch_related("further_contacts")
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
        shared = Activity.further_contacts.through.objects.filter(contact_id=contact_id)
        qs = qs.filter(Q(contact_id=contact_id) | Q(pk__in=shared.values("activity_id")))
    if property_id:
        qs = qs.filter(property_id=property_id)
    for word in (search or "").split()[:5]:
        qs = qs.filter(Q(subject__icontains=word) | Q(body__icontains=word))
    return qs


def activity_get(*, user: User, pk: int) -> Activity:

    try:
        return activity_list(user=user).get(pk=pk)
    except (Activity.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def job_get(*, user: User, pk: str) -> Job:
    """A job of the user's office; another office's job is simply not found."""
    try:
        job = Job.objects.get(pk=pk, office=user.office_id)
    except (Job.DoesNotExist, ValueError) as exc:
        raise Http404 from exc

    return job_check(job)  # a job whose worker died is declared dead on read, never "running" forever
