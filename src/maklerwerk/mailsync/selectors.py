"""Reads of the mail sync: a user's own accounts; archived mails by the office and visibility."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import Http404

from maklerwerk.mailsync.models import ArchivedMail, MailAccount
from maklerwerk.properties.selectors import property_visible

if TYPE_CHECKING:
    from maklerwerk.accounts.models import User


def account_list(*, user: User) -> QuerySet[MailAccount]:
    """Only the user's own accounts: a mailbox is personal, even administrators do not see others'."""
    return MailAccount.objects.filter(user=user, office=user.office_id)


def account_get(*, user: User, pk: int) -> MailAccount:
    account = account_list(user=user).filter(pk=pk).first()
    if account is None:
        raise Http404
    return account


def archived_mail_get(*, user: User, pk: int) -> ArchivedMail:
    """An archived mail of the office; hidden when its activity hangs off a property the user may not see."""
    mail = (
        ArchivedMail.objects.filter(office=user.office_id, pk=pk, state=ArchivedMail.State.ARCHIVED)
        .select_related("activity")
        .first()
    )
    if mail is None or mail.activity is None:
        raise Http404
    if mail.activity.property_id and not property_visible(user, mail.activity.property_id):
        raise Http404
    return mail
