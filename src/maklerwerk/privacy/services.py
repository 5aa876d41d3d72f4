"""Writes of the privacy app: Datenauskunft jobs, erasure requests, holds, marks, rules, the access log.

Every entry path (pages, API, the nightly job) comes through here; each service asks for
`Capability.PRIVACY` itself (the system, `acting_user=None`, may always act).
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from maklerwerk.accounts.permissions import ensure_capability
from maklerwerk.accounts.roles import Capability
from maklerwerk.contacts.restriction import contact_restrict, contact_unrestrict
from maklerwerk.core.exceptions import ApplicationError, ConflictError
from maklerwerk.core.jobs import job_start
from maklerwerk.core.models import Activity
from maklerwerk.core.services import activity_create
from maklerwerk.privacy.erasure import erasure_apply, erasure_plan
from maklerwerk.privacy.models import (
    AccessLogEntry,
    ErasureRequest,
    LegalHold,
    RetentionKind,
    RetentionMark,
    RetentionRule,
)
from maklerwerk.privacy.rules import DEFAULT_RULES

if TYPE_CHECKING:
    from maklerwerk.accounts.models import Office, User
    from maklerwerk.contacts.models import Contact
    from maklerwerk.core.models import Job


def access_log(
    *, office_id: int, user: User | None, action: str, contact_id: int | None, detail: str = ""
) -> None:
    AccessLogEntry.objects.create(
        office_id=office_id, user=user, action=action, contact_id=contact_id, detail=detail[:300]
    )


@transaction.atomic
def data_export_start(*, contact: Contact, acting_user: User) -> Job:
    """Start the Datenauskunft job for `contact` (its result is the ZIP); logged in the access log."""
    ensure_capability(acting_user, Capability.PRIVACY)
    job = job_start(
        kind="privacy.data_export",
        title=_("Data access export for %(name)s") % {"name": contact.display_name},
        office=contact.office,
        created_by=acting_user,
        contact_id=contact.pk,
        office_id=contact.office_id,
        user_id=acting_user.pk,
    )
    access_log(
        office_id=contact.office_id,
        user=acting_user,
        action=AccessLogEntry.Action.DATA_EXPORT,
        contact_id=contact.pk,
        detail=str(job.pk),
    )
    return job


def data_export_recorded(*, contact: Contact, user: User | None, records: int, files: int) -> None:
    """The activity on the contact that proves when the Datenauskunft was produced and by whom."""
    activity_create(
        office=contact.office,
        type=Activity.Type.SYSTEM,
        subject=_("Data access export created (Art. 15 GDPR)"),
        body=_("%(records)s records and %(files)s files exported.") % {"records": records, "files": files},
        acting_user=user,
        contact_id=contact.pk,
        payload={"privacy": "data_export", "records": records, "files": files},
    )


@transaction.atomic
def erasure_request_create(
    *,
    contact: Contact,
    acting_user: User | None,
    requested_by: str = "",
    requested_at: dt.datetime | None = None,
    channel: str = "",
) -> ErasureRequest:
    """Record a request for erasure: who asked (default: the person), when, through which channel."""
    ensure_capability(acting_user, Capability.PRIVACY)
    request = ErasureRequest(
        office_id=contact.office_id,
        contact=contact,
        requested_by=(requested_by or contact.display_name)[:200],
        requested_at=requested_at or timezone.now(),
        channel=channel[:100],
        recorded_by=acting_user,
    )
    request.full_clean(exclude=["office", "contact", "recorded_by"])
    request.save()
    return request


@transaction.atomic
def erasure_request_execute(
    *, request: ErasureRequest, acting_user: User | None, decision: str = "", today: dt.date | None = None
) -> dict[str, Any]:
    """Decide and carry out a request: delete or anonymise what is free, restrict what is held.

    Answers {"deleted": [...], "anonymised": [...], "held": [{"record", "reason", "until"}]}."""
    ensure_capability(acting_user, Capability.PRIVACY)
    request = ErasureRequest.objects.select_for_update().get(pk=request.pk)
    if request.status in (ErasureRequest.Status.DONE, ErasureRequest.Status.REFUSED):
        raise ConflictError(_("This erasure request has already been decided."))
    if request.contact is None:
        raise ApplicationError(_("The contact of this request no longer exists."))
    contact = request.contact
    plan = erasure_plan(contact, today=today)
    note = _("Erasure request #%(id)s (Art. 17 GDPR)") % {"id": request.pk}
    erasure_apply(contact=contact, plan=plan, acting_user=acting_user, note=note)
    answer = plan.answer()
    request.status = ErasureRequest.Status.RESTRICTED if plan.held else ErasureRequest.Status.DONE
    request.held_until = plan.held_until
    request.next_release = plan.next_release
    if request.decided_at is None:
        request.decision = decision or _("Erased where no retention duty applies.")
        request.decided_by, request.decided_at = acting_user, timezone.now()
    request.result = answer
    request.save()
    access_log(
        office_id=request.office_id,
        user=acting_user,
        action=AccessLogEntry.Action.ERASURE,
        contact_id=contact.pk,
        detail=f"#{request.pk}: {len(answer['deleted'])}/{len(answer['anonymised'])}/{len(answer['held'])}",
    )
    activity_create(
        office=contact.office,
        type=Activity.Type.SYSTEM,
        subject=note,
        body=_("%(deleted)s deleted, %(anonymised)s anonymised, %(held)s held by retention duties.")
        % {k: len(v) for k, v in answer.items()},
        acting_user=acting_user,
        contact_id=contact.pk,
        payload={"privacy": "erasure", "request": request.pk, "held_until": str(request.held_until or "")},
    )
    return answer


@transaction.atomic
def erasure_request_refuse(*, request: ErasureRequest, acting_user: User, decision: str) -> ErasureRequest:
    ensure_capability(acting_user, Capability.PRIVACY)
    if not decision.strip():
        raise ApplicationError(_("Give the reason for refusing the request."))
    if request.status != ErasureRequest.Status.OPEN:
        raise ConflictError(_("This erasure request has already been decided."))
    request.status = ErasureRequest.Status.REFUSED
    request.decision, request.decided_by, request.decided_at = decision, acting_user, timezone.now()
    request.save()
    return request


def month_end(today: dt.date) -> dt.date:
    return today.replace(day=calendar.monthrange(today.year, today.month)[1])


def retention_sweep(*, today: dt.date | None = None) -> list[int]:
    """The nightly job: finish every executed request whose holds ended. Returns the request ids done."""
    today = today or timezone.localdate()
    done = []
    due = ErasureRequest.objects.filter(
        status=ErasureRequest.Status.RESTRICTED, next_release__lt=today, contact__isnull=False
    ).values_list("pk", flat=True)
    for pk in list(due):
        request = ErasureRequest.objects.get(pk=pk)
        erasure_request_execute(request=request, acting_user=None, today=today)
        done.append(pk)
    return done


@transaction.atomic
def legal_hold_set(*, contact: Contact, reason: str, acting_user: User) -> LegalHold:
    """A legal hold keeps everything of the contact until released (overrides the rules)."""
    ensure_capability(acting_user, Capability.PRIVACY)
    if not reason.strip():
        raise ApplicationError(_("Give the reason for the legal hold."))
    return LegalHold.objects.create(
        office_id=contact.office_id, contact=contact, reason=reason.strip()[:300], created_by=acting_user
    )


@transaction.atomic
def legal_hold_release(*, hold: LegalHold, acting_user: User) -> None:
    ensure_capability(acting_user, Capability.PRIVACY)
    LegalHold.objects.filter(pk=hold.pk).update(released_at=timezone.now())
    # The request it stopped is finished by the next sweep.
    ErasureRequest.objects.filter(contact_id=hold.contact_id, status=ErasureRequest.Status.RESTRICTED).update(
        next_release=timezone.localdate() - dt.timedelta(days=1)
    )


@transaction.atomic
def retention_mark_create(
    *, contact: Contact, section: str, object_id: int, kind: str, document_date: dt.date, acting_user: User
) -> RetentionMark:
    """Mark one of the contact's records as kept by a duty (e.g. a contact file that is an invoice)."""
    ensure_capability(acting_user, Capability.PRIVACY)
    if kind not in RetentionKind.values:
        raise ApplicationError(_("Unknown kind of record."))
    mark, _created = RetentionMark.objects.update_or_create(
        section=section,
        object_id=object_id,
        kind=kind,
        defaults={
            "office_id": contact.office_id,
            "contact": contact,
            "document_date": document_date,
            "created_by": acting_user,
        },
    )
    return mark


