"""Writes and the engine's entry points: checks, key maintenance, settings, merging (see merge.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction

from maklerwerk.contacts.models import Contact
from maklerwerk.core.history import history_record, snapshot
from maklerwerk.core.jobs import job_start
from maklerwerk.duplicates import (
    engine,
    many,
    tasks,  # noqa: F401  (registers the job)
)
from maklerwerk.duplicates.candidates import Candidate
from maklerwerk.duplicates.models import (
    DuplicatePair,
    DuplicateSettings,
    IntakePolicy,
    IntakeSource,
    NotDuplicate,
)
from maklerwerk.duplicates.normalize import Record, record_from_data
from maklerwerk.duplicates.reasons import IMPORT_REVIEW, INQUIRY_REVIEW, reason_texts

if TYPE_CHECKING:
    from maklerwerk.accounts.models import Office, User
    from maklerwerk.contacts.models import Contact

__all__ = ["Candidate", "IntakePolicy", "IntakeSource"]  # re-exported for contacts.intake


def duplicates_check(
    *, office: Office, data: dict[str, Any], exclude_id: int | None = None
) -> list[Candidate]:
    """Ranked candidates (best first) for contact `data` in `office`, with German reasons."""

    matches = engine.check(office_id=office.pk, data=data, exclude_id=exclude_id)
    if not matches:
        return []
    contacts = Contact.objects.filter(office=office).in_bulk([m.contact_id for m in matches])
    return _candidates(matches, contacts)


def _candidates(matches: Sequence[engine.Match], contacts: dict[int, Contact]) -> list[Candidate]:
    """The engine's matches as candidates with their contacts and German reasons (those of
    contacts no longer there left out)."""
    return [
        Candidate(
            contact=contacts[m.contact_id],
            score=m.result.score,
            level=m.level,
            reasons=reason_texts(m.result.codes),
            similarities=m.result.similarities,
            codes=list(m.result.codes),
        )
        for m in matches
        if m.contact_id in contacts
    ]


@dataclass(frozen=True)
class InnerPair:
    """Entries `a` < `b` (positions) of one batch may be the same person; `b` compared with `a`."""

    a: int
    b: int
    score: float
    level: str
    reasons: list[str]
    similarities: dict[str, float]
    codes: list[str]


@dataclass(frozen=True)
class BatchCheck:
    candidates: list[list[Candidate]]  # per entry, existing contacts of the office, best first
    inner: list[InnerPair]  # entries of the batch that may be the same person
    records: list[Record]  # per entry, as the engine keys it (`contact_keys_add_many` takes them)


def duplicates_check_many(*, office: Office, datas: Sequence[dict[str, Any]]) -> BatchCheck:
    """`duplicates_check` for many new contacts at once (an import), and their pairs among
    themselves: a fixed number of queries for the whole batch (see `many`)."""
    records = [record_from_data(d) for d in datas]
    checked = many.check_many(office.pk, records)
    ids = {m.contact_id for ms in checked.matches for m in ms}
    contacts = Contact.objects.filter(office=office).in_bulk(list(ids)) if ids else {}
    candidates = [_candidates(ms, contacts) for ms in checked.matches]
    inner = [
        InnerPair(
            p.a,
            p.b,
            p.result.score,
            p.level,
            reason_texts(p.result.codes),
            p.result.similarities,
            list(p.result.codes),
        )
        for p in checked.inner
    ]
    return BatchCheck(candidates, inner, records)


def contact_keys_add_many(*, office: Office, saved: Sequence[tuple[int, Record]]) -> None:
    """Match keys and name counts of new contacts (`(contact id, record from the check)`), in bulk."""
    many.keys_add_many(office.pk, saved)


def review_add_many(*, office: Office, found: Sequence[tuple[Contact, Candidate]], source: str) -> None:
    """`review_add` for many new contacts (none of them listed yet), in one insert."""
    code = INQUIRY_REVIEW if source == IntakeSource.INQUIRY else IMPORT_REVIEW
    many.review_add_many(
        office.pk,
        [(c.pk, x.contact.pk, x.score, [*x.codes, code], x.similarities) for c, x in found],
    )


def contact_keys_refresh(*, contact: Contact) -> None:
    """Keep the contact's match keys current (called by contact services after every save)."""
    engine.keys_refresh(contact)


