"""The checklist of a case and the badge on contacts and properties: what is done, what is missing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from maklerwerk.gwg.models import GwgCase, Party, RiskAssessment, SuspicionNote

# The sides a mediation must have identified (§11 Abs. 1 GwG: both parties of the purchase contract).
REQUIRED_SIDES = {
    GwgCase.Kind.PURCHASE: (Party.Role.BUYER, Party.Role.SELLER),
    GwgCase.Kind.RENTAL: (Party.Role.TENANT, Party.Role.LANDLORD),
}


@dataclass(frozen=True)
class Item:
    label: str
    done: bool
    hint: str = ""


@dataclass
class Checklist:
    items: list[Item] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return all(i.done for i in self.items)

    @property
    def missing(self) -> list[Item]:
        return [i for i in self.items if not i.done]


def party_identified(party: Party, on: dt.date | None = None) -> tuple[bool, str]:
    """(done, what is missing) for one party."""
    if party.is_legal:
        missing = []
        if not party.register_number:
            missing.append(_("register number"))
        if not party.representatives:
            missing.append(_("legal representatives"))
        if not list(party.beneficial_owners.all()):
            missing.append(_("beneficial owners"))
        if not party.transparency_checked_on:
            missing.append(_("Transparency Register check"))
        return not missing, ", ".join(missing)
    ident = getattr(party, "identification", None)
    if ident is None:
        return False, _("not identified")
    if ident.valid_until < (ident.identified_on or on or timezone.localdate()):
        return False, _("the ID document had expired when it was checked")
    if not ident.id_copy:
        return False, _("copy of the ID document missing")
    return True, ""


def side_done(case: GwgCase, role: str) -> bool:
    parties = [p for p in case.parties.all() if p.role == role]
    return bool(parties) and all(party_identified(p)[0] for p in parties)


def case_checklist(case: GwgCase, *, risk_analysis_due: dt.date | None) -> Checklist:
    check = Checklist()
    parties = list(case.parties.all())
    for role in REQUIRED_SIDES[GwgCase.Kind(case.kind)]:
        label = str(Party.Role(role).label)
        if not any(p.role == role for p in parties):
            check.items.append(Item(_("%(side)s recorded") % {"side": label}, False, _("add the party")))
    for party in parties:
        done, hint = party_identified(party)
        check.items.append(Item(_("%(party)s identified") % {"party": str(party)}, done, hint))
    risk: RiskAssessment | None = getattr(case, "risk", None)
    check.items.append(Item(_("Risk assessment with reasoning"), risk is not None))
    if risk is not None and risk.result == RiskAssessment.Result.ENHANCED:
        check.items.append(
            Item(_("Source of funds checked (enhanced due diligence)"), bool(risk.source_of_funds.strip()))
        )
    undecided = [n for n in case.suspicion_notes.all() if n.decision == SuspicionNote.Decision.OPEN]
    check.items.append(Item(_("No suspicion left undecided"), not undecided))
    today = timezone.localdate()
    check.items.append(
        Item(
            _("Office risk analysis up to date"),
            risk_analysis_due is not None and risk_analysis_due >= today,
            "" if risk_analysis_due else _("no risk analysis written yet"),
        )
    )
    return check


def side_badge(case: GwgCase) -> str:
    """ "Käufer identifiziert ✓, Verkäufer ✗" for a property's open case."""
    parts = []
    for role in REQUIRED_SIDES[GwgCase.Kind(case.kind)]:
        mark = "✓" if side_done(case, role) else "✗"
        parts.append(_("%(side)s identified %(mark)s") % {"side": Party.Role(role).label, "mark": mark})
    return ", ".join(parts)
