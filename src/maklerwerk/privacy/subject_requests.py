"""Rectification (Art. 16 DSGVO) and objection (Art. 21 DSGVO) requests, tracked like the erasure
requests: who asked, when, through which channel, the answer's deadline (one month, Art. 12 Abs. 3),
status and the recorded result.

- An objection to direct marketing (Art. 21 Abs. 2) takes effect when it is recorded, without
  weighing (Art. 21 Abs. 3): every marketing consent of the contact gets a withdrawal record with
  the channel "objection", the contact's yes/no field is cleared, and every mail path's consent gate
  (`privacy.consent.marketing_blocked`) refuses marketing mail from then on. The request is done.
- An objection to processing based on legitimate interest (Art. 21 Abs. 1) needs a decision: the
  office completes it (optionally blocking the contact: "Kontakt sperren") or refuses it with the
  compelling legitimate grounds.
- A rectification is completed once the data are corrected (on the contact's page, which records
  the history), or refused with the reason (the data are correct).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from maklerwerk.accounts.permissions import ensure_capability
from maklerwerk.accounts.roles import Capability
from maklerwerk.core.exceptions import ApplicationError, ConflictError
from maklerwerk.core.models import Activity
from maklerwerk.core.services import activity_create
from maklerwerk.privacy.consent import consent_record, marketing_field_clear
from maklerwerk.privacy.models import AccessLogEntry, ConsentRecord, SubjectRequest
from maklerwerk.privacy.services import access_log, contact_block

if TYPE_CHECKING:
    from maklerwerk.accounts.models import User
    from maklerwerk.contacts.models import Contact


def _activity(request: SubjectRequest, contact: Contact, acting_user: User | None, subject: str) -> None:
    activity_create(
        office=contact.office,
        type=Activity.Type.SYSTEM,
        subject=subject,
        body=request.result or request.details,
        acting_user=acting_user,
        contact_id=contact.pk,
        payload={"privacy": request.kind, "request": request.pk, "status": request.status},
    )


@transaction.atomic
def subject_request_create(
    *,
    contact: Contact,
    kind: str,
    acting_user: User | None,
    scope: str = "",
    requested_by: str = "",
    requested_at: dt.datetime | None = None,
    channel: str = "",
    details: str = "",
) -> SubjectRequest:
    """Record a rectification or objection request; an objection to marketing takes effect now."""
    ensure_capability(acting_user, Capability.PRIVACY)
    if kind not in SubjectRequest.Kind.values:
        raise ApplicationError(_("Choose rectification or objection."), extra={"field": "kind"})
    if kind == SubjectRequest.Kind.OBJECTION:
        scope = scope or SubjectRequest.Scope.MARKETING
        if scope not in SubjectRequest.Scope.values:
            raise ApplicationError(_("Choose what the objection is against."), extra={"field": "scope"})
    else:
        scope = ""
        if not details.strip():
            raise ApplicationError(
                _("Describe which data the person wants corrected."), extra={"field": "details"}
            )
    request = SubjectRequest(
        office_id=contact.office_id,
        contact=contact,
        kind=kind,
        scope=scope,
        requested_by=(requested_by.strip() or contact.display_name)[:200],
        requested_at=requested_at or timezone.now(),
        channel=channel.strip()[:100],
        details=details.strip()[:5000],
        recorded_by=acting_user,
    )
    request.full_clean(exclude=["office", "contact", "recorded_by", "due_on"])
    request.save()
    if kind == SubjectRequest.Kind.OBJECTION and scope == SubjectRequest.Scope.MARKETING:
        _marketing_stop(request, contact, acting_user)
    else:
        _activity(
            request, contact, acting_user, _("%(kind)s recorded") % {"kind": request.get_kind_display()}
        )
    return request


def _marketing_stop(request: SubjectRequest, contact: Contact, acting_user: User | None) -> None:
    for purpose in (ConsentRecord.Purpose.NEWSLETTER, ConsentRecord.Purpose.PROPERTY_CONTACT):
        consent_record(
            contact=contact,
            purpose=purpose,
            status=ConsentRecord.Status.WITHDRAWN,
            channel=ConsentRecord.Channel.OBJECTION,
            acting_user=acting_user,
            evidence={"request": request.pk, "channel": request.channel},
        )
    marketing_field_clear(contact=contact, acting_user=acting_user)
    request.status = SubjectRequest.Status.DONE
    request.result = _("No more marketing: consents withdrawn, every mail path refuses marketing mail.")
    request.decided_by, request.decided_at = acting_user, timezone.now()
    request.save(update_fields=["status", "result", "decided_by", "decided_at"])
    _activity(request, contact, acting_user, _("Objection to marketing (Art. 21 GDPR)"))


@transaction.atomic
def subject_request_complete(
    *, request: SubjectRequest, acting_user: User, result: str, block: bool = False
) -> SubjectRequest:
    """Record what was done (data corrected, processing stopped); `block` also blocks the contact."""
    ensure_capability(acting_user, Capability.PRIVACY)
    request = SubjectRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != SubjectRequest.Status.OPEN:
        raise ConflictError(_("This request has already been decided."))
    if not result.strip():
        raise ApplicationError(_("Record what was done."), extra={"field": "result"})
    if request.contact is None:
        raise ApplicationError(_("The contact of this request no longer exists."))
    if block:
        contact_block(contact=request.contact, reason=request.get_kind_display(), acting_user=acting_user)
    request.status = SubjectRequest.Status.DONE
    request.result = result.strip()[:5000]
    request.decided_by, request.decided_at = acting_user, timezone.now()
    request.save()
    access_log(
        office_id=request.office_id,
        user=acting_user,
        action=AccessLogEntry.Action.RESTRICTION if block else AccessLogEntry.Action.REQUEST,
        contact_id=request.contact_id,
        detail=f"#{request.pk} {request.get_kind_display()}",
    )
    _activity(
        request, request.contact, acting_user, _("%(kind)s done") % {"kind": request.get_kind_display()}
    )
    return request


@transaction.atomic
def subject_request_refuse(*, request: SubjectRequest, acting_user: User, result: str) -> SubjectRequest:
    """Refuse with the reason (the data are correct; compelling legitimate grounds)."""
    ensure_capability(acting_user, Capability.PRIVACY)
    request = SubjectRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != SubjectRequest.Status.OPEN:
        raise ConflictError(_("This request has already been decided."))
    if not result.strip():
        raise ApplicationError(_("Give the reason for refusing the request."), extra={"field": "result"})
    request.status = SubjectRequest.Status.REFUSED
    request.result = result.strip()[:5000]
    request.decided_by, request.decided_at = acting_user, timezone.now()
    request.save()
    if request.contact is not None:
        _activity(
            request,
            request.contact,
            acting_user,
            _("%(kind)s refused") % {"kind": request.get_kind_display()},
        )
    return request
