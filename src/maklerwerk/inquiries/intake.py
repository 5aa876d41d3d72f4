"""Stage 1 and 2 of an inquiry: take mails in (per batch, unread), then read each one in its job.

    fetch → `mails_intake` (one transaction per batch) → Inquiry "received" → job: `inquiry_read`
    → "new" (automation follows) or "unrecognized" (kept for manual handling, with the reason)

Intake does no parsing: per mail it only reads the claim key (Message-ID from the header block and
the SHA-256 of the body), so a pass costs little more than the IMAP fetch itself. A batch is taken
in with one read of the keys already known (a twin in the same batch counts as known), one INSERT
of the inquiries and one INSERT of the claims (`ProcessedMail`, unique per mailbox, Message-ID and
content hash) that skips a claim another worker holds and returns the claims it wrote: an inquiry
whose claim was not written is deleted before the commit. A crash anywhere in between rolls the
whole batch back, and the next pass takes the same mails in, once. The mails are flagged on the
server after the commit (inquiries.handler), possibly much later: a mail taken in but not flagged is
found known by the next pass, never taken in twice. Reading (parsing) is claimed by the status
change "received" → "new"/"unrecognized", so a resumed job never reads a mail twice.

The two INSERTs are written here rather than with `bulk_create`: building a model instance and
compiling some forty columns per row cost more than the rest of the intake together.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections, models, transaction

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


def _received(mailbox: Mailbox, key: Key, raw: bytes) -> tuple[dict[str, Any], Inquiry | None]:
    """A mail's "received" inquiry row: the column values (by field) that are its own, the rest are
    the batch's (`_batch_values`) and the defaults. With it the inquiry itself if the mail is too
    big to keep and so was read at once."""
    if len(raw) <= MAX_RAW_BYTES:
        return {"message_id": key[0], "content_hash": key[1], "raw": raw}, None
    # Not kept, so it cannot wait for its job: read it now.
    inquiry = Inquiry(
        mailbox=mailbox, message_id=key[0], content_hash=key[1], raw=b"", **_batch_values(mailbox)
    )
    inquiry.problems = [
        f"Originalnachricht ({len(raw) / 1024 / 1024:.1f} MB) ist zu groß zum Speichern; "
        "sie bleibt im Postfach."
    ]
    inquiry.status, inquiry.reason, _ = _result_apply(inquiry, parse_message(raw))
    return {f.attname: getattr(inquiry, f.attname) for f in _columns(Inquiry) if not _stamped(f)}, inquiry


def _batch_values(mailbox: Mailbox) -> dict[str, Any]:
    """The column values every inquiry of a batch shares (received_at: the default, now)."""
    return {
        "office_id": mailbox.office_id,
        "mailbox_id": mailbox.pk,
        "status": Status.RECEIVED,
        "assigned_to_id": mailbox.main_user_id,
    }


def _columns(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def _column(model: type[models.Model], name: str) -> str:
    """The quoted column of a field (by name or attname)."""
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field) and field.column  # a concrete field
    return connections[DEFAULT_DB_ALIAS].ops.quote_name(field.column)


def _stamped(field: models.Field[Any, Any]) -> bool:
    return bool(getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))


def _insert(
    model: type[models.Model],
    rows: Sequence[Mapping[str, Any]],
    *,
    same: Mapping[str, Any],
    returning: str,
    skip_conflicts: bool = False,
) -> list[Any]:
    """INSERT `rows` in one statement and return the column `returning` of each row written, in
    order. A row gives its own values (field attname → value); the other columns get `same`, else
    the field's default, prepared once for all rows. `skip_conflicts`: a row that breaks a unique
    constraint is not written and not returned (ON CONFLICT DO NOTHING; SQLite ≥ 3.35 and
    PostgreSQL both return only the rows written)."""
    db = connections[DEFAULT_DB_ALIAS]  # once: each use of the `connection` proxy costs a lookup
    fields = _columns(model)
    prototype = model(**same)
    shared = [f.get_db_prep_save(f.pre_save(prototype, True), db) for f in fields]
    position = {f.attname: i for i, f in enumerate(fields)}
    params: list[Any] = []
    for row in rows:
        values = list(shared)
        for name, value in row.items():
            i = position[name]
            values[i] = fields[i].get_db_prep_save(value, db)
        params += values
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    # Identifiers come from the model's meta (quoted); values are parameters.
    sql = (
        f"INSERT INTO {db.ops.quote_name(model._meta.db_table)} "  # noqa: S608
        f"({', '.join(_column(model, f.name) for f in fields)}) VALUES {', '.join([one] * len(rows))}"
        f"{' ON CONFLICT DO NOTHING' if skip_conflicts else ''} RETURNING {_column(model, returning)}"
    )
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        return [r[0] for r in cursor.fetchall()]


def _known(mailbox: Mailbox, keys: Collection[Key]) -> set[Key]:
    """Those of these keys the mailbox holds a claim of (one query, by the claims' unique index)."""
    db = connections[DEFAULT_DB_ALIAS]
    ids = list({k[0] for k in keys})
    message_id = _column(ProcessedMail, "message_id")
    # Identifiers come from the model's meta (quoted); values are parameters.
    sql = (
        f"SELECT {message_id}, {_column(ProcessedMail, 'content_hash')} "  # noqa: S608
        f"FROM {db.ops.quote_name(ProcessedMail._meta.db_table)} "
        f"WHERE {_column(ProcessedMail, 'mailbox')} = %s AND {message_id} IN ({', '.join(['%s'] * len(ids))})"
    )
    with db.cursor() as cursor:
        cursor.execute(sql, [mailbox.pk, *ids])
        return {key for key in cursor.fetchall() if key in keys}


def _claims_insert(
    mailbox: Mailbox, folder: str, uid_validity: int, claims: Sequence[Mapping[str, Any]]
) -> set[int]:
    """Write the claims (uid, Message-ID, content hash, inquiry) that no one holds yet; the inquiry
    ids of those written (one query)."""
    same = {
        "office_id": mailbox.office_id,
        "mailbox_id": mailbox.pk,
        "folder": folder,
        "uid_validity": uid_validity,
        "state": ProcessedMail.State.DONE,
    }
    return set(_insert(ProcessedMail, claims, same=same, returning="inquiry", skip_conflicts=True))


@dataclass
class _Fresh:
    """A mail of the batch that is not known: its uid and inquiry row (and the inquiry, if read)."""

    uid: int
    row: dict[str, Any]
    read: Inquiry | None


def mails_intake(
    *, mailbox: Mailbox, folder: str, uid_validity: int, mails: Sequence[tuple[int, bytes]]
) -> BatchIntake:
    """Take a batch of raw mails in, unread, in one transaction (see the module doc)."""
    out = BatchIntake()
    keyed = [(uid, raw, claim_key(raw)) for uid, raw in mails]
    with transaction.atomic():
        known = _known(mailbox, {key for *_, key in keyed})
        fresh: dict[Key, _Fresh] = {}
        for uid, raw, key in keyed:
            if key in known or key in fresh:  # taken in before, or a twin in this batch
                out.known.append(uid)
            else:
                fresh[key] = _Fresh(uid, *_received(mailbox, key, raw))
        if not fresh:
            return out
        rows = [f.row for f in fresh.values()]
        ids = _insert(Inquiry, rows, same=_batch_values(mailbox), returning="id")
        claims = [
            {"uid": f.uid, "message_id": key[0], "content_hash": key[1], "inquiry_id": pk}
            for (key, f), pk in zip(fresh.items(), ids, strict=True)
        ]
        won = _claims_insert(mailbox, folder, uid_validity, claims)
        lost = [pk for pk in ids if pk not in won]
        if lost:  # claimed by another worker at the same moment: its inquiry counts
            Inquiry.objects.filter(pk__in=lost).delete()
        for f, pk in zip(fresh.values(), ids, strict=True):
            if pk not in won:
                out.known.append(f.uid)
                continue
            out.taken.append((f.uid, pk))
            if f.read is not None:  # read at once (too big to keep)
                f.read.pk, f.read._state.adding = pk, False
                step_record(f.read, "received", _received_text(f.read, f.read.status == Status.NEW))
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
