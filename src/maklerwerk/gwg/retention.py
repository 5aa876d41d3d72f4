"""Retention of the GwG file (§8 Abs. 4 GwG): kept five years from the end of the calendar year in
which the business relationship ended, then destroyed without delay.

The period is the office's rule of kind "gwg" in `privacy.rules` (default 5 years, "GwG §8 Abs. 4").
The nightly sweep deletes every closed case whose period is over, with its parties, identifications,
ID copies, beneficial owners, risk assessment, suspicion notes and their change history, and leaves
one `DeletionRecord` without personal data that says what was deleted, when and why. No setting
keeps a case longer: the GwG asks for deletion, not for a choice (a legal reading; see docs/gwg.md).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from maklerwerk.core.history import history_for
from maklerwerk.gwg import files
from maklerwerk.gwg.models import DeletionRecord, GwgCase, Identification, Party
from maklerwerk.privacy.rules import Rule, hold_until, rules_for

RETENTION_KIND = "gwg"  # the key of the GwG rule in privacy.rules


def gwg_rule(office_id: int) -> Rule:
    return rules_for(office_id)[RETENTION_KIND]


def case_held_until(case: GwgCase, rule: Rule | None = None) -> dt.date | None:
    """The last day the case is kept; None while the relationship lasts."""
    if case.ended_on is None:
        return None
    return hold_until(case.ended_on, (rule or gwg_rule(case.office_id)).years)


@transaction.atomic
def case_delete_expired(case: GwgCase, *, rule: Rule) -> DeletionRecord:
    """Delete the case and everything in it; the audit row stays."""
    case = GwgCase.objects.select_for_update().get(pk=case.pk)
    assert case.ended_on is not None  # only closed cases come here
    parties = list(Party.objects.filter(case=case))
    idents = list(Identification.objects.filter(party__case=case))
    owners = [o for p in parties for o in p.beneficial_owners.all()]
    notes = list(case.suspicion_notes.all())
    risk = getattr(case, "risk", None)
    paths = [str(p.transparency_extract.name or "") for p in parties] + [
        str(i.id_copy.name or "") for i in idents
    ]
    counts = {
        "parties": len(parties),
        "identifications": len(idents),
        "id_copies": sum(1 for i in idents if i.id_copy),
        "beneficial_owners": len(owners),
        "risk_assessments": 1 if risk else 0,
        "suspicion_notes": len(notes),
    }
    # The history of these rows holds the same personal data: it goes with them.
    for obj in [case, *parties, *idents, *owners, *notes, *([risk] if risk else [])]:
        history_for(obj).delete()
    record = DeletionRecord.objects.create(
        office_id=case.office_id,
        case_number=case.pk,
        ended_on=case.ended_on,
        held_until=hold_until(case.ended_on, rule.years),
        legal_basis=rule.legal_basis,
        counts=counts,
    )
    case.delete()
    transaction.on_commit(lambda: files.delete_all(paths))
    return record


def retention_sweep(*, today: dt.date | None = None) -> list[DeletionRecord]:
    """Delete every closed case whose retention period ended before `today`."""
    today = today or timezone.localdate()
    done: list[DeletionRecord] = []
    rules: dict[int, Rule] = {}
    # Cheap first cut: a case cannot be due unless it ended at least one full year ago.
    candidates = GwgCase.objects.filter(ended_on__isnull=False, ended_on__lt=dt.date(today.year, 1, 1))
    for case in candidates.order_by("office_id", "ended_on", "pk").iterator():
        rule = rules.setdefault(case.office_id, gwg_rule(case.office_id))
        until = case_held_until(case, rule)
        if until is not None and until < today:
            done.append(case_delete_expired(case, rule=rule))
    return done
