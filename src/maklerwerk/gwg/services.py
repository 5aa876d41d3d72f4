"""Writes of the GwG file. Every entry path (pages, API, the property watcher, the nightly job)
comes through here, and every service asks `access.ensure_gwg` first: one check for all paths.

Changes of personal data are recorded in the change history (`core.history`). Nothing here creates
activities on a contact or anything else that a Datenauskunft would show (§47 GwG).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from maklerwerk.core.exceptions import ApplicationError, ConflictError
from maklerwerk.core.history import history_record, snapshot
from maklerwerk.core.models import ChangeLog
from maklerwerk.gwg import files, validate
from maklerwerk.gwg.access import ensure_gwg
from maklerwerk.gwg.models import (
    BeneficialOwner,
    GwgCase,
    IdCopyView,
    Identification,
    Party,
    RiskAnalysis,
    RiskAssessment,
    SuspicionNote,
)

if TYPE_CHECKING:
    from maklerwerk.accounts.models import Office, User

# §1 Abs. 11 GwG: a rental is covered when the monthly rent is at least 10,000 EUR.
RENTAL_THRESHOLD = Decimal("10000")


def _check(obj: Any, exclude: list[str] | None = None) -> None:
    obj.full_clean(exclude=exclude)


def _field_error(name: str, exc: ValidationError) -> ValidationError:
    return ValidationError({name: exc.messages})


@transaction.atomic
def case_open(
    *,
    office: Office,
    acting_user: User | None,
    kind: str = GwgCase.Kind.PURCHASE,
    property_id: int | None = None,
    property_label: str = "",
    price: Decimal | None = None,
    monthly_rent: Decimal | None = None,
    origin: str = GwgCase.Origin.MANUAL,
    agent: User | None = None,
) -> GwgCase:
    """Open a case for a purchase mediation, or for a rental at or above the §1 Abs. 11 threshold."""
    ensure_gwg(acting_user, system=origin != GwgCase.Origin.MANUAL)
    if kind == GwgCase.Kind.RENTAL and (monthly_rent is None or monthly_rent < RENTAL_THRESHOLD):
        raise ApplicationError(
            _(
                "A rental is covered by the GwG only at a monthly rent of 10,000 EUR or more "
                "(§1 Abs. 11 GwG). Enter the monthly rent."
            )
        )
    case = GwgCase(
        office=office,
        kind=kind,
        property_id=property_id,
        property_label=property_label[:300],
        price=price,
        monthly_rent=monthly_rent if kind == GwgCase.Kind.RENTAL else None,
        origin=origin,
        agent=agent or acting_user,
        created_by=acting_user,
    )
    _check(case)
    case.save()
    history_record(instance=case, acting_user=acting_user, action=ChangeLog.Action.CREATE)
    return case


CASE_FIELDS = {"price", "monthly_rent", "agent", "property_label"}


@transaction.atomic
def case_update(*, case: GwgCase, acting_user: User | None, **changes: Any) -> GwgCase:
    ensure_gwg(acting_user)
    unknown = set(changes) - CASE_FIELDS
    if unknown:
        raise ApplicationError(_("These fields cannot be changed: %(f)s") % {"f": ", ".join(sorted(unknown))})
    case = GwgCase.objects.select_for_update().get(pk=case.pk)
    before = snapshot(case)
    for name, value in changes.items():
        setattr(case, name, value)
    if case.kind == GwgCase.Kind.RENTAL and (
        case.monthly_rent is None or case.monthly_rent < RENTAL_THRESHOLD
    ):
        raise ApplicationError(
            _("A rental is covered by the GwG only at a monthly rent of 10,000 EUR or more.")
        )
    _check(case)
    case.save()
    history_record(instance=case, acting_user=acting_user, action=ChangeLog.Action.UPDATE, before=before)
    return case


@transaction.atomic
def case_close(*, case: GwgCase, acting_user: User | None, ended_on: dt.date) -> GwgCase:
    """The business relationship ended on `ended_on`: from the end of its year the 5 years run."""
    ensure_gwg(acting_user)
    case = GwgCase.objects.select_for_update().get(pk=case.pk)
    if ended_on < case.opened_on:
        raise ValidationError({"ended_on": [_("The relationship cannot end before the case was opened.")]})
    if ended_on > timezone.localdate():
        raise ValidationError({"ended_on": [_("The end of the relationship cannot lie in the future.")]})
    before = snapshot(case)
    case.status, case.ended_on = GwgCase.Status.CLOSED, ended_on
    _check(case)
    case.save()
    history_record(instance=case, acting_user=acting_user, action=ChangeLog.Action.UPDATE, before=before)
    return case


@transaction.atomic
def case_reopen(*, case: GwgCase, acting_user: User | None) -> GwgCase:
    ensure_gwg(acting_user)
    before = snapshot(GwgCase.objects.get(pk=case.pk))
    case.status, case.ended_on = GwgCase.Status.OPEN, None
    case.save()
    history_record(instance=case, acting_user=acting_user, action=ChangeLog.Action.UPDATE, before=before)
    return case


# --- parties --------------------------------------------------------------------------------------


def _legal_fields(party: Party) -> None:
    if party.is_legal and party.register_number:
        try:
            party.register_number = validate.register_number(party.register_number)
        except ValidationError as exc:
            raise _field_error("register_number", exc) from exc


@transaction.atomic
def party_add(
    *,
    case: GwgCase,
    acting_user: User | None,
    role: str,
    name: str,
    contact_id: int | None = None,
    person_kind: str = Party.PersonKind.NATURAL,
    legal_form: str = "",
    register_number: str = "",
    seat: str = "",
    representatives: str = "",
    represents_id: int | None = None,
    system: bool = False,
) -> Party:
    """Add a party; `contact_id` must be a contact of the case's office (the caller checked it)."""
    ensure_gwg(acting_user, system=system)
    if represents_id is not None and not Party.objects.filter(pk=represents_id, case=case).exists():
        raise ApplicationError(_("The represented party belongs to another case."))
    party = Party(
        office_id=case.office_id,
        case=case,
        contact_id=contact_id,
        role=role,
        person_kind=person_kind,
        name=name.strip(),
        legal_form=legal_form.strip(),
        register_number=register_number.strip(),
        seat=seat.strip(),
        representatives=representatives.strip(),
        represents_id=represents_id,
    )
    _legal_fields(party)
    _check(party)
    if contact_id is not None and Party.objects.filter(case=case, contact_id=contact_id, role=role).exists():
        raise ConflictError(_("This contact is already a party of the case in this role."))
    party.save()
    history_record(instance=party, acting_user=acting_user, action=ChangeLog.Action.CREATE)
    return party


