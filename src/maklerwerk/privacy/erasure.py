"""Erasure against retention (Art. 17 DSGVO with Art. 17 Abs. 3 lit. b/e, Art. 18, §35 BDSG).

`erasure_plan` walks every registered `PersonalDataSection` of a contact and says, per row, whether
a retention duty (the section's kind, or a `RetentionMark`) or a legal hold keeps it and until when.
`erasure_apply` carries the plan out: free rows are deleted or scrubbed as their section says, the
contacts app's own rows through its services (history); if anything is held, the contact is
restricted until the last hold ends, otherwise it is anonymised ("Gelöscht #id"). Running it again
later (the nightly sweep) finishes what became free. Every step is safe to repeat.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.files.storage import default_storage
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from maklerwerk.contacts.restriction import contact_anonymise, contact_restrict, contact_rows_erase
from maklerwerk.core.personal_data import PERSONAL_DATA, PersonalDataSection
from maklerwerk.privacy.models import LegalHold, RetentionMark
from maklerwerk.privacy.rules import LEGAL_HOLD_BASIS, Rule, hold_until, rules_for

if TYPE_CHECKING:
    from maklerwerk.accounts.models import User
    from maklerwerk.contacts.models import Contact


@dataclass(frozen=True)
class Hold:
    record: str  # "<section>:<id>"
    reason: str  # "Rechnung oder Provisionsabrechnung (AO §147 ..., 8 Jahre)"
    until: dt.date | None  # None: a legal hold without an end
    title: str = ""  # "Dateien: Provisionsrechnung.pdf", for people


@dataclass
class Plan:
    contact_id: int
    today: dt.date
    delete: dict[str, list[int]] = field(default_factory=dict)  # section key → ids
    scrub: dict[str, list[int]] = field(default_factory=dict)
    keep: dict[str, list[int]] = field(default_factory=dict)
    held: list[Hold] = field(default_factory=list)

    @property
    def held_until(self) -> dt.date | None:
        ends = [h.until for h in self.held]
        if not ends or None in ends:
            return None
        return max(e for e in ends if e is not None)

    @property
    def next_release(self) -> dt.date | None:
        ends = [h.until for h in self.held if h.until is not None]
        return min(ends) if ends else None

    def answer(self) -> dict[str, Any]:
        """{"deleted", "anonymised", "held"} as the API and the result page show it."""
        return {
            "deleted": [f"{key}:{pk}" for key, ids in self.delete.items() for pk in ids],
            "anonymised": [f"{key}:{pk}" for key, ids in self.scrub.items() for pk in ids]
            + ([] if self.held else [f"contact:{self.contact_id}"]),
            "held": [
                # No title: the stored result must not keep the contents it erased.
                {"record": h.record, "reason": h.reason, "until": h.until.isoformat() if h.until else None}
                for h in self.held
            ],
        }


def _local_date(value: dt.date | dt.datetime) -> dt.date:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def _reason(rule: Rule) -> str:
    return _("%(record)s (%(basis)s, %(years)s years)") % {
        "record": rule.label,
        "basis": rule.legal_basis,
        "years": rule.years,
    }


def _section_holds(
    section: PersonalDataSection,
    qs: models.QuerySet[Any],
    rules: dict[str, Rule],
    marks: dict[tuple[str, int], list[tuple[str, dt.date]]],
    today: dt.date,
) -> dict[int, list[tuple[Rule, dt.date]]]:
    """Per row id: the rules that keep it and the last day each does.

    A row whose period has not begun (date "open": an open GwG case, whose five years run from the
    end of the relationship) is held at least as long as if it ended today; the nightly sweep looks
    again then."""
    holds: dict[int, list[tuple[Rule, dt.date]]] = {}
    for kind, pk, date in section.retained(qs):
        rule = rules.get(kind)
        if rule is not None and date is not None:
            start = today if date == "open" else _local_date(date)
            holds.setdefault(pk, []).append((rule, hold_until(start, rule.years)))
    for (key, pk), kinds in marks.items():
        for kind, date in kinds:
            if key == section.key and kind in rules:
                holds.setdefault(pk, []).append((rules[kind], hold_until(date, rules[kind].years)))
    return holds


def _marks(contact: Contact) -> dict[tuple[str, int], list[tuple[str, dt.date]]]:
    out: dict[tuple[str, int], list[tuple[str, dt.date]]] = {}
    for mark in RetentionMark.objects.filter(contact=contact, office_id=contact.office_id):
        out.setdefault((mark.section, mark.object_id), []).append((mark.kind, mark.document_date))
    return out


def erasure_plan(contact: Contact, *, today: dt.date | None = None) -> Plan:
    """What an erasure of `contact` would do today: per row delete, scrub, keep, or held (and why)."""
    today = today or timezone.localdate()
    plan = Plan(contact_id=contact.pk, today=today)
    rules = rules_for(contact.office_id)
    marks = _marks(contact)
    legal = LegalHold.objects.filter(contact=contact, released_at__isnull=True).first()
    for section in PERSONAL_DATA:
        qs = section.queryset(contact.pk, contact.office_id)
        ids = list(qs.values_list("pk", flat=True))
        if not ids:
            continue
        if section.erase == "keep" and section.key != "contact":
            plan.keep[section.key] = ids
            continue
        holds = _section_holds(section, qs, rules, marks, today)
        proof = (
            set(qs.filter(section.proof).values_list("pk", flat=True)) if section.proof is not None else set()
        )
        if proof:
            plan.keep[section.key] = sorted(proof)
        for pk in ids:
            if pk in proof:
                continue
            active = [(r, until) for r, until in holds.get(pk, []) if until >= today]
            if legal is not None:
                reason = f"{LEGAL_HOLD_BASIS}: {legal.reason}"
                plan.held.append(Hold(f"{section.key}:{pk}", reason, None, _title(section, qs, pk)))
            elif active:
                r, until = max(active, key=lambda item: item[1])
                plan.held.append(Hold(f"{section.key}:{pk}", _reason(r), until, _title(section, qs, pk)))
            elif section.key != "contact":
                target = plan.scrub if section.erase == "scrub" else plan.delete
                target.setdefault(section.key, []).append(pk)
    # The contact row itself is held as long as any of its records is: they name the person.
    if plan.held and not any(h.record.startswith("contact:") for h in plan.held):
        title = f"{PERSONAL_DATA['contact'].label}: {contact.display_name}"
        plan.held.insert(0, Hold(f"contact:{contact.pk}", _("Named by held records"), plan.held_until, title))
    return plan


def _title(section: PersonalDataSection, qs: models.QuerySet[Any], pk: int) -> str:
    """ "Aktivitäten: Ihr Kaufvertragsentwurf": the section and the row as people know them."""
    return f"{section.label}: {str(qs.get(pk=pk))[:100]}"


def _scrub_values(model: type[models.Model], names: frozenset[str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in names:
        f = model._meta.get_field(name)
        if isinstance(f, models.JSONField):
            values[name] = {} if isinstance(f.default, dict) or f.default is dict else []
        elif isinstance(f, models.BinaryField):
            values[name] = b""
        elif f.null:
            values[name] = None
        else:
            values[name] = _("Deleted") if name in ("subject", "title") else ""
    return values


def _delete_rows(section: PersonalDataSection, ids: list[int]) -> None:
    model = section.get_model()
    qs = model._default_manager.filter(pk__in=ids)
    file_fields = [f.name for f in model._meta.concrete_fields if isinstance(f, models.FileField)]
    paths = [p for name in file_fields for p in qs.values_list(name, flat=True) if p]
    qs.delete()
    transaction.on_commit(lambda: _remove_files(paths))


def _remove_files(paths: list[str]) -> None:
    for path in paths:
        default_storage.delete(path)


@transaction.atomic
def erasure_apply(*, contact: Contact, plan: Plan, acting_user: User | None, note: str) -> None:
    """Carry out `plan` (see the module docstring)."""
    for key, ids in plan.delete.items():
        section = PERSONAL_DATA[key]
        if section.model.startswith("contacts."):
            contact_rows_erase(
                contact=contact, model=section.model, ids=ids, acting_user=acting_user, note=note
            )
        else:
            _delete_rows(section, ids)
    for key, ids in plan.scrub.items():
        section = PERSONAL_DATA[key]
        model = section.get_model()
        model._default_manager.filter(pk__in=ids).update(**_scrub_values(model, section.scrub))
    if plan.held:
        until = plan.held_until
        reason = _("Erasure requested; kept until %(date)s by retention duties") % {
            "date": until.strftime("%d.%m.%Y") if until else _("the legal hold is released")
        }
        contact_restrict(contact=contact, until=until, reason=reason, acting_user=acting_user)
    else:
        contact_anonymise(contact=contact, acting_user=acting_user, note=note)