def contact_keys_forget(*, contact: Contact) -> None:
    """Drop a contact being deleted from the match keys and the office's name counts."""
    engine.keys_forget(contact.pk, contact.office_id)


@transaction.atomic
def duplicate_settings_update(
    *,
    office: Office,
    acting_user: User,
    certain_threshold: float,
    possible_threshold: float,
    import_policy: str | None = None,
    inquiry_policy: str | None = None,
) -> DuplicateSettings:
    """Change the office's thresholds "sicher Dublette" / "mögliche Dublette" and (when given) the
    intake policies it chooses per source."""
    obj, _ = DuplicateSettings.objects.select_for_update().get_or_create(office=office)
    before = snapshot(obj)
    obj.certain_threshold = certain_threshold
    obj.possible_threshold = possible_threshold
    if import_policy:  # None or empty: unchanged
        obj.import_policy = import_policy
    if inquiry_policy:
        obj.inquiry_policy = inquiry_policy
    obj.full_clean()
    obj.save()
    history_record(instance=obj, acting_user=acting_user, action="update", before=before)
    return obj


def duplicate_settings_get(*, office: Office) -> DuplicateSettings:
    """The office's thresholds (an unsaved object with the defaults when never changed)."""
    return DuplicateSettings.objects.filter(office=office).first() or DuplicateSettings(office=office)


# The sources whose policy is fixed: a person at the form decides, an API client sends allow_duplicate.
_FIXED_POLICY: dict[str, IntakePolicy] = {
    IntakeSource.FORM: IntakePolicy.ASK,
    IntakeSource.API: IntakePolicy.REFUSE_CERTAIN,
    # davsync: a certain duplicate is the same person (it gets the card's e-mails and phones and
    # the card is linked to it), a possible one is created and listed for review
    IntakeSource.DAV_SYNC: IntakePolicy.ATTACH_CERTAIN,
}


def intake_policy(*, office: Office, source: str) -> IntakePolicy:
    """The duplicate rule for new contacts from `source` in `office` (see `IntakePolicy`)."""
    if source in _FIXED_POLICY:
        return _FIXED_POLICY[source]
    obj = duplicate_settings_get(office=office)
    by_source: dict[str, str] = {
        IntakeSource.IMPORT: obj.import_policy,
        IntakeSource.INQUIRY: obj.inquiry_policy,
    }
    chosen = by_source[source]
    return IntakePolicy(chosen)


def duplicate_search_start(*, office: Office, acting_user: User | None) -> Any:
    """Start the background search over the whole office (the Dubletten page shows its progress)."""
    from django.utils.translation import gettext as _

    return job_start(
        kind="duplicates.search",
        title=_("Duplicate search"),
        office=office,
        created_by=acting_user,
        office_id=office.pk,
    )


def not_duplicate_mark(*, office: Office, acting_user: User, contact_ids: list[int]) -> None:
    """Users decided these contacts are different people: the search stops listing them together."""
    from itertools import combinations

    ids = sorted(Contact.objects.filter(office=office, pk__in=contact_ids).values_list("pk", flat=True))
    with transaction.atomic():
        for a, b in combinations(ids, 2):
            NotDuplicate.objects.get_or_create(
                office=office, contact_a_id=a, contact_b_id=b, defaults={"decided_by": acting_user}
            )
        DuplicatePair.objects.filter(office=office, contact_a_id__in=ids, contact_b_id__in=ids).delete()


def review_add(*, office: Office, contact: Contact, candidate: Candidate, source: str) -> None:
    """`source` (an import, an inquiry) created `contact` although it may be `candidate.contact`:
    list the pair on the Dubletten page for a user's decision (kept by later searches until merged
    or rejected)."""

    code = INQUIRY_REVIEW if source == IntakeSource.INQUIRY else IMPORT_REVIEW
    a, b = sorted((contact.pk, candidate.contact.pk))
    DuplicatePair.objects.filter(office=office, contact_a_id=a, contact_b_id=b).delete()
    DuplicatePair.objects.create(
        office=office,
        contact_a_id=a,
        contact_b_id=b,
        score=candidate.score,
        codes=[*candidate.codes, code],
        similarities=candidate.similarities,
    )
