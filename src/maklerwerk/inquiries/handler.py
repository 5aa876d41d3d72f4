"""The mail loop (like paperless-ngx `MailAccountHandler`): mailbox → new UIDs → batches of mails.

Fetch only takes mail in: each batch is claimed and stored as unread `Inquiry` rows in one short
transaction (inquiries.intake), and the server-side action (keyword or move) runs once that
succeeded. Then the IMAP session is closed and each new inquiry's job (`inquiries.automate`:
read the mail, then automate) is enqueued, so a slow or failing inquiry never holds up the
mailbox and several workers share the load. A batch that fails is taken in mail by mail; a
failing message is logged and left for the next pass. A mailbox that cannot be reached, logged
into or read gets its German reason.
"""

from __future__ import annotations

import functools
import logging
import time
from dataclasses import dataclass, field

from django.utils import timezone

from maklerwerk.inquiries.automation import automation_busy_ids, automation_start
from maklerwerk.inquiries.intake import mails_intake
from maklerwerk.inquiries.models import Inquiry, Mailbox, ProcessedMail
from maklerwerk.inquiries.processes import processes_run_due
from maklerwerk.inquiries.services import inquiries_expire
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
    """One pass over one mailbox: intake, session closed, then one automation job per new inquiry.

    Never raises for server or message problems."""

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
            pending: list[tuple[int, bytes]] = []
            for uid, raw in imap.fetch(imap.unprocessed_uids(), batch=batch):
                result.fetched += 1
                pending.append((uid, raw))
                if len(pending) >= batch:
                    _take_in(imap, mailbox, pending, result)
                    pending = []
            _take_in(imap, mailbox, pending, result)
    except ImapError as exc:
        _set_status(mailbox, Mailbox.Status.ERROR, exc.message)
        result.error = exc.message
    except Exception as exc:  # a bug must not stop the other mailboxes of the pass
        logger.exception("mailbox %s: fetch failed", mailbox.pk)
        result.error = (
            f"Unerwarteter Fehler beim Abruf ({type(exc).__name__}); bitte den Betreiber informieren."
        )
        _set_status(mailbox, Mailbox.Status.ERROR, result.error)
    else:
        _set_status(mailbox, Mailbox.Status.OK)
    result.seconds = time.monotonic() - started
    # The session is closed: what was taken in (also before an error) is automated job by job.
    if automate and result.inquiry_ids:
        automation_start(mailbox.office_id, result.inquiry_ids)
    return result


def _take_in(imap: ImapClient, mailbox: Mailbox, mails: list[tuple[int, bytes]], result: FetchResult) -> None:
    """One batch in one transaction; if the batch fails, each of its mails on its own, so one broken
    mail loses only itself (it is logged, left unflagged and tried again next pass)."""
    if not mails:
        return
    take = functools.partial(
        mails_intake, mailbox=mailbox, folder=mailbox.folder, uid_validity=imap.uid_validity
    )
    try:
        batches = [take(mails=mails)]
    except Exception:
        logger.exception(
            "mailbox %s: batch of %s failed; taking its mails in one by one", mailbox.pk, len(mails)
        )
        batches = []
        for mail in mails:
            try:
                batches.append(take(mails=[mail]))
            except Exception:
                logger.exception("mailbox %s: message uid %s failed", mailbox.pk, mail[0])
                result.failed += 1
    done: list[int] = []
    for taken in batches:
        result.taken_in += len(taken.taken)
        result.already_known += len(taken.known)
        result.inquiry_ids += [pk for _, pk in taken.taken]
        done += [uid for uid, _ in taken.taken] + taken.known
    _after_success(imap, mailbox, sorted(done))


def _after_success(imap: ImapClient, mailbox: Mailbox, uids: list[int]) -> None:
    if not uids:
        return
    if mailbox.action == Mailbox.Action.MOVE and mailbox.move_to:
        imap.move(uids, mailbox.move_to)
    else:
        imap.mark_processed(uids)


def resume_unfinished(*, limit: int = 500) -> int:
    """Inquiries taken in but not automated and without a live job (its job failed, or the enqueue
    was lost): a new job each. Jobs that died under their lease are resumed by core.jobs itself."""

    busy = automation_busy_ids()
    rows = Inquiry.objects.filter(
        status__in=[Inquiry.Status.RECEIVED, Inquiry.Status.NEW], automation_claimed_at__isnull=True
    )
    todo: dict[int, list[int]] = {}
    for pk, office_id in rows.order_by("pk").values_list("pk", "office_id")[: limit + len(busy)]:
        if pk not in busy and sum(map(len, todo.values())) < limit:
            todo.setdefault(office_id, []).append(pk)
    for office_id, ids in todo.items():
        automation_start(office_id, ids)
    return sum(map(len, todo.values()))


def housekeeping() -> None:
    """After the fetch: resume unfinished work, expire old links, run due process steps."""

    resume_unfinished()
    inquiries_expire()
    processes_run_due()


def fetch_all(*, office_id: int | None = None) -> list[FetchResult]:
    """One pass over every active mailbox in this process (`maklerwerk fetch_inquiries`), then the
    housekeeping. The periodic task instead starts one job per mailbox (inquiries.tasks)."""
    qs = Mailbox.objects.filter(active=True).select_related("main_user", "office")
    if office_id is not None:
        qs = qs.filter(office_id=office_id)
    results = [mailbox_fetch(mb) for mb in qs]
    housekeeping()
    return results


__all__ = ["FetchResult", "ProcessedMail", "fetch_all", "mailbox_fetch"]