PARTY_FIELDS = {"name", "role", "legal_form", "register_number", "seat", "representatives"}


@transaction.atomic
def party_update(*, party: Party, acting_user: User | None, **changes: Any) -> Party:
    ensure_gwg(acting_user)
    unknown = set(changes) - PARTY_FIELDS
    if unknown:
        raise ApplicationError(_("These fields cannot be changed: %(f)s") % {"f": ", ".join(sorted(unknown))})
    before = snapshot(Party.objects.get(pk=party.pk))
    for name, value in changes.items():
        setattr(party, name, value.strip() if isinstance(value, str) else value)
    _legal_fields(party)
    _check(party)
    party.save()
    history_record(instance=party, acting_user=acting_user, action=ChangeLog.Action.UPDATE, before=before)
    return party


@transaction.atomic
def party_remove(*, party: Party, acting_user: User | None) -> None:
    ensure_gwg(acting_user)
    paths = [str(party.transparency_extract.name or "")]
    ident = Identification.objects.filter(party=party).first()
    if ident is not None:
        paths.append(str(ident.id_copy.name or ""))
        history_record(instance=ident, acting_user=acting_user, action=ChangeLog.Action.DELETE)
    history_record(instance=party, acting_user=acting_user, action=ChangeLog.Action.DELETE)
    party.delete()
    transaction.on_commit(lambda: files.delete_all(paths))


# --- identification -------------------------------------------------------------------------------

IDENTIFICATION_FIELDS = (
    "first_names",
    "last_name",
    "birth_date",
    "birth_place",
    "nationality",
    "address",
    "id_type",
    "id_number",
    "issuing_authority",
    "valid_until",
    "method",
    "identified_on",
)


@transaction.atomic
def identification_save(*, party: Party, acting_user: User | None, **values: Any) -> Identification:
    """Record (or correct) how a natural person was identified; every change goes to the history."""
    ensure_gwg(acting_user)
    if party.is_legal:
        raise ApplicationError(
            _(
                "A legal person is identified by its register data and beneficial owners, "
                "not by an ID document."
            )
        )
    unknown = set(values) - set(IDENTIFICATION_FIELDS)
    if unknown:
        raise ApplicationError(_("These fields cannot be changed: %(f)s") % {"f": ", ".join(sorted(unknown))})
    ident = Identification.objects.select_for_update().filter(party=party).first()
    before = snapshot(ident) if ident is not None else None
    if ident is None:
        ident = Identification(office_id=party.office_id, party=party, identified_by=acting_user)
    for name, value in values.items():
        setattr(ident, name, value.strip() if isinstance(value, str) else value)
    errors: dict[str, list[str]] = {}
    try:
        ident.nationality = validate.nationality(ident.nationality)
    except ValidationError as exc:
        errors["nationality"] = exc.messages
    if not errors and ident.id_number:
        try:
            ident.id_number = validate.document_number(
                ident.id_number, id_type=ident.id_type, nationality=ident.nationality
            )
        except ValidationError as exc:
            errors["id_number"] = exc.messages
    try:
        _check(ident)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if not errors and ident.valid_until < ident.identified_on:
        errors["valid_until"] = [_("The document had already expired on the day of identification.")]
    if errors:
        raise ValidationError(errors)
    ident.save()
    history_record(
        instance=ident,
        acting_user=acting_user,
        action=ChangeLog.Action.CREATE if before is None else ChangeLog.Action.UPDATE,
        before=before,
    )
    return ident


