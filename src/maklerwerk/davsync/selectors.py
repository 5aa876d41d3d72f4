"""Reads of the davsync app: a user sees and syncs only their own accounts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import Http404

from maklerwerk.contacts.selectors import contact_list
from maklerwerk.core.ids import parse_id
from maklerwerk.davsync.models import DavAccount, SyncEvent, SyncFlag

if TYPE_CHECKING:
    from maklerwerk.accounts.models import User
    from maklerwerk.contacts.models import Contact


def dav_accounts(*, user: User) -> QuerySet[DavAccount]:
    if user.office_id is None:
        return DavAccount.objects.none()
    return DavAccount.objects.filter(office_id=user.office_id, user=user)


def dav_account_get(*, user: User, pk: object) -> DavAccount:
    account_id = parse_id(pk)
    account = dav_accounts(user=user).filter(pk=account_id).first() if account_id else None
    if account is None:
        raise Http404
    return account


def sync_events(*, account: DavAccount) -> QuerySet[SyncEvent]:
    return SyncEvent.objects.filter(account=account).order_by("-pk")


def flagged_contacts(*, account: DavAccount, limit: int = 200) -> tuple[list[Contact], int]:
    """The contacts marked for this account (newest mark first, at most `limit`) and their count."""
    ids = list(
        SyncFlag.objects.filter(account=account, enabled=True)
        .order_by("-pk")
        .values_list("contact_id", flat=True)
    )
    shown = {c.pk: c for c in contact_list(user=account.user, ids=ids[:limit])}
    return [shown[i] for i in ids[:limit] if i in shown], len(ids)
