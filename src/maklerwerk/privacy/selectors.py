"""Reads of the privacy app, scoped to the user's office."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import Http404

from maklerwerk.core.models import Job
from maklerwerk.privacy.models import (
    AccessLogEntry,
    ConsentRecord,
    ErasureRequest,
    InactiveProposal,
    LegalHold,
    RetentionMark,
    SubjectRequest,
)

if TYPE_CHECKING:
    from maklerwerk.accounts.models import User


def erasure_request_get(*, user: User, pk: int) -> ErasureRequest:
    try:
        return ErasureRequest.objects.select_related("contact", "recorded_by", "decided_by").get(
            pk=pk, office=user.office_id
        )
    except ErasureRequest.DoesNotExist as exc:
        raise Http404 from exc


def erasure_requests(*, user: User, contact_id: int | None = None) -> QuerySet[ErasureRequest]:
    qs = ErasureRequest.objects.filter(office=user.office_id).select_related("contact")
    return qs.filter(contact_id=contact_id) if contact_id is not None else qs


def erasure_due(*, user: User, until: dt.date) -> QuerySet[ErasureRequest]:
    """Executed requests whose holds end by `until` ("fällig diesen Monat"), the earliest first."""
    return (
        erasure_requests(user=user)
        .filter(status=ErasureRequest.Status.RESTRICTED, held_until__lte=until)
        .order_by("held_until", "pk")
    )


def legal_holds(*, user: User, contact_id: int) -> QuerySet[LegalHold]:
    return LegalHold.objects.filter(office=user.office_id, contact_id=contact_id, released_at__isnull=True)


def legal_hold_get(*, user: User, pk: int) -> LegalHold:
    try:
        return LegalHold.objects.get(pk=pk, office=user.office_id, released_at__isnull=True)
    except LegalHold.DoesNotExist as exc:
        raise Http404 from exc


def retention_marks(*, user: User, contact_id: int) -> QuerySet[RetentionMark]:
    return RetentionMark.objects.filter(office=user.office_id, contact_id=contact_id).order_by(
        "document_date"
    )


def access_log(*, user: User, contact_id: int | None = None) -> QuerySet[AccessLogEntry]:
    qs = AccessLogEntry.objects.filter(office=user.office_id).select_related("user")
    return qs.filter(contact_id=contact_id) if contact_id is not None else qs


def data_export_jobs(*, user: User, contact_id: int) -> QuerySet[Job]:
    return Job.objects.filter(
        office=user.office_id, kind="privacy.data_export", params__contact_id=contact_id
    ).order_by("-created_at")


def data_export_job(*, user: User, pk: str) -> Job:
    try:
        return Job.objects.get(pk=pk, office=user.office_id, kind="privacy.data_export")
    except (Job.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def consents(*, user: User, contact_id: int) -> QuerySet[ConsentRecord]:
    return ConsentRecord.objects.filter(office=user.office_id, contact_id=contact_id).order_by(
        "-recorded_at", "-pk"
    )


def subject_requests(*, user: User, contact_id: int | None = None) -> QuerySet[SubjectRequest]:
    qs = SubjectRequest.objects.filter(office=user.office_id).select_related("contact", "decided_by")
    return qs.filter(contact_id=contact_id) if contact_id is not None else qs


def subject_request_get(*, user: User, pk: int) -> SubjectRequest:
    try:
        return subject_requests(user=user).select_related("recorded_by").get(pk=pk)
    except SubjectRequest.DoesNotExist as exc:
        raise Http404 from exc


def subject_requests_open(*, user: User) -> QuerySet[SubjectRequest]:
    """Open rectification and objection requests, the nearest deadline first."""
    return subject_requests(user=user).filter(status=SubjectRequest.Status.OPEN).order_by("due_on", "pk")


def inactive_proposals(*, user: User, status: str | None = None) -> QuerySet[InactiveProposal]:
    qs = InactiveProposal.objects.filter(office=user.office_id).select_related("contact", "decided_by")
    if status is None:
        return qs.order_by("-decided_at", "-pk")
    return qs.filter(status=status).order_by("last_activity_at", "pk")


def inactive_proposal_get(*, user: User, pk: int) -> InactiveProposal:
    try:
        return InactiveProposal.objects.get(pk=pk, office=user.office_id)
    except InactiveProposal.DoesNotExist as exc:
        raise Http404 from exc


def inactive_last_job(*, user: User) -> Job | None:
    """The office's latest review or deletion job of inactive prospects (its progress on the page)."""
    return (
        Job.objects.filter(
            office=user.office_id, kind__in=("privacy.inactive_review", "privacy.inactive_erase")
        )
        .order_by("-created_at")
        .first()
    )