@transaction.atomic
def id_copy_store(
    *, ident: Identification, acting_user: User | None, data: bytes, filename: str
) -> Identification:
    """Keep the copy of the ID document, encrypted; a replaced copy is deleted."""
    ensure_gwg(acting_user)
    mime = files.sniff(data)
    before = snapshot(Identification.objects.get(pk=ident.pk))
    old = ident.id_copy.name
    ident.id_copy.name = files.store_encrypted(data, folder="ids")
    ident.id_copy_name = (filename or "ausweis").rsplit("/", 1)[-1][:200]
    ident.id_copy_type = mime
    ident.save(update_fields=["id_copy", "id_copy_name", "id_copy_type", "updated_at"])
    history_record(instance=ident, acting_user=acting_user, action=ChangeLog.Action.UPDATE, before=before)
    if old:
        transaction.on_commit(lambda: files.delete_stored(old))
    return ident


def id_copy_open(
    *, ident: Identification, acting_user: User | None, purpose: str = "view"
) -> tuple[bytes, str, str]:
    """(bytes, mime type, name) of the ID copy; every opening is logged."""
    ensure_gwg(acting_user)
    if not ident.id_copy:
        raise ApplicationError(_("No copy of the ID document is stored."))
    data = files.read_encrypted(str(ident.id_copy.name))
    IdCopyView.objects.create(
        office_id=ident.office_id, identification=ident, user=acting_user, purpose=purpose
    )
    return data, ident.id_copy_type, ident.id_copy_name or "ausweis"


# --- legal persons --------------------------------------------------------------------------------


@transaction.atomic
def transparency_extract_store(
    *, party: Party, acting_user: User | None, data: bytes, checked_on: dt.date | None = None
) -> Party:
    """Keep the Transparenzregister extract of a legal person (encrypted) with the date of the check."""
    ensure_gwg(acting_user)
    if not party.is_legal:
        raise ApplicationError(_("A Transparency Register extract belongs to a legal person."))
    files.sniff(data)
    before = snapshot(Party.objects.get(pk=party.pk))
    old = party.transparency_extract.name
    party.transparency_extract.name = files.store_encrypted(data, folder="extracts")
    party.transparency_checked_on = checked_on or timezone.localdate()
    _check(party)
    party.save()
    history_record(instance=party, acting_user=acting_user, action=ChangeLog.Action.UPDATE, before=before)
    if old:
        transaction.on_commit(lambda: files.delete_stored(old))
    return party


def transparency_extract_open(*, party: Party, acting_user: User | None) -> bytes:
    ensure_gwg(acting_user)
    if not party.transparency_extract:
        raise ApplicationError(_("No Transparency Register extract is stored."))
    return files.read_encrypted(str(party.transparency_extract.name))


@transaction.atomic
def beneficial_owner_add(
    *,
    party: Party,
    acting_user: User | None,
    name: str,
    birth_date: dt.date | None = None,
    nationality: str = "",
    address: str = "",
    share: Decimal | None = None,
    nature: str = "",
    checked_on: dt.date | None = None,
) -> BeneficialOwner:
    ensure_gwg(acting_user)
    if not party.is_legal:
        raise ApplicationError(_("Beneficial owners are recorded for legal persons."))
    owner = BeneficialOwner(
        office_id=party.office_id,
        party=party,
        name=name.strip(),
        birth_date=birth_date,
        address=address.strip(),
        share=share,
        nature=nature.strip(),
        checked_on=checked_on or timezone.localdate(),
    )
    if nationality:
        try:
            owner.nationality = validate.nationality(nationality)
        except ValidationError as exc:
            raise _field_error("nationality", exc) from exc
    if share is not None and not Decimal(0) < share <= Decimal(100):
        raise ValidationError({"share": [_("Enter a share between 0 and 100 percent.")]})
    _check(owner)
    owner.save()
    history_record(instance=owner, acting_user=acting_user, action=ChangeLog.Action.CREATE)
    return owner


@transaction.atomic
def beneficial_owner_remove(*, owner: BeneficialOwner, acting_user: User | None) -> None:
    ensure_gwg(acting_user)
    history_record(instance=owner, acting_user=acting_user, action=ChangeLog.Action.DELETE)
    owner.delete()


