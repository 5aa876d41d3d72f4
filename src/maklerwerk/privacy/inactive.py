"""Deletion of inactive prospects (Art. 5 Abs. 1 lit. e DSGVO, storage limitation).

An office sets how many months without activity a prospect without a deal is kept
(`PrivacySettings.inactive_months`, e.g. 24). The nightly job `privacy.inactive_review` (also started
by hand on the page, with progress) proposes every such prospect (`contacts.selectors.inactive_prospects`)
for the agents' review list, or, where the office chose "ohne Prüfung löschen", erases at once.
Erasing a proposal goes through an erasure request like any other (`privacy.services`): what a
retention rule or a legal hold keeps stays, restricted until its hold ends (the proposal says
"held"); everything else is deleted or anonymised. "Behalten" records why, and the contact is proposed
again only after another full period without activity.
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
from maklerwerk.contacts.models import Contact
from maklerwerk.contacts.selectors import inactive_prospects
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.core.jobs import Progress, job_start
from maklerwerk.privacy.models import ErasureRequest, InactiveProposal, PrivacySettings
from maklerwerk.privacy.services import erasure_request_create, erasure_request_execute

if TYPE_CHECKING:
    from maklerwerk.accounts.models import Office, User
    from maklerwerk.core.models import Job


def privacy_settings_for(office_id: int) -> PrivacySettings:
    settings, _created = PrivacySettings.objects.get_or_create(office_id=office_id)
    return settings


@transaction.atomic
def inactive_settings_set(
    *, office: Office, months: int | None, automatically: bool, acting_user: User
) -> PrivacySettings:
    """The office's period (None: off) and whether the job erases without review."""
    ensure_capability(acting_user, Capability.MANAGE_OFFICE)
    if months is not None and not 6 <= months <= 120:
        raise ApplicationError(
            _("Enter between 6 and 120 months, or leave it empty."), extra={"field": "months"}
        )
    settings = privacy_settings_for(office.pk)
    settings.inactive_months = months
    settings.inactive_delete_automatically = bool(automatically and months)
    settings.changed_by = acting_user
    settings.save()
    return settings


def inactive_since(months: int, today: dt.date) -> dt.datetime:
    """The start of the day `months` calendar months before `today` (31 March - 1 → 28/29 February)."""
    index = today.year * 12 + today.month - 1 - months
    year, month = divmod(index, 12)
    start = dt.date(year, month + 1, min(today.day, calendar.monthrange(year, month + 1)[1]))
    return timezone.make_aware(dt.datetime.combine(start, dt.time.min))


def _candidates(office_id: int, months: int, today: dt.date) -> list[Contact]:
    since = inactive_since(months, today)
    busy = set(
        InactiveProposal.objects.filter(office_id=office_id, contact__isnull=False)
        .exclude(status=InactiveProposal.Status.KEPT, decided_at__lt=since)
        .values_list("contact_id", flat=True)
    )
    erased = set(
        ErasureRequest.objects.filter(office_id=office_id)
        .exclude(status=ErasureRequest.Status.REFUSED)
        .values_list("contact_id", flat=True)
    )
    return [
        c for c in inactive_prospects(office_id=office_id, inactive_since=since) if c.pk not in busy | erased
    ]


def inactive_review(
    *, office: Office, progress: Progress | None = None, today: dt.date | None = None
) -> dict[str, int]:
    """Propose (or, if the office chose so, erase) every prospect inactive beyond the period."""
    settings = privacy_settings_for(office.pk)
    if not settings.inactive_months:
        return {"proposed": 0, "erased": 0, "held": 0}
    today = today or timezone.localdate()
    candidates = _candidates(office.pk, settings.inactive_months, today)
    counts = {"proposed": 0, "erased": 0, "held": 0}
    for i, contact in enumerate(candidates):
        if progress is not None:
            progress.update(i, len(candidates), _("Checking %(name)s") % {"name": contact.display_name})
        proposal = InactiveProposal.objects.create(
            office=office,
            contact=contact,
            contact_name=contact.display_name[:300],
            last_activity_at=contact.last_activity_at or contact.created_at,
        )
        if settings.inactive_delete_automatically:
            status = proposal_erase(proposal=proposal, acting_user=None, today=today)
            counts["erased" if status == InactiveProposal.Status.ERASED else "held"] += 1
        else:
            counts["proposed"] += 1
    if progress is not None:
        progress.update(len(candidates), len(candidates), _("Done"))
    return counts


def proposal_erase(
    *, proposal: InactiveProposal, acting_user: User | None, today: dt.date | None = None
) -> str:
    """Erase one proposed prospect through an erasure request; "erased", "held" or the status it
    already had (a repeated run is harmless: the proposal is claimed first)."""
    with transaction.atomic():
        proposal = (
            InactiveProposal.objects.select_for_update(of=("self",))
            .select_related("contact")
            .get(pk=proposal.pk)
        )
        if proposal.status != InactiveProposal.Status.PROPOSED or proposal.contact is None:
            return proposal.status
        settings = privacy_settings_for(proposal.office_id)
        request = erasure_request_create(
            contact=proposal.contact,
            acting_user=None,
            requested_by=_("Office rule: prospects inactive for %(months)s months")
            % {"months": settings.inactive_months or "?"},
            channel=_("deletion of inactive prospects"),
        )
        answer = erasure_request_execute(
            request=request,
            acting_user=None,
            decision=_(
                "No activity and no deal for the office's period; kept only what retention duties hold."
            ),
            today=today,
        )
        status = InactiveProposal.Status.HELD if answer["held"] else InactiveProposal.Status.ERASED
        InactiveProposal.objects.filter(pk=proposal.pk).update(
            status=status, erasure=request, decided_by=acting_user, decided_at=timezone.now()
        )
    return status


@transaction.atomic
def proposal_keep(*, proposal: InactiveProposal, reason: str, acting_user: User) -> None:
    """Keep a proposed prospect (e.g. "sucht weiter, Telefonat vereinbart"): the reason is recorded."""
    ensure_capability(acting_user, Capability.EDIT)
    if not reason.strip():
        raise ApplicationError(_("Say why the contact is kept."), extra={"field": "reason"})
    updated = InactiveProposal.objects.filter(pk=proposal.pk, status=InactiveProposal.Status.PROPOSED).update(
        status=InactiveProposal.Status.KEPT,
        reason=reason.strip()[:300],
        decided_by=acting_user,
        decided_at=timezone.now(),
    )
    if not updated:
        raise ApplicationError(_("This proposal has already been decided."))


def proposals_erase_start(*, office: Office, ids: list[int], acting_user: User) -> Job:
    """Erase the chosen proposals in the background (progress on the page)."""
    ensure_capability(acting_user, Capability.DELETE)
    if not ids:
        raise ApplicationError(_("Choose at least one contact."))
    return job_start(
        kind="privacy.inactive_erase",
        title=_("Deleting inactive prospects"),
        office=office,
        created_by=acting_user,
        office_id=office.pk,
        proposal_ids=ids,
        user_id=acting_user.pk,
    )


def inactive_erase_run(
    *, office_id: int, proposal_ids: list[int], user: User | None, progress: Progress
) -> dict[str, Any]:
    proposals = list(InactiveProposal.objects.filter(office_id=office_id, pk__in=proposal_ids).order_by("pk"))
    counts = {"erased": 0, "held": 0}
    for i, proposal in enumerate(proposals):
        progress.update(i, len(proposals), proposal.contact_name)
        status = proposal_erase(proposal=proposal, acting_user=user)
        if status in counts:
            counts[status] += 1
    progress.update(len(proposals), len(proposals), _("Done"))
    return counts
