"""THE way a new contact enters Maklerwerk: `contact_intake(data, source=..., policy=...)`.

Every entry path calls it: the contact form, the API, the vCard import, the inquiry manager, and
every later one (mail sync, migration, virtual-tour leads). It validates the data once, runs the
duplicate check once, applies the source's duplicate rule (`IntakePolicy`) and creates, attaches,
refuses or asks. The result is typed: `Created`, `Attached`, `NeedsDecision` or `Refused`, each
with the candidates and a German sentence for users.

The rules (duplicates.models.IntakePolicy):
- ask: any candidate stops it; nothing is created, a person decides (form dialog, inquiry task).
- refuse-certain: a certain duplicate is refused (API 409); otherwise the contact is created.
- attach-certain: a certain duplicate gets the new e-mails and phones; a merely possible one gets
  a new contact that is listed on the Dubletten page for review (inquiries may choose it).
- review-possible: a certain duplicate is skipped; a possible one is created and listed for
  review (vCard import).
Attaching to a merely possible duplicate is never done: it would mix two people silently.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from maklerwerk.contacts import bulk, duplicates, services
from maklerwerk.contacts.models import Contact
from maklerwerk.duplicates.services import Candidate, IntakePolicy, IntakeSource, intake_policy, review_add

if TYPE_CHECKING:
    from maklerwerk.accounts.models import Office, User

__all__ = [
    "Attached",
    "Candidate",
    "Created",
    "EmailAddress",
    "IntakePolicy",
    "IntakeResult",
    "IntakeSource",
    "NeedsDecision",
    "NewContact",
    "Override",
    "PhoneNumber",
    "PostalAddress",
    "Refused",
    "contact_intake",
    "contact_intake_many",
]

ACTING_USER: Final = "acting_user"  # NewContact.responsible_agent_id: the user who takes the contact in


@dataclass(frozen=True)
class EmailAddress:
    value: str
    kind: str = ""  # ContactEmail.Kind; empty: the first kind


@dataclass(frozen=True)
class PhoneNumber:
    value: str  # any format; stored as E.164
    kind: str = ""  # ContactPhone.Kind; empty: the first kind


@dataclass(frozen=True)
class PostalAddress:
    street: str = ""
    house_number: str = ""
    postal_code: str = ""
    city: str = ""
    country: str = "DE"  # ISO 3166-1 alpha-2


@dataclass(frozen=True)
class NewContact:
    """One new contact as any entry path delivers it, before validation (values as typed/sent)."""

    salutation: str = ""
    title: str = ""
    first_name: str = ""
    last_name: str = ""
    birth_date: dt.date | None = None
    company_name: str = ""
    address: PostalAddress = field(default_factory=PostalAddress)
    emails: tuple[EmailAddress, ...] = ()
    phones: tuple[PhoneNumber, ...] = ()
    roles: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    source: str = ""  # Contact.Source, where the person came from (portal, website, import, ...)
    responsible_agent_id: int | Literal["acting_user"] | None = ACTING_USER
    preferred_language: str = "de"
    letter_salutation: str = ""
    legal_form: str = ""
    position: str = ""
    tax_number: str = ""
    vat_id: str = ""
    company_phone: str = ""
    company_email: str = ""
    website: str = ""
    iban: str = ""
    bic: str = ""
    account_holder: str = ""
    id_document_kind: str = ""
    id_document_number: str = ""
    remarks: str = ""
    terms_confirmed: bool = False
    terms_confirmed_on: dt.date | None = None
    terms_confirmed_via: str = ""
    marketing_consent: bool = False
    marketing_consent_on: dt.date | None = None
    marketing_consent_source: str = ""

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> NewContact:
        """From the flat shape of the form, the API and the vCard parser (`services.CONTACT_FIELDS`
        plus the lists); an unknown key is a German field error, as in `contact_validate`."""
        address_keys = {f.name for f in dataclasses.fields(PostalAddress)}
        own = {f.name for f in dataclasses.fields(cls)} - {"address", "emails", "phones"}
        unknown = set(data) - own - address_keys - {"emails", "phones"}
        if unknown:
            raise ValidationError({key: [_("Unknown field.")] for key in sorted(unknown)})
        values: dict[str, Any] = {k: v for k, v in data.items() if k in own and v is not None}
        if "responsible_agent_id" in data:  # None given: nobody (not the acting user)
            values["responsible_agent_id"] = data["responsible_agent_id"]
        for key in ("roles", "tags"):
            if key in values:
                values[key] = tuple(values[key])
        address = {k: v for k, v in data.items() if k in address_keys and v is not None}
        return cls(
            **values,
            address=PostalAddress(**address),
            emails=tuple(_entry(EmailAddress, e) for e in data.get("emails") or ()),
            phones=tuple(_entry(PhoneNumber, p) for p in data.get("phones") or ()),
        )

    def as_data(self) -> dict[str, Any]:
        """The services' flat shape; values left at their default stay out (the model's apply)."""
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name == "address":
                out.update({k: v for k, v in dataclasses.asdict(value).items() if v})
            elif f.name in ("emails", "phones"):
                out[f.name] = [{"value": e.value, "kind": e.kind} for e in value]
            elif f.name in ("roles", "tags"):
                out[f.name] = list(value)
            elif f.name == "responsible_agent_id":
                if value != ACTING_USER:
                    out[f.name] = value
            elif value != f.default:
                out[f.name] = value
        return out


def _entry(kind: Any, value: Any) -> Any:
    if isinstance(value, str):
        return kind(value=value)
    if isinstance(value, Mapping):
        return kind(value=str(value.get("value") or ""), kind=str(value.get("kind") or ""))
    return kind(value=str(value.value), kind=str(getattr(value, "kind", "") or ""))


@dataclass(frozen=True)
class Override:
    """A person (or an API client with allow_duplicate) saw the candidates and decided: create a
    new contact anyway. The history names the candidates and who decided."""

    candidate_ids: tuple[int, ...] = ()  # those they saw; empty: those the check finds now


@dataclass(frozen=True, kw_only=True)
class IntakeResult:
    policy: IntakePolicy
    data: services.ValidContact  # as validated (for the form's comparison)
    candidates: tuple[Candidate, ...]  # best first; those that decided the outcome
    message: str  # German, for users
    dropped: tuple[str, ...] = ()  # fields left out as unusable (only those the caller allowed)

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None

    @property
    def reasons(self) -> list[str]:
        """German reasons of the best candidate ("gleiche E-Mail-Adresse")."""
        return list(self.best.reasons) if self.best else []


@dataclass(frozen=True, kw_only=True)
class Created(IntakeResult):
    contact: Contact | None  # None in a dry run
    review: bool = False  # a possible duplicate: listed on the Dubletten page for a decision


@dataclass(frozen=True, kw_only=True)
class Attached(IntakeResult):
    contact: Contact  # the certain duplicate; it got the new e-mails and phones


@dataclass(frozen=True, kw_only=True)
class NeedsDecision(IntakeResult):
    """Nothing was created: a person decides (the form's dialog, the inquiry's task)."""


@dataclass(frozen=True, kw_only=True)
class Refused(IntakeResult):
    """Nothing was created: a certain duplicate exists (the API's 409, the import's skip)."""


def contact_intake(
    data: NewContact,
    *,
    office: Office,
    acting_user: User | None,
    source: IntakeSource,
    policy: IntakePolicy | None = None,
    override: Override | None = None,
    history_note: str = "",
    drop_invalid: Sequence[str] = (),
    dry_run: bool = False,
) -> IntakeResult:
    """Take one new contact in from `source` under `policy` (default: the office's for the source).

    Raises ValidationError (German, per field) for unusable data; `drop_invalid` names fields an
    automated source may lose instead (e.g. an inquiry's malformed phone): they are emptied and
    reported in `Created.dropped`. `dry_run` decides without writing (the import preview).
    """
    policy = policy or intake_policy(office=office, source=source)
    clean, dropped = _validated(office, data.as_data(), drop_invalid)
    if override is not None and override.candidate_ids:
        candidates: list[Candidate] = []  # the person decided on what they saw
    else:
        candidates = duplicates.check_duplicates(office=office, data=services.duplicate_check_data(clean))
    found = tuple(candidates)
    if override is not None:
        ids = override.candidate_ids or tuple(c.contact.pk for c in found)
        if ids:
            decided = _("Saved despite possible duplicate %(ids)s (decided by %(user)s)") % {
                "ids": ", ".join(f"#{i}" for i in ids),
                "user": acting_user or IntakeSource(source).label,
            }
            history_note = f"{history_note}; {decided}" if history_note else decided
        outcome: Outcome = "created"
        found = ()
    else:
        outcome, found = _outcome(policy, found)
    if outcome != "created" and outcome != "review":
        if outcome == "attached" and not dry_run:
            _attach(found[0].contact, clean, acting_user, history_note)
        return _not_created(outcome, policy, clean, dropped, found)
    review = outcome == "review"
    message = _say("review", found[0]) if review else _("Contact created.")
    contact = None
    if not dry_run:
        with transaction.atomic():
            contact = services.contact_create(
                office=office, acting_user=acting_user, data=clean, history_note=history_note
            )
            if review:
                review_add(office=office, contact=contact, candidate=found[0], source=source)
    return Created(
        policy=policy,
        data=clean,
        dropped=dropped,
        candidates=found,
        message=message,
        contact=contact,
        review=review,
    )


def contact_intake_many(
    entries: Sequence[NewContact],
    *,
    office: Office,
    acting_user: User | None,
    source: IntakeSource,
    policy: IntakePolicy | None = None,
    history_note: str = "",
    dry_run: bool = False,
) -> list[IntakeResult | ValidationError]:
    """`contact_intake` for many new contacts at once (an import's batch): per entry its result,
    or the ValidationError that refused it, in the order given.

    The same validation, the same policy and the same results as one call per entry, but the
    duplicate check runs once over the batch (against the office, and among the entries: an
    entry is compared with the earlier ones it would have met had they been saved one by one)
    and the contacts are written in bulk (`contacts.bulk`), in one transaction."""
    policy = policy or intake_policy(office=office, source=source)
    results: list[IntakeResult | ValidationError | None] = [None] * len(entries)
    built: list[tuple[int, services.ValidContact, Contact]] = []
    for i, entry in enumerate(entries):
        try:
            clean = services.contact_validate(office=office, data=entry.as_data())
            built.append((i, clean, bulk.contact_build(office=office, acting_user=acting_user, data=clean)))
        except ValidationError as exc:
            results[i] = exc
    check = duplicates.check_duplicates_many(
        office=office, datas=[services.duplicate_check_data(clean) for _i, clean, _c in built]
    )
    earlier: dict[int, list[duplicates.InnerPair]] = {}
    for pair in check.inner:
        earlier.setdefault(pair.b, []).append(pair)
    taken: dict[int, int] = {}  # position in `built` → position of the contact it becomes part of
    reviews: list[tuple[Contact, Candidate]] = []
    for pos, (i, clean, contact) in enumerate(built):
        found = [*check.candidates[pos], *_batch_candidates(earlier.get(pos, ()), built, taken)]
        found.sort(key=lambda c: -c.score)
        outcome, chosen = _outcome(policy, tuple(found))
        if outcome in ("created", "review"):
            taken[pos] = pos
            if outcome == "review":
                reviews.append((contact, chosen[0]))
            results[i] = Created(
                policy=policy, data=clean, candidates=chosen, contact=None if dry_run else contact,
                message=_say("review", chosen[0]) if chosen else _("Contact created."), review=bool(chosen),
            )  # fmt: skip
            continue
        if outcome == "attached":
            _attach_in_batch(chosen[0].contact, clean, built, acting_user, history_note, dry_run)
        results[i] = _not_created(outcome, policy, clean, (), chosen)
    if not dry_run:
        with transaction.atomic():
            bulk.contacts_save_many(
                office=office,
                acting_user=acting_user,
                batch=[(built[p][2], built[p][1], check.records[p]) for p in sorted(taken)],
                history_note=history_note,
            )
            duplicates.reviews_add_many(office=office, found=reviews, source=source)
    return [r for r in results if r is not None]


def _batch_candidates(
    pairs: Sequence[duplicates.InnerPair],
    built: list[tuple[int, services.ValidContact, Contact]],
    taken: dict[int, int],
) -> list[Candidate]:
    """The earlier entries of the batch that became contacts, as candidates of a later one."""
    return [
        Candidate(
            contact=built[p.a][2],
            score=p.score,
            level="certain" if p.level == "certain" else "possible",
            reasons=p.reasons,
            similarities=p.similarities,
            codes=p.codes,
        )
        for p in pairs
        if p.a in taken
    ]


def _attach_in_batch(
    target: Contact,
    clean: services.ValidContact,
    built: list[tuple[int, services.ValidContact, Contact]],
    acting_user: User | None,
    note: str,
    dry_run: bool,
) -> None:
    """Attach to a certain duplicate: an existing contact now, one of the batch before it is saved
    (its match keys keep the e-mails and phones it came with; no import policy attaches)."""
    if target.pk is not None:
        if not dry_run:
            _attach(target, clean, acting_user, note)
        return
    data = next(d for _i, d, c in built if c is target)
    for key in ("emails", "phones"):
        have = {e["value"].lower() for e in data.get(key, [])}
        data[key] = [*data.get(key, []), *(e for e in clean.get(key, []) if e["value"].lower() not in have)]


Outcome = Literal["created", "review", "decide", "refused", "attached"]


def _outcome(policy: IntakePolicy, found: tuple[Candidate, ...]) -> tuple[Outcome, tuple[Candidate, ...]]:
    """What `policy` does with a new contact that has these candidates, and the candidates that
    decided it (see the module's rules)."""
    certain = tuple(c for c in found if c.certain)
    if policy == IntakePolicy.ASK and found:
        return "decide", found
    if policy in (IntakePolicy.REFUSE_CERTAIN, IntakePolicy.REVIEW_POSSIBLE) and certain:
        return "refused", certain
    if policy == IntakePolicy.ATTACH_CERTAIN and certain:
        return "attached", certain
    if policy == IntakePolicy.REFUSE_CERTAIN:
        found = ()  # a possible duplicate goes in unflagged: the API client sees no candidates
    return ("review" if found else "created"), found


def _not_created(
    outcome: Outcome,
    policy: IntakePolicy,
    clean: services.ValidContact,
    dropped: tuple[str, ...],
    found: tuple[Candidate, ...],
) -> IntakeResult:
    message = _say(outcome, found[0])
    if outcome == "attached":
        return Attached(
            policy=policy,
            data=clean,
            dropped=dropped,
            candidates=found,
            message=message,
            contact=found[0].contact,
        )
    kind = NeedsDecision if outcome == "decide" else Refused
    return kind(policy=policy, data=clean, dropped=dropped, candidates=found, message=message)


def _validated(
    office: Office, raw: dict[str, Any], drop_invalid: Sequence[str]
) -> tuple[services.ValidContact, tuple[str, ...]]:
    try:
        return services.contact_validate(office=office, data=raw), ()
    except ValidationError as exc:
        fields = set(getattr(exc, "message_dict", {}) or {})
        dropped = fields & set(drop_invalid)
        if not dropped or fields - dropped:
            raise
    for key in dropped:
        raw[key] = [] if key in services.LIST_FIELDS else ""
    return services.contact_validate(office=office, data=raw), tuple(sorted(dropped))


def _attach(contact: Contact, clean: services.ValidContact, acting_user: User | None, note: str) -> None:
    """Add the new e-mails and phones the certain duplicate does not have yet (nothing else changes)."""
    emails = [{"value": e.value, "kind": e.kind} for e in contact.emails.all()]
    phones = [{"value": p.value, "kind": p.kind} for p in contact.phones.all()]
    have = {e["value"].lower() for e in emails} | {p["value"] for p in phones}
    new_emails = [e for e in clean.get("emails", []) if e["value"].lower() not in have]
    new_phones = [p for p in clean.get("phones", []) if p["value"] not in have]
    change: dict[str, Any] = {}
    if new_emails:
        change["emails"] = [*emails, *new_emails]
    if new_phones:
        change["phones"] = [*phones, *new_phones]
    if change:
        services.contact_update(contact=contact, acting_user=acting_user, data=change, history_note=note)


def _say(what: str, candidate: Candidate) -> str:
    values = {
        "name": candidate.contact.display_name,
        "reasons": ", ".join(candidate.reasons) or _("similar details"),
    }
    texts = {
        "decide": _("Possibly the same person as %(name)s (%(reasons)s); please decide."),
        "refused": _("A contact with these details probably exists already: %(name)s (%(reasons)s)."),
        "attached": _("Attached to the existing contact %(name)s, a certain duplicate (%(reasons)s)."),
        "review": _(
            "Created as a new contact; possibly the same person as %(name)s (%(reasons)s), "
            "listed on the duplicates page for review."
        ),
    }
    return texts[what] % values
