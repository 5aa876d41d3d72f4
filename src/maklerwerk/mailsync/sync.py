"""One pass over one mail account: INBOX, Sent and the chosen folders, incrementally.

Per folder, `FolderState` holds (UIDVALIDITY, last UID). Only UIDs above the last one are read; a
new UIDVALIDITY (the server renumbered the folder) starts the folder over, and the office-wide key
of `ArchivedMail` makes that harmless. Headers come first: a mail whose Message-ID the office knows
is not downloaded again (the same mail in a colleague's mailbox, in Sent, after a move). The last
UID is saved after every message, so a killed worker repeats at most one mail, and that one is
claimed (`archive.mail_archive`). A server or login problem becomes the account's German state.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone

from maklerwerk.core.crypto import SecretUnreadable
from maklerwerk.integrations.imap.client import ImapClient, ImapError, ImapSettings
from maklerwerk.mailing.selectors import outgoing_mails_by_message_id
from maklerwerk.mailsync.archive import mail_archive, mail_decide
from maklerwerk.mailsync.mime import mail_parse, message_key_from_headers
from maklerwerk.mailsync.models import ArchivedMail, FolderState, MailAccount

logger = logging.getLogger(__name__)

SENT_NAMES = ("Sent", "Gesendet", "Gesendete Objekte", "Sent Items", "Sent Messages", "Gesendete Elemente")
Report = Callable[[str], None]


@dataclass
class SyncResult:
    account_id: int
    seen: int = 0
    archived: int = 0
    known: int = 0
    skipped: int = 0
    failed: int = 0
    folders: list[str] = field(default_factory=list)
    error: str = ""
    dry_run: bool = False

    def summary(self) -> str:
        text = (
            f"{self.archived} archiviert, {self.known} bereits bekannt, {self.skipped} nicht archiviert"
            + (f", {self.failed} fehlgeschlagen" if self.failed else "")
        )
        return ("Probelauf: " + text) if self.dry_run else text

    def as_dict(self) -> dict[str, object]:
        return {
            "account_id": self.account_id,
            "seen": self.seen,
            "archived": self.archived,
            "known": self.known,
            "skipped": self.skipped,
            "failed": self.failed,
            "folders": self.folders,
            "error": self.error,
            "dry_run": self.dry_run,
            "message": self.error or self.summary(),
        }


def imap_settings(
    account: MailAccount, *, password: str | None = None, folder: str = "INBOX"
) -> ImapSettings:
    return ImapSettings(
        host=account.host,
        port=account.port,
        security=account.security,
        username=account.username,
        password=account.get_password() if password is None else password,
        folder=folder,
        auth=account.auth,
    )


def sent_folder_of(imap: ImapClient, account: MailAccount) -> str:
    """The account's Sent folder: as configured, else the one flagged \\Sent (RFC 6154), else by name."""
    if account.sent_folder:
        return account.sent_folder
    folders = imap.folders()
    for name, flags in folders:
        if "\\Sent" in flags:
            return name
    names = {name.lower(): name for name, _flags in folders}
    for candidate in SENT_NAMES:
        for prefix in ("", "inbox/"):
            if prefix + candidate.lower() in names:
                return names[prefix + candidate.lower()]
    return ""


def _known(account: MailAccount, key: str) -> bool:
    if not key:
        return False
    if ArchivedMail.objects.filter(office_id=account.office_id, key=key).exists():
        return True
    return bool(outgoing_mails_by_message_id(office_id=account.office_id, message_ids=[key]))


def _folder_sync(
    imap: ImapClient, account: MailAccount, folder: str, result: SyncResult, report: Report
) -> None:
    validity = imap.select(folder)
    if result.dry_run:  # a dry run writes nothing, not even the folder's row
        state = FolderState.objects.filter(account=account, folder=folder).first() or FolderState()
    else:
        state, _created = FolderState.objects.get_or_create(account=account, folder=folder)
    last_uid = state.last_uid if state.uid_validity == validity else 0
    if state.uid_validity and state.uid_validity != validity:
        report(f"{folder}: UIDVALIDITY geändert, Ordner wird neu gelesen.")
    uids = imap.uids_after(last_uid)
    report(f"{folder}: {len(uids)} neue Nachrichten")
    fresh = []
    for uid, headers in imap.fetch_headers(uids):
        result.seen += 1
        if _known(account, message_key_from_headers(headers)):
            result.known += 1
        else:
            fresh.append(uid)
    save = not result.dry_run
    blocked = False  # after a failed message the folder's mark stays before it: the next pass retries
    for uid, raw in imap.fetch(fresh, batch=20):
        ok = _message_sync(account, raw, result)
        blocked = blocked or not ok
        if save and not blocked:
            FolderState.objects.filter(pk=state.pk).update(uid_validity=validity, last_uid=uid)
    if save and not blocked:
        FolderState.objects.filter(pk=state.pk).update(
            uid_validity=validity, last_uid=max(uids, default=last_uid)
        )


def _message_sync(account: MailAccount, raw: bytes, result: SyncResult) -> bool:
    try:
        mail = mail_parse(raw)
        decision = mail_decide(account, mail, raw)
        if result.dry_run:
            known = ArchivedMail.objects.filter(office_id=account.office_id, key=mail.key).exists()
            counter = (
                "known"
                if known
                else ("archived" if decision.state == ArchivedMail.State.ARCHIVED else "skipped")
            )
            setattr(result, counter, getattr(result, counter) + 1)
            return True
        stored = mail_archive(account, mail, decision)
    except Exception:  # one broken mail must not stop the account; it stays in the mailbox
        logger.exception("mail account %s: a message failed", account.pk)
        result.failed += 1
        return False
    if stored is None:
        result.known += 1
    elif stored.state == ArchivedMail.State.ARCHIVED:
        result.archived += 1
    else:
        result.skipped += 1
    return True


def _set_state(account: MailAccount, result: SyncResult) -> None:
    status = MailAccount.Status.ERROR if result.error else MailAccount.Status.OK
    fields = {
        "last_status": status,
        "last_error": result.error[:500],
        "last_run_at": timezone.now(),
        "last_summary": result.summary()[:300],
    }
    MailAccount.objects.filter(pk=account.pk).update(**fields)
    for key, value in fields.items():
        setattr(account, key, value)


def account_sync(account: MailAccount, *, dry_run: bool = False, report: Report | None = None) -> SyncResult:
    """Archive one account's folders. Never raises for server or message problems."""
    result = SyncResult(account_id=account.pk, dry_run=dry_run)
    say: Report = report or (lambda _text: None)
    try:
        settings = imap_settings(account)
    except SecretUnreadable:
        result.error = "Das gespeicherte Passwort ist nicht mehr lesbar; bitte neu eingeben."
        _set_state(account, result)
        return result
    try:
        with ImapClient(settings) as imap:
            sent = sent_folder_of(imap, account)
            folders = list(dict.fromkeys(["INBOX", *([sent] if sent else []), *account.folders]))
            for folder in folders:
                _folder_sync(imap, account, folder, result, say)
                result.folders.append(folder)
    except ImapError as exc:
        result.error = exc.message
    except Exception as exc:  # a bug must not stop the user's other accounts
        logger.exception("mail account %s: sync failed", account.pk)
        result.error = (
            f"Unerwarteter Fehler beim Abgleich ({type(exc).__name__}); bitte den Betreiber informieren."
        )
    if not dry_run or result.error:
        _set_state(account, result)
    return result
