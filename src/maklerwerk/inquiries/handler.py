"""The mail loop (like paperless-ngx `MailAccountHandler`): mailbox → new UIDs → message.

Each message is taken in and automated; the server-side action (keyword or move) runs only after
that succeeded. A failing message is logged and left for the next pass; the next one still runs.
A mailbox that cannot be reached or logged into gets a clear status and error.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from django.utils import timezone

from maklerwerk.inquiries.models import Inquiry, Mailbox, ProcessedMail
from maklerwerk.integrations.imap.client import ImapClient, ImapError, ImapSettings

logger = logging.getLogger(__name__)


@dataclass
class FetchResult:
    mailbox_id: int
    fetched: int = 0
    taken_in: int = 0
    already_known: int = 0
    failed: int = 0
    error: str = ""
    seconds: float = 0.0
    inquiry_ids: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "mailbox_id": self.mailbox_id,
            "fetched": self.fetched,
            "taken_in": self.taken_in,
            "already_known": self.already_known,
            "failed": self.failed,
            "error": self.error,
        }


def imap_settings(mailbox: Mailbox, *, password: str | None = None) -> ImapSettings:
    return ImapSettings(
        host=mailbox.host,
        port=mailbox.port,
        security=mailbox.security,
        username=mailbox.username,
        password=mailbox.get_password() if password is None else password,
        folder=mailbox.folder,
    )


def _set_status(mailbox: Mailbox, status: str, error: str = "") -> None:
    Mailbox.objects.filter(pk=mailbox.pk).update(
        last_status=status, last_error=error[:500], last_fetch_at=timezone.now()
    )
    mailbox.last_status, mailbox.last_error = status, error[:500]


def mailbox_fetch(mailbox: Mailbox, *, automate: bool = True, batch: int = 50) -> FetchResult:
    """One pass over one mailbox. Never raises for server or message problems."""
    from maklerwerk.inquiries.services import inquiry_automate, mail_intake

    result = FetchResult(mailbox_id=mailbox.pk)
    started = time.monotonic()
    try:
        settings = imap_settings(mailbox)
    except Exception as exc:  # undecryptable password
        _set_status(mailbox, Mailbox.Status.ERROR, str(exc))
        result.error = str(exc)
        return result
    try:
        with ImapClient(settings) as imap:
            uids = imap.unprocessed_uids()
            done: list[int] = []
            for uid, raw in imap.fetch(uids, batch=batch):
                result.fetched += 1
                try:
                    processed = mail_intake(
                        mailbox=mailbox,
                        folder=mailbox.folder,
                        uid=uid,
                        uid_validity=imap.uid_validity,
                        raw=raw,
                    )
                    if processed is None:
                        result.already_known += 1
                    else:
                        result.taken_in += 1
                        if processed.inquiry_id:
                            result.inquiry_ids.append(processed.inquiry_id)
                            if automate:
                                inquiry_automate(inquiry_id=processed.inquiry_id)
                    done.append(uid)
                except Exception:
                    # Nothing of this message was stored (one transaction): the next pass tries again.
                    logger.exception("mailbox %s: message uid %s failed", mailbox.pk, uid)
                    result.failed += 1
                if len(done) >= batch:
                    _after_success(imap, mailbox, done)
                    done = []
            _after_success(imap, mailbox, done)
    except ImapError as exc:
        _set_status(mailbox, Mailbox.Status.ERROR, exc.message)
        result.error = exc.message
        result.seconds = time.monotonic() - started
        return result
    _set_status(mailbox, Mailbox.Status.OK)
    result.seconds = time.monotonic() - started
    return result


def _after_success(imap: ImapClient, mailbox: Mailbox, uids: list[int]) -> None:
    if not uids:
        return
    if mailbox.action == Mailbox.Action.MOVE and mailbox.move_to:
        imap.move(uids, mailbox.move_to)
    else:
        imap.mark_processed(uids)


def resume_unfinished() -> int:
    """Inquiries taken in but never automated (a crash between intake and automation)."""
    from maklerwerk.inquiries.services import inquiry_automate

    ids = list(
        Inquiry.objects.filter(status=Inquiry.Status.NEW, automation_claimed_at__isnull=True).values_list(
            "pk", flat=True
        )[:500]
    )
    for pk in ids:
        try:
            inquiry_automate(inquiry_id=pk)
        except Exception:
            logger.exception("inquiry %s: automation failed", pk)
    return len(ids)


def fetch_all(*, office_id: int | None = None) -> list[FetchResult]:
    """One pass over every active mailbox, then resume unfinished work and expire old links."""
    from maklerwerk.inquiries.processes import processes_run_due
    from maklerwerk.inquiries.services import inquiries_expire

    qs = Mailbox.objects.filter(active=True).select_related("main_user", "office")
    if office_id is not None:
        qs = qs.filter(office_id=office_id)
    results = [mailbox_fetch(mb) for mb in qs]
    resume_unfinished()
    inquiries_expire()
    processes_run_due()
    return results


__all__ = ["FetchResult", "ProcessedMail", "fetch_all", "mailbox_fetch"]
