"""The two writes every stage of an inquiry uses: record a step, change the status.

They live apart from the stages (intake, automation) so that each stage can use them without
importing the other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from django.utils import timezone

from maklerwerk.core.services import activity_create
from maklerwerk.inquiries.models import Inquiry, InquiryStep


def step_record(
    inquiry: Inquiry,
    kind: str,
    text: str,
    *,
    ok: bool = True,
    activity: str | None = None,
    at: dt.datetime | None = None,
) -> None:
    """Record a step on the inquiry and, as an activity, on its contact and property."""
    InquiryStep.objects.create(inquiry=inquiry, kind=kind, text=text[:500], ok=ok, at=at or timezone.now())
    if activity and (inquiry.contact_id or inquiry.property_id):
        activity_create(
            office=inquiry.office,
            type=activity,
            subject=text[:300],
            acting_user=None,
            contact_id=inquiry.contact_id,
            property_id=inquiry.property_id,
            payload={"inquiry_id": inquiry.pk, "step": kind},
        )


def inquiry_status_set(
    inquiry: Inquiry,
    status: str,
    reason: str = "",
    *,
    also: Iterable[str] = (),
    only_from: Iterable[str] | None = None,
    where: Mapping[str, object] | None = None,
) -> bool:
    """The one place an inquiry's status changes. Saves only `status`, `reason` and the `also` fields.

    `only_from`: change it only if the status in the database is one of these (a claim against a
    concurrent change, as a conditional UPDATE, with further conditions in `where`); returns False,
    and changes nothing, if it was not.
    """
    inquiry.status, inquiry.reason = status, reason[:500]
    fields = ["status", "reason", *also]
    if only_from is None:
        inquiry.save(update_fields=[*fields, "updated_at"])
        return True
    inquiry.updated_at = timezone.now()
    columns = {f: Inquiry._meta.get_field(f).attname for f in [*fields, "updated_at"]}  # type: ignore[union-attr]  # own fields
    values = {f: getattr(inquiry, attname) for f, attname in columns.items()}
    rows = Inquiry.objects.filter(pk=inquiry.pk, status__in=list(only_from), **(where or {}))
    return bool(rows.update(**values))
