"""Reads for the Dubletten page and the API; always scoped by the user's office."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import models

from maklerwerk.contacts.models import Contact
from maklerwerk.core.jobs import job_check
from maklerwerk.core.models import Job
from maklerwerk.duplicates.batch import groups_of
from maklerwerk.duplicates.models import DuplicatePair, MergeRecord

if TYPE_CHECKING:
    from maklerwerk.accounts.models import User


@dataclass
class Group:
    contacts: list[Any]
    pairs: list[DuplicatePair]
    rows: list[dict[str, Any]] = field(default_factory=list)  # what the Dubletten page shows per pair

    @property
    def best_score(self) -> float:
        return max(p.score for p in self.pairs)


def duplicate_groups(*, user: User, min_score: float = 0.0) -> list[Group]:
    """Groups of contacts linked by stored pairs, best first."""

    pairs = list(DuplicatePair.objects.filter(office=user.office_id, score__gte=min_score))
    ids = groups_of((p.contact_a_id, p.contact_b_id) for p in pairs)
    contacts = Contact.objects.filter(office=user.office_id).in_bulk([i for g in ids for i in g])
    by_contact: dict[int, list[DuplicatePair]] = {}
    for p in pairs:
        by_contact.setdefault(p.contact_a_id, []).append(p)
    groups = []
    for members in ids:
        found = [contacts[i] for i in members if i in contacts]
        group_pairs = [p for i in members for p in by_contact.get(i, [])]
        if len(found) > 1 and group_pairs:
            groups.append(Group(found, sorted(group_pairs, key=lambda p: -p.score)))
    groups.sort(key=lambda g: (-g.best_score, g.contacts[0].pk))
    return groups


def duplicate_search_last(*, user: User) -> Job | None:
    jobs = Job.objects.filter(office=user.office_id, kind="duplicates.search").order_by("-created_at")
    job = jobs.first()
    if job is not None and job.state == Job.State.RUNNING:
        job_check(job)  # a scan whose worker died is declared so and started again
        job = jobs.first()
    return job


def merge_record_get(*, user: User, pk: int) -> MergeRecord | None:
    return (
        MergeRecord.objects.filter(office=user.office_id, pk=pk)
        .select_related("merged_by", "undone_by")
        .first()
    )


def merge_records_recent(*, user: User, limit: int = 10) -> list[MergeRecord]:
    """The office's latest merges, newest first (the Dubletten page links them for an undo)."""
    return list(MergeRecord.objects.filter(office=user.office_id).select_related("merged_by")[:limit])


def merge_records(*, user: User, contact_id: int | None = None) -> models.QuerySet[MergeRecord]:
    """The office's merges, newest first; with `contact_id` those that kept or removed it."""
    qs = MergeRecord.objects.filter(office=user.office_id)
    if contact_id is not None:
        qs = qs.filter(models.Q(survivor_contact_id=contact_id) | models.Q(merged_contact_id=contact_id))
    return qs