@transaction.atomic
def retention_rule_set(*, office: Office, kind: str, years: int, legal_basis: str, acting_user: User) -> None:
    """The office's own period for a kind of record; the default's values remove the override."""
    ensure_capability(acting_user, Capability.MANAGE_OFFICE)
    if kind not in DEFAULT_RULES:
        raise ApplicationError(_("Unknown kind of record."))
    if not 1 <= years <= 30:
        raise ApplicationError(_("Enter between 1 and 30 years."))
    default = DEFAULT_RULES[kind]
    if years == default.years and legal_basis.strip() in ("", default.legal_basis):
        RetentionRule.objects.filter(office=office, kind=kind).delete()
        return
    RetentionRule.objects.update_or_create(
        office=office,
        kind=kind,
        defaults={
            "years": years,
            "legal_basis": legal_basis.strip()[:300] or default.legal_basis,
            "changed_by": acting_user,
        },
    )


@transaction.atomic
def contact_block(*, contact: Contact, reason: str, acting_user: User) -> None:
    """ "Kontakt sperren": stop all processing and mailing until lifted (Art. 18, Art. 21 DSGVO)."""
    contact_restrict(contact=contact, until=None, reason=reason or _("Blocked"), acting_user=acting_user)
    access_log(
        office_id=contact.office_id,
        user=acting_user,
        action=AccessLogEntry.Action.RESTRICTION,
        contact_id=contact.pk,
        detail=reason,
    )


@transaction.atomic
def contact_unblock(*, contact: Contact, acting_user: User) -> None:
    contact_unrestrict(contact=contact, acting_user=acting_user, note=_("Block lifted"))
    access_log(
        office_id=contact.office_id,
        user=acting_user,
        action=AccessLogEntry.Action.RESTRICTION,
        contact_id=contact.pk,
        detail=_("Block lifted"),
    )
