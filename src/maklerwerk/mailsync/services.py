"""Writes of the mail sync: connect, change and remove a mail account; sync a user's accounts.

One mailbox is connected once: a mailbox that is already an inquiry mailbox (of any office) or
another user's account is refused with a German message, because reading it twice would double
every mail (the warning of the peers' migration guides, made impossible).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from maklerwerk.accounts.permissions import ensure_capability
from maklerwerk.accounts.roles import Capability
from maklerwerk.core.exceptions import ApplicationError, ConflictError
from maklerwerk.core.history import history_record, snapshot
from maklerwerk.core.models import ChangeLog
from maklerwerk.inquiries.selectors import mailbox_in_use
from maklerwerk.integrations.imap.client import ImapClient, ImapError
from maklerwerk.mailsync.models import MailAccount
from maklerwerk.mailsync.sync import SyncResult, account_sync, imap_settings

if TYPE_CHECKING:
    from maklerwerk.accounts.models import User

ACCOUNT_FIELDS = ("email", "host", "port", "security", "username", "auth", "folders", "sent_folder",
                  "append_sent", "active", "oauth_token_url", "oauth_client_id")  # fmt: skip
TEST_TIMEOUT = 10.0


def mailbox_key(host: str, username: str) -> str:
    return f"{host.strip().lower()}|{username.strip().lower()}"


def _snapshot(account: MailAccount) -> dict[str, Any]:
    data = snapshot(account)
    for name in (
        "password_encrypted",
        "refresh_token_encrypted",
        "token_expires_at",
        "last_status",
        "last_error",
        "last_run_at",
        "last_summary",
    ):
        data.pop(name, None)  # never the password, not even encrypted; the state is no change
    return data


def _ensure_free(account: MailAccount) -> None:
    if mailbox_in_use(host=account.host, username=account.username):
        raise ConflictError(
            _(
                "This mailbox is already the inquiry manager's mailbox. Connecting it again would "
                "archive every mail twice; the inquiry manager already reads it."
            )
        )
    other = MailAccount.objects.filter(mailbox_key=account.mailbox_key).exclude(pk=account.pk).first()
    if other is not None:
        if other.user_id == account.user_id:
            raise ConflictError(_("You have already connected this mailbox."))
        raise ConflictError(
            _("This mailbox is already connected by another user. A mailbox can be connected only once.")
        )


def _apply(account: MailAccount, data: dict[str, Any]) -> None:
    for key in ACCOUNT_FIELDS:
        if data.get(key) is not None:
            setattr(account, key, data[key])
    account.folders = [str(f).strip() for f in (account.folders or []) if str(f).strip()][:50]
    if not account.username:
        account.username = account.email
    account.mailbox_key = mailbox_key(account.host, account.username)
    if data.get("password"):
        account.set_password(data["password"])
        account.token_expires_at = None  # a pasted access token: its expiry is unknown
    if data.get("refresh_token"):
        account.set_refresh_token(data["refresh_token"])
        if not data.get("password"):
            account.token_expires_at = None  # renew before the first login
    if (
        account.refresh_token_encrypted
        and account.auth == MailAccount.Auth.XOAUTH2
        and not account.oauth_token_url
    ):
        raise ApplicationError(
            _("A refresh token needs the provider's token endpoint."), extra={"field": "oauth_token_url"}
        )


@transaction.atomic
def mail_account_create(*, user: User, data: dict[str, Any]) -> MailAccount:
    ensure_capability(user, Capability.EDIT)
    if user.office_id is None:  # only users of an office have mail with the office's contacts
        raise ApplicationError(_("Only users of an office can connect a mailbox."))
    account = MailAccount(office_id=user.office_id, user=user)
    _apply(account, data)
    if not account.password_encrypted and not account.refresh_token_encrypted:
        raise ApplicationError(_("Please enter the password or access token."), extra={"field": "password"})
    account.full_clean(exclude=["office", "user", "mailbox_key"])
    _ensure_free(account)
    account.save()
    history_record(
        instance=account, acting_user=user, action=ChangeLog.Action.CREATE, after=_snapshot(account)
    )
    return account


@transaction.atomic
def mail_account_update(*, account: MailAccount, user: User, data: dict[str, Any]) -> MailAccount:
    """Change an account; an empty password keeps the stored one."""
    ensure_capability(user, Capability.EDIT)
    before = _snapshot(MailAccount.objects.get(pk=account.pk))
    _apply(account, data)
    account.full_clean(exclude=["office", "user", "mailbox_key"])
    _ensure_free(account)
    account.save()
    history_record(
        instance=account,
        acting_user=user,
        action=ChangeLog.Action.UPDATE,
        before=before,
        after=_snapshot(account),
    )
    return account


@transaction.atomic
def mail_account_delete(*, account: MailAccount, user: User) -> None:
    """Disconnect: the archived mails and their activities stay."""
    ensure_capability(user, Capability.EDIT)
    history_record(
        instance=account, acting_user=user, action=ChangeLog.Action.DELETE, before=_snapshot(account)
    )
    account.delete()


def mail_account_test(*, account: MailAccount) -> list[str]:
    """Log in once and list the folders; raises ApplicationError with the German reason."""
    settings = imap_settings(account)
    try:
        with ImapClient(settings) as imap:
            return [name for name, _flags in imap.folders()]
    except ImapError as exc:
        raise ApplicationError(_("Connection failed: %(reason)s") % {"reason": exc.message}) from exc


def sync_user_accounts(
    user: User, *, dry_run: bool = False, progress: Callable[[str], None] | None = None
) -> list[SyncResult]:
    """Archive all active mail accounts of `user` (the `maklerwerk sync --user NAME` command and the
    periodic job). `progress` gets one German line per step; `dry_run` reports without writing."""
    say = progress or (lambda _text: None)
    results = []
    for account in MailAccount.objects.filter(user=user, active=True).select_related("user", "office"):
        say(f"Postfach {account.email} …")
        result = account_sync(account, dry_run=dry_run, report=say)
        say(f"Postfach {account.email}: {result.error or result.summary()}")
        results.append(result)
    return results


# `maklerwerk sync --user NAME` (core.syncers): one syncer for the user's mailboxes.
def syncer_accounts(user: User) -> list[MailAccount]:
    return list(MailAccount.objects.filter(user=user, active=True).select_related("user", "office"))


def syncer_label(account: MailAccount) -> str:
    return f"Postfach {account.email}"


def syncer_run(account: MailAccount, dry_run: bool) -> str:
    result = account_sync(account, dry_run=dry_run)
    return result.error or result.summary()
