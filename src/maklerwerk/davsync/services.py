"""Writes of the davsync app: accounts, the sync run (state and log) and its job."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from maklerwerk.contacts.selectors import contact_list
from maklerwerk.core.crypto import SecretUnreadable
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.core.jobs import job_start
from maklerwerk.davsync import caldav, carddav
from maklerwerk.davsync.models import DavAccount, SyncEvent, SyncFlag
from maklerwerk.davsync.selectors import dav_accounts
from maklerwerk.integrations.dav.client import Collection, DavClient, DavError

if TYPE_CHECKING:
    from maklerwerk.accounts.models import User
    from maklerwerk.core.models import Job

FIELDS = ("kind", "url", "username", "scope", "tag_name", "conflict_rule")


def _clean(account: DavAccount) -> None:
    if account.scope == DavAccount.Scope.TAG and not account.tag_name.strip():
        raise ApplicationError(_("Choose the tag whose contacts sync."))
    account.full_clean(exclude=["office", "user"])


@transaction.atomic
def dav_account_create(*, user: User, data: dict[str, Any]) -> DavAccount:
    account = DavAccount(office=user.office, user=user, **{k: v for k, v in data.items() if k in FIELDS})
    account.set_password(data.get("password") or "")
    if DavAccount.objects.filter(user=user, url=account.url).exists():
        raise ApplicationError(_("This collection is connected already."))
    _clean(account)
    account.save()
    return account


@transaction.atomic
def dav_account_update(*, account: DavAccount, data: dict[str, Any]) -> DavAccount:
    """Change the given fields; an empty password keeps the stored one. A new address forgets the
    sync token (the next run compares everything)."""
    if "url" in data and data["url"] != account.url:
        account.sync_token = ""
    for key in FIELDS:
        if key in data and data[key] is not None:
            setattr(account, key, data[key])
    if data.get("password"):
        account.set_password(data["password"])
    _clean(account)
    account.save()
    return account


@transaction.atomic
def dav_account_delete(*, account: DavAccount) -> None:
    """Disconnect: nothing on the server and no contact changes."""
    account.delete()


def client_for(account: DavAccount) -> DavClient:
    try:
        password = account.get_password()
    except SecretUnreadable as exc:
        raise DavError(str(exc)) from exc
    return DavClient(account.url, account.username, password, kind=account.kind)


def dav_account_test(*, account: DavAccount) -> str:
    """Connect once; the German answer for the page (raises ApplicationError when it fails)."""
    try:
        client_for(account).check()
    except DavError as exc:
        raise ApplicationError(str(exc)) from exc
    return _("Connection works.")


def dav_collections(*, account: DavAccount) -> list[Collection]:
    """The address books or calendars this account's user has on the server (well-known address,
    principal, home set), found from whatever address was typed; ApplicationError when none."""
    try:
        found = client_for(account).discover()
    except DavError as exc:
        raise ApplicationError(str(exc)) from exc
    if not found:
        raise ApplicationError(
            _("The server has no address book for this user.")
            if account.kind == DavAccount.Kind.CARDDAV
            else _("The server has no calendar for this user.")
        )
    return found


@transaction.atomic
def dav_collection_choose(*, account: DavAccount, url: str) -> DavAccount:
    """Use one of the discovered collections (only one the server named for this user)."""
    if url not in {c.url for c in dav_collections(account=account)}:
        raise ApplicationError(_("This collection was not offered by the server; please choose again."))
    return dav_account_update(account=account, data={"url": url})


def sync_flags_set(*, account: DavAccount, contact_ids: list[int], enabled: bool) -> int:
    """Mark contacts to sync (or not) with `account` (the "flagged" scope); only contacts the
    account's user may see count. Returns how many were marked."""
    allowed = list(
        contact_list(user=account.user, ids=[int(i) for i in contact_ids], include_restricted=False)
        .order_by()
        .values_list("pk", flat=True)
    )
    existing = set(
        SyncFlag.objects.filter(account=account, contact_id__in=allowed).values_list("contact_id", flat=True)
    )
    SyncFlag.objects.filter(account=account, contact_id__in=existing).update(enabled=enabled)
    SyncFlag.objects.bulk_create(
        [SyncFlag(account=account, contact_id=pk, enabled=enabled) for pk in allowed if pk not in existing]
    )
    return len(allowed)


