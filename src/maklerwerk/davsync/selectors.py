"""Reads of the davsync app: a user sees and syncs only their own accounts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import Http404

from maklerwerk.core.ids import parse_id
from maklerwerk.davsync.models import DavAccount, SyncEvent

if TYPE_CHECKING:
    from maklerwerk.accounts.models import User


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
