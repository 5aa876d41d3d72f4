"""Reads of the GwG file, scoped to the user's office; each asks `access.ensure_gwg` first."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from maklerwerk.core.history import field_label, history_for
from maklerwerk.gwg.access import ensure_gwg, gwg_allowed
from maklerwerk.gwg.models import (
    BeneficialOwner,
    DeletionRecord,
    GwgCase,
    IdCopyView,
    Identification,
    Party,
    RiskAnalysis,
    SuspicionNote,
)

if TYPE_CHECKING:
    from maklerwerk.accounts.models import User
    from maklerwerk.core.models import ChangeLog


HistoryRow = tuple["ChangeLog", list[dict[str, Any]]]


def case_history(*, user: User, case: GwgCase, limit: int = 200) -> list[HistoryRow]:
    """The change history of the case and everything in it, newest first, with German field names."""
    ensure_gwg(user)
    objects: list[Any] = [case]
    for party in case.parties.all():
        objects.append(party)
        if getattr(party, "identification", None) is not None:
            objects.append(party.identification)
        objects.extend(party.beneficial_owners.all())
    if getattr(case, "risk", None) is not None:
        objects.append(case.risk)
    rows: list[HistoryRow] = []
    for obj in objects:
        for row in history_for(obj)[:limit]:
            changes = [
                {
                    "label": field_label(type(obj), str(c.get("field"))),
                    "old": c.get("old"),
                    "new": c.get("new"),
                }
                for c in row.changes or []
                if c.get("field") not in ("office", "party", "case", "id_copy")
            ]
            rows.append((row, changes))
    rows.sort(key=lambda item: item[0].at, reverse=True)
    return rows[:limit]


def _with_parts(qs: QuerySet[GwgCase]) -> QuerySet[GwgCase]:
    parties = Party.objects.select_related("identification", "contact").prefetch_related("beneficial_owners")
    return qs.select_related("agent", "risk").prefetch_related(
        Prefetch("parties", queryset=parties), "suspicion_notes"
    )


def cases(*, user: User, status: str = "", search: str = "") -> QuerySet[GwgCase]:
    ensure_gwg(user)
    qs = GwgCase.objects.filter(office=user.office_id)
    if status:
        qs = qs.filter(status=status)
    if search:
        qs = qs.filter(Q(property_label__icontains=search) | Q(parties__name__icontains=search)).distinct()
    return _with_parts(qs)


def case_get(*, user: User, pk: int) -> GwgCase:
    ensure_gwg(user)
    try:
        return _with_parts(GwgCase.objects.filter(office=user.office_id)).get(pk=pk)
    except (GwgCase.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def party_get(*, user: User, pk: int) -> Party:
    ensure_gwg(user)
    try:
        return Party.objects.select_related("case", "identification").get(pk=pk, office=user.office_id)
    except (Party.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def identification_get(*, user: User, party_id: int) -> Identification:
    ensure_gwg(user)
    try:
        return Identification.objects.select_related("party").get(party_id=party_id, office=user.office_id)
    except (Identification.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def beneficial_owner_get(*, user: User, pk: int) -> BeneficialOwner:
    ensure_gwg(user)
    try:
        return BeneficialOwner.objects.get(pk=pk, office=user.office_id)
    except (BeneficialOwner.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def suspicion_notes(*, user: User, case: GwgCase) -> QuerySet[SuspicionNote]:
    ensure_gwg(user)
    return SuspicionNote.objects.filter(case=case, office=user.office_id).select_related("created_by")


def id_copy_views(*, user: User, case: GwgCase) -> QuerySet[IdCopyView]:
    ensure_gwg(user)
    return IdCopyView.objects.filter(identification__party__case=case, office=user.office_id).select_related(
        "user", "identification"
    )


def risk_analyses(*, user: User) -> QuerySet[RiskAnalysis]:
    ensure_gwg(user)
    return RiskAnalysis.objects.filter(office=user.office_id).select_related("created_by")


def risk_analysis_current(*, user: User) -> RiskAnalysis | None:
    return risk_analyses(user=user).first()


def risk_analysis_due_for(office_id: int) -> RiskAnalysis | None:
    """For the reminder job (no user): the office's newest version."""
    return RiskAnalysis.objects.filter(office=office_id).first()


def deletion_records(*, user: User) -> QuerySet[DeletionRecord]:
    ensure_gwg(user)
    return DeletionRecord.objects.filter(office=user.office_id)


def open_cases_for_property(*, user: User, property_id: int) -> list[GwgCase]:
    """For the badge: nothing at all for users without the permission (no hint that a file exists)."""
    if not gwg_allowed(user):
        return []
    return list(
        _with_parts(GwgCase.objects.filter(office=user.office_id, property_id=property_id)).filter(
            status=GwgCase.Status.OPEN
        )
    )


def parties_of_contact(*, user: User, contact_id: int) -> list[Party]:
    if not gwg_allowed(user):
        return []
    return list(
        Party.objects.filter(office=user.office_id, contact_id=contact_id)
        .select_related("case", "identification")
        .prefetch_related("beneficial_owners")
        .order_by("-case__opened_on", "-pk")[:5]
    )
