"""Reads of the mailing app; always scoped by the user's office."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.http import Http404

from maklerwerk.mailing.models import MailTemplate, OutgoingMail
from maklerwerk.mailing.seed import templates_ensure_defaults

if TYPE_CHECKING:
    from maklerwerk.accounts.models import User


def template_list(*, user: User, kind: str | None = None) -> QuerySet[MailTemplate]:
    """The office's templates; the default ones are created on first use."""
    if not MailTemplate.objects.filter(office=user.office_id).exists():
        templates_ensure_defaults(user.office)  # type: ignore[arg-type]  # users here have an office
    qs = MailTemplate.objects.filter(office=user.office_id)
    return qs.filter(kind=kind) if kind else qs


def template_get(*, user: User, pk: int) -> MailTemplate:
    try:
        return MailTemplate.objects.get(pk=pk, office=user.office_id)
    except (MailTemplate.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def template_by_key(*, user: User, key: str) -> MailTemplate | None:
    return template_list(user=user).filter(key=key).first()


def outgoing_mail_list(*, user: User, contact_id: int | None = None) -> QuerySet[OutgoingMail]:
    qs = OutgoingMail.objects.filter(office=user.office_id)
    return qs.filter(contact_id=contact_id) if contact_id else qs


def outgoing_mails_by_message_id(*, office_id: int, message_ids: list[str]) -> dict[str, OutgoingMail]:
    """The office's sent mails with these Message-IDs, keyed by the lower-case id (mail archive)."""
    wanted = {m.lower() for m in message_ids if m}
    if not wanted:
        return {}
    rows = OutgoingMail.objects.annotate(mid=Lower("message_id")).filter(office_id=office_id, mid__in=wanted)
    return {row.message_id.lower(): row for row in rows.order_by("pk")}
