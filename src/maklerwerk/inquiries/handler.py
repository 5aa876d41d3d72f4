"""The mail loop (like paperless-ngx `MailAccountHandler`): mailbox → new UIDs → batches of mails.

Fetch only takes mail in: each batch is claimed and stored as unread `Inquiry` rows in one short
transaction (inquiries.intake), and the server-side action (keyword or move) runs for what was
taken in. The IMAP side of a pass runs in its own thread (`_Courier`): it fetches the next batch
while the database stores this one, and flags what the intake reports done in one command for all
that is waiting, so the server's work overlaps the database's. The claims, not the flags, keep a
mail from being taken in twice: a pass that stops before flagging leaves mails that the next pass
finds known, and flags. Then the IMAP session is closed and each new inquiry's job (`inquiries.automate`:
read the mail, then automate) is enqueued, so a slow or failing inquiry never holds up the
mailbox and several workers share the load. A batch that fails is taken in mail by mail; a
failing message is logged and left for the next pass. A mailbox that cannot be reached, logged
into or read gets its German reason.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import queue
import threading
import time
from collections.abc import Iterator
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
            courier = _Courier(imap, mailbox, batch)
            try:
                for mails in courier.batches():
                    result.fetched += len(mails)
                    courier.flag(_take_in(imap.uid_validity, mailbox, mails, result))
            finally:
                courier.finish()
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


def _take_in(
    uid_validity: int, mailbox: Mailbox, mails: list[tuple[int, bytes]], result: FetchResult
) -> list[int]:
    """One batch in one transaction; if the batch fails, each of its mails on its own, so one broken
    mail loses only itself (it is logged, left unflagged and tried again next pass). Returns the
    uids that are done (taken in now or before), for the server-side action."""
    if not mails:
        return []
    take = functools.partial(mails_intake, mailbox=mailbox, folder=mailbox.folder, uid_validity=uid_validity)
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
    return done


def _after_success(imap: ImapClient, mailbox: Mailbox, uids: list[int]) -> None:
    if not uids:
        return
    uids = sorted(uids)
    if mailbox.action == Mailbox.Action.MOVE and mailbox.move_to:
        imap.move(uids, mailbox.move_to)
    else:
        imap.mark_processed(uids)


_END = None  # closes a queue of the courier


class _Courier:
    """The IMAP session of a pass, driven by its own thread while the caller takes mails in.

    The thread fetches the unprocessed mails batch by batch, one batch ahead of the intake (so at
    most two batches are in memory), and before each fetch (and after the last, until `finish`)
    runs the server-side action for every uid the intake reported done (`flag`) since, in one
    command. Only this thread talks to the server until `finish` has returned; an error of the
    server (or any other) ends the batches early and is raised by `finish`. Nothing here touches
    the database."""

    def __init__(self, imap: ImapClient, mailbox: Mailbox, batch: int) -> None:
        self.imap, self.mailbox, self.batch = imap, mailbox, batch
        self._batches: queue.SimpleQueue[list[tuple[int, bytes]] | None] = queue.SimpleQueue()
        self._slots = threading.Semaphore(2)  # batches in memory: the one taken in, the next
        self._done: queue.SimpleQueue[list[int] | None] = queue.SimpleQueue()
        self._stop = threading.Event()
        self._error: BaseException | None = None
        self._finished = False  # the thread has seen finish()
        self._thread = threading.Thread(target=self._run, name=f"imap-mailbox-{mailbox.pk}", daemon=True)
        self._thread.start()

    def batches(self) -> Iterator[list[tuple[int, bytes]]]:
        """The fetched mails, a batch at a time, until all are fetched or the server failed."""
        while (mails := self._batches.get()) is not _END:
            yield mails
            self._slots.release()

    def flag(self, uids: list[int]) -> None:
        """These uids are done (taken in, or known): the server-side action is due for them."""
        if uids:
            self._done.put(uids)

    def finish(self) -> None:
        """No more uids will be done: the thread flags what is waiting and ends; raises its error."""
        self._stop.set()
        self._done.put(_END)
        self._thread.join()
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        try:
            uids = self.imap.unprocessed_uids()
            for start in range(0, len(uids), self.batch):
                if not self._slot():
                    break
                self._flag_waiting()
                self._batches.put(list(self.imap.fetch(uids[start : start + self.batch], batch=self.batch)))
        except BaseException as exc:  # handed to the caller by finish()
            self._error = exc
        finally:
            self._batches.put(_END)
        try:  # after an error too: what was taken in is flagged if the session still works
            while not self._finished:
                self._flag_waiting(block=True)
        except BaseException as exc:
            if self._error is None:
                self._error = exc
            else:
                logger.warning("mailbox %s: flagging after an error failed too: %s", self.mailbox.pk, exc)

    def _slot(self) -> bool:
        """Wait until a batch may be fetched; False if the caller stopped taking batches."""
        while not self._stop.is_set():
            if self._slots.acquire(timeout=0.05):
                return True
        return False

    def _flag_waiting(self, *, block: bool = False) -> None:
        """Run the action for all uids reported done so far (waiting for a report if `block`)."""
        uids: list[int] = []
        with contextlib.suppress(queue.Empty):
            item = self._done.get(block=block)
            while True:
                if item is _END:
                    self._finished = True
                else:
                    uids += item
                item = self._done.get_nowait()
        _after_success(self.imap, self.mailbox, uids)


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
