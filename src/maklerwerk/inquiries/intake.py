"""Stage 1 and 2 of an inquiry: take mails in (per batch, unread), then read each one in its job.

    fetch → `mails_intake` (one transaction per batch) → Inquiry "received" → job: `inquiry_read`
    → "new" (automation follows) or "unrecognized" (kept for manual handling, with the reason)

Intake does no parsing: per mail it only reads the claim key (Message-ID from the header block and
the SHA-256 of the body), so a pass costs little more than the IMAP fetch itself. A batch is taken
in with one read of the keys already known, one INSERT of the inquiries and one INSERT of the claims
(`ProcessedMail`, unique per mailbox, Message-ID and content hash, conflicts ignored), then one read
of who owns each claim: an inquiry that lost its claim to another worker (or to a twin in the same
batch) is deleted before the commit. A crash anywhere in between rolls the whole batch back, and the
next pass takes the same mails in, once. Reading (parsing) is claimed by the status change
"received" → "new"/"unrecognized", so a resumed job never reads a mail twice.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction

from maklerwerk.inquiries.hooks import other_app_read
from maklerwerk.inquiries.models import Inquiry, Mailbox, ProcessedMail
from maklerwerk.inquiries.parsers import MailParseResult, ParsedInquiry, claim_key, parse_message
from maklerwerk.inquiries.parsers.mime import read_mail
from maklerwerk.inquiries.steps import inquiry_status_set, step_record

logger = logging.getLogger(__name__)

# Raw mails are kept with the inquiry up to this size; larger ones stay in the mailbox.
MAX_RAW_BYTES = 10 * 1024 * 1024

Status = Inquiry.Status
Key = tuple[str, str]  # (Message-ID, content hash)


@dataclass
class BatchIntake:
    """What one batch did: (uid, inquiry id) of each mail taken in, the uids known before."""

    taken: list[tuple[int, int]] = field(default_factory=list)
    known: list[int] = field(default_factory=list)


def parsed_store_on(parsed: ParsedInquiry, inquiry: Inquiry) -> list[str]:
    """What a parser (or the website form) read, written onto the inquiry; the fields it set."""
    stored = parsed.prospect.store_on(inquiry)
    inquiry.source = parsed.source
    inquiry.message = parsed.message[:20000]
    inquiry.property_external_id = parsed.property_external_id.strip()[:100]
    inquiry.portal_property_id = parsed.portal_property_id.strip()[:100]
    inquiry.property_title = parsed.property_title[:300]
    return [
        *stored,
        "source",
        "message",
        "property_external_id",
        "portal_property_id",
        "property_title",
    ]


def _result_apply(inquiry: Inquiry, result: MailParseResult) -> tuple[str, str, list[str]]:
    """A parse result onto the inquiry: (status, reason, fields set)."""
    inquiry.subject, inquiry.sender = result.subject, result.sender
    inquiry.text = result.text[:100_000]
    inquiry.problems = [*inquiry.problems, *result.problems]
    fields = ["subject", "sender", "text", "problems"]
    if result.inquiry is None:
        problems = inquiry.problems
        reason = "Nicht erkannt: kein bekanntes Anfrageformat." + (" " + problems[0] if problems else "")
        return Status.UNRECOGNIZED, reason[:500], fields
    return Status.NEW, "", [*fields, *parsed_store_on(result.inquiry, inquiry)]


def _taken_by_other_app(inquiry: Inquiry) -> str | None:
    """A mail that is no inquiry but something another app reads (a portal's import log): its
    German line, and the inquiry is set aside as "ignored" with it. The mail stays stored."""
    return other_app_read(inquiry.office_id, read_mail(bytes(inquiry.raw)))


def _received_text(inquiry: Inquiry, recognized: bool) -> str:
    name = inquiry.mailbox.name if inquiry.mailbox else "–"
    how = f" ({inquiry.get_source_display()})" if recognized else " – nicht erkannt"
    return f"Anfrage aus Postfach „{name}“ übernommen{how}"


def _received(mailbox: Mailbox, key: Key, raw: bytes) -> Inquiry:
    inquiry = Inquiry(
        office_id=mailbox.office_id,
        mailbox=mailbox,
        status=Status.RECEIVED,
        message_id=key[0],
        content_hash=key[1],
        raw=raw,
        assigned_to_id=mailbox.main_user_id,
    )
    if len(raw) > MAX_RAW_BYTES:  # not kept, so it cannot wait for its job: read it now
        inquiry.raw = b""
        inquiry.problems = [
            f"Originalnachricht ({len(raw) / 1024 / 1024:.1f} MB) ist zu groß zum Speichern; "
            "sie bleibt im Postfach."
        ]
        inquiry.status, inquiry.reason, _ = _result_apply(inquiry, parse_message(raw))
    return inquiry


def _claims(mailbox: Mailbox, keys: Collection[Key]) -> dict[Key, int | None]:
    """The claims of these keys in the mailbox: key → its inquiry's id (one query)."""
    rows = ProcessedMail.objects.filter(
        mailbox=mailbox, message_id__in={k[0] for k in keys}, content_hash__in={k[1] for k in keys}
    )
    return {(m, h): pk for m, h, pk in rows.values_list("message_id", "content_hash", "inquiry_id")}


def mails_intake(
    *, mailbox: Mailbox, folder: str, uid_validity: int, mails: Sequence[tuple[int, bytes]]
) -> BatchIntake:
    """Take a batch of raw mails in, unread, in one transaction (see the module doc)."""
    out = BatchIntake()
    keyed = [(uid, raw, claim_key(raw)) for uid, raw in mails]
    with transaction.atomic():
        known = _claims(mailbox, [key for *_, key in keyed])
        fresh: dict[Key, tuple[int, Inquiry]] = {}
        for uid, raw, key in keyed:
            if key in known or key in fresh:  # taken in before, or a twin in this batch
                out.known.append(uid)
            else:
                fresh[key] = (uid, _received(mailbox, key, raw))
        if not fresh:
            return out
        Inquiry.objects.bulk_create([inquiry for _, inquiry in fresh.values()])
        claims = [
            ProcessedMail(
                office_id=mailbox.office_id,
                mailbox=mailbox,
                folder=folder,
                uid=uid,
                uid_validity=uid_validity,
                message_id=key[0],
                content_hash=key[1],
                inquiry=inquiry,
                state=ProcessedMail.State.DONE,
            )
            for key, (uid, inquiry) in fresh.items()
        ]
        ProcessedMail.objects.bulk_create(claims, ignore_conflicts=True)
        owners = _claims(mailbox, fresh.keys())
        lost = {inquiry.pk for key, (_, inquiry) in fresh.items() if owners.get(key) != inquiry.pk}
        if lost:  # claimed by another worker at the same moment: its inquiry counts
            Inquiry.objects.filter(pk__in=lost).delete()
        for uid, inquiry in fresh.values():
            if inquiry.pk in lost:
                out.known.append(uid)
                continue
            out.taken.append((uid, inquiry.pk))
            if inquiry.status != Status.RECEIVED:  # read at once (too big to keep)
                step_record(inquiry, "received", _received_text(inquiry, inquiry.status == Status.NEW))
    return out


def mail_intake(
    *, mailbox: Mailbox, folder: str, uid: int, uid_validity: int, raw: bytes
) -> ProcessedMail | None:
    """Take one raw mail in (a batch of one). None if it was taken in before."""
    try:
        batch = mails_intake(mailbox=mailbox, folder=folder, uid_validity=uid_validity, mails=[(uid, raw)])
    except IntegrityError:  # claimed by another worker in between (the conflict was not ignored)
        return None
    if not batch.taken:
        return None
    return ProcessedMail.objects.get(mailbox=mailbox, inquiry_id=batch.taken[0][1])


def inquiry_read(inquiry: Inquiry) -> None:
    """Stage 2: read (parse) a received mail, once; afterwards the inquiry is "new" (the automation
    takes it on) or "unrecognized" with the reason. A mail that breaks the parser is kept too."""
    if inquiry.status != Status.RECEIVED:
        return
    try:
        status, reason, fields = _result_apply(inquiry, parse_message(bytes(inquiry.raw)))
        if status == Status.UNRECOGNIZED:
            taken = _taken_by_other_app(inquiry)
            if taken:
                status, reason = Status.IGNORED, taken[:500]
    except Exception as exc:  # parse_message does not raise; a bug must not lose the mail
        logger.exception("inquiry %s: reading the mail failed", inquiry.pk)
        status, fields = Status.UNRECOGNIZED, []
        reason = f"Nicht erkannt: die Nachricht ließ sich nicht lesen ({type(exc).__name__})."
    with transaction.atomic():
        if inquiry_status_set(inquiry, status, reason, also=fields, only_from=[Status.RECEIVED]):
            step_record(
                inquiry,
                "received",
                _received_text(inquiry, status == Status.NEW),
                ok=status == Status.NEW,
                at=inquiry.received_at,
            )
        else:
            inquiry.refresh_from_db()


__all__ = ["MAX_RAW_BYTES", "BatchIntake", "inquiry_read", "mail_intake", "mails_intake"]
