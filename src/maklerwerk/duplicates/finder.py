"""Searching a whole office for duplicates: profiles from the database, pairs from `batch`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connection, transaction
from django.db.models import Q

from maklerwerk.duplicates import batch, engine
from maklerwerk.duplicates.models import DuplicatePair, MatchProfile, NotDuplicate
from maklerwerk.duplicates.normalize import RecordTable, gc_paused
from maklerwerk.duplicates.reasons import REVIEW_CODES


def office_profiles(office_id: int, chunk: int = 20_000) -> tuple[list[int], RecordTable]:
    """Every profile of the office in id order: the contact ids, and the profiles as a table
    (columns, no `Record` per contact until the batch compares it)."""
    columns = ", ".join(engine._PROFILE_COLUMNS)
    table = MatchProfile._meta.db_table
    rows: list[tuple[Any, ...]] = []
    with gc_paused(), connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {table} WHERE office_id = %s ORDER BY contact_id", [office_id])  # noqa: S608
        while part := cursor.fetchmany(chunk):
            rows += part
        fields = list(zip(*rows, strict=True)) or [()] * len(engine._PROFILE_COLUMNS)
        del rows
    return list(fields[0]), RecordTable(fields[1:])


def office_find_pairs(
    office_id: int,
    *,
    min_score: float | None = None,
    on_progress: Callable[[str, int, int], Any] | None = None,
) -> list[batch.Pair[int]]:
    """Pairs of the office's contacts scoring at least `min_score` (default: the "possible" threshold),
    leaving out pairs a user marked as different people. Contacts without keys are keyed first."""
    engine.rebuild_keys(office_id=office_id, only_missing=True)
    if min_score is None:
        min_score = engine.thresholds(office_id)[1]
    with gc_paused():  # a million rows and records, hundreds of thousands of pairs: none cyclic
        ids, records = office_profiles(office_id)
        if on_progress:
            on_progress("load", len(records), len(records))
        pairs = batch.find_pairs_in(
            ids,
            records,
            min_score=min_score,
            on_progress=(lambda done, total: on_progress("compare", done, total)) if on_progress else None,
        )
        del ids, records
    rejected = set(
        NotDuplicate.objects.filter(office_id=office_id).values_list("contact_a_id", "contact_b_id")
    )
    return [p for p in pairs if (p.a, p.b) not in rejected and (p.b, p.a) not in rejected]


@transaction.atomic
def pairs_store(office_id: int, pairs: list[batch.Pair[int]]) -> int:
    """Replace the office's stored pairs (what the Dubletten page shows). Pairs an import or an
    inquiry listed for review stay until a user decides, unless the search found the same pair again."""
    listed = Q()
    for code in REVIEW_CODES:
        listed |= Q(codes__icontains=code)
    review = {
        (old.contact_a_id, old.contact_b_id): old.pk
        for old in DuplicatePair.objects.filter(listed, office_id=office_id)
        if set(REVIEW_CODES) & set(old.codes)
    }
    DuplicatePair.objects.filter(office_id=office_id).exclude(pk__in=list(review.values())).delete()
    pairs = [p for p in pairs if (min(p.a, p.b), max(p.a, p.b)) not in review]
    DuplicatePair.objects.bulk_create(
        (
            DuplicatePair(
                office_id=office_id,
                contact_a_id=p.a,
                contact_b_id=p.b,
                score=p.result.score,
                codes=list(p.result.codes),
                similarities=p.result.similarities,
            )
            for p in pairs
        ),
        batch_size=2000,
    )
    return len(pairs) + len(review)


def pairs_forget(contact_ids: list[int]) -> None:
    DuplicatePair.objects.filter(Q(contact_a_id__in=contact_ids) | Q(contact_b_id__in=contact_ids)).delete()
