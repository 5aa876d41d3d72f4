"""One pass over one mail account: INBOX, Sent and the chosen folders, incrementally.

Per folder, `FolderState` holds (UIDVALIDITY, last UID). Only UIDs above the last one are read; a
new UIDVALIDITY (the server renumbered the folder) starts the folder over, and the office-wide key
of `ArchivedMail` makes that harmless. Headers come first: a mail whose Message-ID the office knows
is not downloaded again (the same mail in a colleague's mailbox, in Sent, after a move). Bodies are
read and archived in batches of 50 (look-ups and writes per batch, one transaction each,
`archive.mails_archive`); the last UID is saved after every batch, so a killed worker repeats at
most one batch, and its mails are claimed. A server or login problem becomes the account's German state.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone

from maklerwerk.core.crypto import SecretUnreadable
from maklerwerk.integrations.imap.client import ImapClient, ImapError, ImapSettings
from maklerwerk.mailing.selectors import outgoing_mails_by_message_id
from maklerwerk.mailsync.archive import Decision, lookups_for, mail_archive, mail_decide, mails_archive
from maklerwerk.mailsync.mime import ParsedMail, mail_parse, message_key_from_headers
from maklerwerk.mailsync.models import ArchivedMail, FolderState, MailAccount
from maklerwerk.mailsync.oauth import access_token_refresh, needs_refresh

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


BATCH = 50  # mails per transaction
BATCH_BYTES = 20 * 1024 * 1024  # ... or fewer when they are big (attachments)
KEY_CHUNK = 500  # keys per look-up query


def _known_keys(account: MailAccount, keys: list[str]) -> set[str]:
    """The keys the office has archived already or sent from Maklerwerk (one query each per chunk)."""
    found: set[str] = set()
    wanted = [k for k in dict.fromkeys(keys) if k]
    for i in range(0, len(wanted), KEY_CHUNK):
        chunk = wanted[i : i + KEY_CHUNK]
        found.update(
            ArchivedMail.objects.filter(office_id=account.office_id, key__in=chunk).values_list(
                "key", flat=True
            )
        )
        found.update(outgoing_mails_by_message_id(office_id=account.office_id, message_ids=chunk))
    return found


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
    headers = [(uid, message_key_from_headers(raw)) for uid, raw in imap.fetch_headers(uids)]
    known = _known_keys(account, [key for _uid, key in headers])
    fresh = []
    for uid, key in headers:
        result.seen += 1
        if key and key in known:
            result.known += 1
        else:
            fresh.append(uid)
    save = not result.dry_run
    blocked = False  # after a failed message the folder's mark stays before it: the next pass retries

    def flush(batch: list[tuple[int, bytes]]) -> None:
        nonlocal blocked
        mark = 0
        for (uid, _raw), ok in zip(batch, _batch_sync(account, batch, result), strict=True):
            blocked = blocked or not ok
            mark = mark if blocked else uid
        if save and mark:
            FolderState.objects.filter(pk=state.pk).update(uid_validity=validity, last_uid=mark)

    batch: list[tuple[int, bytes]] = []
    size = 0
    for uid, raw in imap.fetch(fresh, batch=BATCH):
        batch.append((uid, raw))
        size += len(raw)
        if len(batch) >= BATCH or size >= BATCH_BYTES:
            flush(batch)
            batch, size = [], 0
    if batch:
        flush(batch)
    if save and not blocked:
        FolderState.objects.filter(pk=state.pk).update(
            uid_validity=validity, last_uid=max(uids, default=last_uid)
        )


def _batch_sync(account: MailAccount, batch: list[tuple[int, bytes]], result: SyncResult) -> list[bool]:
    """Parse, decide and archive a batch of mails (one transaction); per mail: did it go through?

    One broken mail must not stop the others: it is counted as failed and stays in the mailbox.
    """
    oks = [True] * len(batch)
    parsed: list[tuple[int, ParsedMail, bytes]] = []
    for i, (_uid, raw) in enumerate(batch):
        try:
            parsed.append((i, mail_parse(raw), raw))
        except Exception:
            logger.exception("mail account %s: a message failed", account.pk)
            oks[i] = False
    try:
        lookups = lookups_for(account, [mail for _i, mail, _raw in parsed])
    except Exception:
        logger.exception("mail account %s: a batch failed", account.pk)
        result.failed += len(batch)
        return [False] * len(batch)
    pairs: list[tuple[int, ParsedMail, Decision]] = []
    for i, mail, raw in parsed:
        try:
            pairs.append((i, mail, mail_decide(account, mail, raw, lookups)))
        except Exception:
            logger.exception("mail account %s: a message failed", account.pk)
            oks[i] = False
    if result.dry_run:
        known = _known_keys(account, [mail.key for _i, mail, _d in pairs])
        for _i, mail, decision in pairs:
            if mail.key in known:
                result.known += 1
            elif decision.state == ArchivedMail.State.ARCHIVED:
                result.archived += 1
            else:
                result.skipped += 1
            known.add(mail.key)
        result.failed += oks.count(False)
        return oks
    try:
        stored = mails_archive(account, [(mail, decision) for _i, mail, decision in pairs])
    except Exception:  # a bad row in the batch: mail by mail, so only that one fails
        logger.exception("mail account %s: a batch failed, retried mail by mail", account.pk)
        stored = []
        for i, mail, decision in pairs:
            try:
                stored.append(mail_archive(account, mail, decision))
            except Exception:
                logger.exception("mail account %s: a message failed", account.pk)
                oks[i] = False
                stored.append(None)
    for (i, _mail, _decision), row in zip(pairs, stored, strict=True):
        if not oks[i]:
            continue
        if row is None:
            result.known += 1
        elif row.state == ArchivedMail.State.ARCHIVED:
            result.archived += 1
        else:
            result.skipped += 1
    result.failed += oks.count(False)
    return oks


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
        if needs_refresh(account):
            access_token_refresh(account)
        settings = imap_settings(account)
    except ImapError as exc:
        result.error = exc.message
        _set_state(account, result)
        return result
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