# --- risk -----------------------------------------------------------------------------------------


@transaction.atomic
def risk_assess(
    *,
    case: GwgCase,
    acting_user: User | None,
    pep: bool,
    high_risk_country: bool,
    cash: bool,
    unusual_price: bool,
    result: str,
    reasoning: str,
    pep_source: str = "",
    other_factors: str = "",
    source_of_funds: str = "",
) -> RiskAssessment:
    """Assess the case's risk. A reasoning is required; enhanced due diligence needs the source of funds,
    and a PEP, a high-risk country or cash cannot be assessed as simplified."""
    ensure_gwg(acting_user)
    errors: dict[str, list[str]] = {}
    if not reasoning.strip():
        errors["reasoning"] = [_("Give the reasoning for the result.")]
    if result == RiskAssessment.Result.ENHANCED and not source_of_funds.strip():
        errors["source_of_funds"] = [
            _("Enhanced due diligence: describe the source of funds and why it is plausible.")
        ]
    if result == RiskAssessment.Result.SIMPLIFIED and (pep or high_risk_country or cash):
        errors["result"] = [
            _("With a PEP, a high-risk country or cash, simplified due diligence is not possible (§15 GwG).")
        ]
    if (pep or high_risk_country) and result != RiskAssessment.Result.ENHANCED and "result" not in errors:
        errors["result"] = [
            _("A PEP or a high-risk third country requires enhanced due diligence (§15 Abs. 3 GwG).")
        ]
    if errors:
        raise ValidationError(errors)
    risk = RiskAssessment.objects.select_for_update().filter(case=case).first()
    before = snapshot(risk) if risk is not None else None
    risk = risk or RiskAssessment(office_id=case.office_id, case=case)
    risk.pep, risk.pep_source, risk.high_risk_country = pep, pep_source.strip(), high_risk_country
    risk.cash, risk.unusual_price, risk.other_factors = cash, unusual_price, other_factors.strip()
    risk.result, risk.reasoning, risk.source_of_funds = result, reasoning.strip(), source_of_funds.strip()
    risk.assessed_by, risk.assessed_at, risk.pep_checked_on = (
        acting_user,
        timezone.now(),
        timezone.localdate(),
    )
    _check(risk)
    risk.save()
    history_record(
        instance=risk,
        acting_user=acting_user,
        action=ChangeLog.Action.CREATE if before is None else ChangeLog.Action.UPDATE,
        before=before,
    )
    return risk


@transaction.atomic
def suspicion_note_add(
    *,
    case: GwgCase,
    acting_user: User | None,
    facts: str,
    decision: str,
    reasons: str = "",
    reported_on: dt.date | None = None,
    report_reference: str = "",
) -> SuspicionNote:
    """Record a consideration (§43 GwG) and, when taken, the decision with its reasons."""
    ensure_gwg(acting_user)
    errors: dict[str, list[str]] = {}
    if not facts.strip():
        errors["facts"] = [_("Describe the facts and your consideration.")]
    if decision != SuspicionNote.Decision.OPEN and not reasons.strip():
        errors["reasons"] = [_("Give the reasons for the decision.")]
    if decision == SuspicionNote.Decision.REPORTED and reported_on is None:
        errors["reported_on"] = [_("Enter the day of the report to the FIU.")]
    if errors:
        raise ValidationError(errors)
    note = SuspicionNote(
        office_id=case.office_id,
        case=case,
        facts=facts.strip(),
        decision=decision,
        reasons=reasons.strip(),
        reported_on=reported_on if decision == SuspicionNote.Decision.REPORTED else None,
        report_reference=report_reference.strip(),
        created_by=acting_user,
    )
    _check(note)
    note.save()
    history_record(instance=note, acting_user=acting_user, action=ChangeLog.Action.CREATE)
    return note


@transaction.atomic
def risk_analysis_save(
    *, office: Office, acting_user: User | None, text: str, review_due: dt.date
) -> RiskAnalysis:
    """A new version of the office's risk analysis (§5 GwG); earlier versions stay as they were."""
    ensure_gwg(acting_user)
    if not text.strip():
        raise ValidationError({"text": [_("Write the risk analysis.")]})
    if review_due <= timezone.localdate():
        raise ValidationError({"review_due": [_("The next review must lie in the future.")]})
    last = RiskAnalysis.objects.filter(office=office).aggregate(v=Max("version"))["v"] or 0
    analysis = RiskAnalysis(
        office=office, version=last + 1, text=text.strip(), review_due=review_due, created_by=acting_user
    )
    _check(analysis)
    analysis.save()
    history_record(instance=analysis, acting_user=acting_user, action=ChangeLog.Action.CREATE)
    return analysis