def sync_flags_set_by_tag(*, account: DavAccount, tag: str, enabled: bool) -> int:
    """Mark every contact with this tag (a group) at once."""
    if not tag.strip():
        raise ApplicationError(_("Choose a tag."))
    ids = list(contact_list(user=account.user, tag=tag).order_by().values_list("pk", flat=True))
    if not ids:
        raise ApplicationError(_("No contact has this tag."))
    return sync_flags_set(account=account, contact_ids=ids, enabled=enabled)


def dav_account_sync(
    *, account: DavAccount, dry_run: bool = False, on_progress: Callable[[int, int], Any] | None = None
) -> carddav.Report:
    """Run one sync; the server's errors become the account's German state and a log line."""
    runner = caldav.calendar_sync if account.kind == DavAccount.Kind.CALDAV else carddav.carddav_sync
    try:
        report = runner(account, dry_run=dry_run, client=client_for(account), on_progress=on_progress)
    except DavError as exc:
        if not dry_run:
            account.state, account.state_message = DavAccount.State.ERROR, str(exc)[:500]
            account.save(update_fields=["state", "state_message"])
        SyncEvent.objects.create(
            account=account, level=SyncEvent.Level.ERROR, message=str(exc)[:1000], dry_run=dry_run
        )
        raise ApplicationError(str(exc)) from exc
    if not dry_run:
        account.state, account.state_message = DavAccount.State.OK, summary(report)[:500]
        account.last_sync_at = timezone.now()
        account.save(update_fields=["state", "state_message", "last_sync_at", "sync_token"])
        SyncEvent.objects.create(account=account, level=SyncEvent.Level.INFO, message=summary(report)[:1000])
    return report


LABELS = {
    "created_here": gettext_lazy("%(n)s new in Maklerwerk"),
    "matched": gettext_lazy("%(n)s matched to existing contacts"),
    "review": gettext_lazy("%(n)s possible duplicates to review"),
    "updated_here": gettext_lazy("%(n)s updated in Maklerwerk"),
    "created_there": gettext_lazy("%(n)s new on the server"),
    "updated_there": gettext_lazy("%(n)s updated on the server"),
    "deleted_here": gettext_lazy("%(n)s deleted on the server"),
    "deleted_there": gettext_lazy("%(n)s deleted on the server, kept in Maklerwerk"),
    "conflicts": gettext_lazy("%(n)s conflicts resolved"),
    "broken": gettext_lazy("%(n)s unreadable"),
}


def summary(report: carddav.Report) -> str:
    parts = [
        str(label) % {"n": report.counts[key]} for key, label in LABELS.items() if report.counts.get(key)
    ]
    text = ", ".join(parts) if parts else _("Nothing changed")
    return (_("Preview: %s") % text) if report.dry_run else (_("Sync finished: %s") % text)


def dav_sync_start(*, account: DavAccount, user: User, dry_run: bool = False) -> Job:
    title = _("Address book preview") if dry_run else _("Address book sync")
    return job_start(
        kind="davsync.sync",
        title=title,
        office=account.office,
        created_by=user,
        account_id=account.pk,
        dry_run=dry_run,
    )


# -- the `maklerwerk sync` command's syncer (core.syncers) -----------------------------------------


def syncer_accounts(user: User) -> list[DavAccount]:
    return list(dav_accounts(user=user))


def syncer_label(account: DavAccount) -> str:
    return f"{account.get_kind_display()}: {account.url}"


def syncer_run(account: DavAccount, dry_run: bool) -> str:
    try:
        return summary(dav_account_sync(account=account, dry_run=dry_run))
    except ApplicationError as exc:
        return str(exc)
