"""vCard import: every new entry goes through `contacts.intake` (the office's import policy, by
default review-possible) in its own transaction.

Used by the UI (preview, then import), the API (`POST /contacts/import/vcard`) and the CLI
(`maklerwerk import_vcard FILE [--dry-run]`); all three report the same summary.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from maklerwerk.contacts import intake, services, vcard
from maklerwerk.contacts.models import Contact
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.core.jobs import job_start
from maklerwerk.imports import services as imports
from maklerwerk.imports.models import ImportRecord
from maklerwerk.imports.services import content_hash

if TYPE_CHECKING:
    from maklerwerk.accounts.models import Office, User
    from maklerwerk.contacts.models import Contact
    from maklerwerk.core.models import Job
    from maklerwerk.imports.models import ImportRecord, ImportRun


@dataclass
class ImportSummary:
    created: list[dict[str, Any]] = field(default_factory=list)  # position, id, name
    skipped: list[dict[str, Any]] = field(default_factory=list)  # position, name, duplicate_of, reasons
    failed: list[dict[str, Any]] = field(default_factory=list)  # position, name, reason
    # created, but only a "possible" duplicate of duplicate_of: listed on the Dubletten page
    review: list[dict[str, Any]] = field(default_factory=list)  # position, id, name, duplicate_of, reasons
    unchanged: list[dict[str, Any]] = field(default_factory=list)  # imported before: position, id, name
    updated: list[dict[str, Any]] = field(default_factory=list)  # imported before, changed in the file
    conflicts: list[dict[str, Any]] = field(default_factory=list)  # changed on both sides: not overwritten
    dry_run: bool = False

    @property
    def total(self) -> int:
        return sum(self.counts().values())

    def count(self, key: str) -> int:
        return self.counts().get(key, 0)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "counts": self.counts()}

    def counts(self) -> dict[str, int]:
        """created, skipped and failed always; review, unchanged, updated and conflicts when any."""
        more = {"review": self.review, "unchanged": self.unchanged, "updated": self.updated,
                "conflicts": self.conflicts}  # fmt: skip
        return {
            "created": len(self.created),
            "skipped": len(self.skipped),
            "failed": len(self.failed),
            **{key: len(rows) for key, rows in more.items() if rows},
        }


@dataclass
class PreviewRow:
    entry: vcard.Entry
    status: str  # "new", "review", "duplicate", "unchanged", "updated", "conflict", "error"
    message: str = ""

    @property
    def messages(self) -> list[str]:
        return [m for m in self.message.split("; ") if m]


def upload_path(token: str) -> Path:
    """Where an uploaded file waits between preview and import (the token is ours: hex only)."""
    if not token or not all(c in "0123456789abcdef" for c in token):
        raise ApplicationError(_("This import has expired; please upload the file again."))
    path = settings.DATA_DIR / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path / f"{token}.vcf"


def check_size(size: int) -> None:
    limit = settings.MAX_UPLOAD_BYTES
    if size > limit:
        raise ApplicationError(
            _("The file is too large; vCard files may be at most %s MB.") % (limit // (1024 * 1024))
        )


def read_upload(raw: bytes) -> list[vcard.Entry]:
    """Entries of an uploaded file, or ApplicationError for files that are too big or not vCards."""
    check_size(len(raw))
    try:
        return vcard.parse(raw)
    except vcard.NotAVCardError as exc:
        raise ApplicationError(str(exc)) from exc


def _validated(office: Office, entry: vcard.Entry) -> dict[str, Any]:
    data = dict(entry.data)
    data.setdefault("source", "import")
    return services.contact_validate(office=office, data=data)


def _error_text(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(m for msgs in exc.message_dict.values() for m in msgs)
    return "; ".join(exc.messages)


def read_cards(raw: bytes) -> list[list[bytes]]:
    """The cards of an uploaded file, checked and split but not parsed (fast enough for a request)."""
    check_size(len(raw))
    try:
        return vcard.split(raw)
    except vcard.NotAVCardError as exc:
        raise ApplicationError(str(exc)) from exc


def parse_cards(
    cards: list[list[bytes]], on_progress: Callable[[int, int], Any] | None = None
) -> list[vcard.Entry]:
    entries = []
    for i, lines in enumerate(cards, start=1):
        entries.append(vcard.parse_card(i, lines))
        if on_progress:
            on_progress(i, len(cards))
    return entries


def preview_as_dicts(rows: list[PreviewRow]) -> list[dict[str, Any]]:
    """Preview rows as plain values, to keep them in a job's result."""
    return [
        {
            "position": r.entry.position,
            "name": r.entry.display_name,
            "photo": bool(r.entry.photo),
            "company": r.entry.data.get("company_name") or "",
            "emails": [e["value"] for e in r.entry.data.get("emails") or []],
            "phones": [p["value"] for p in r.entry.data.get("phones") or []],
            "place": f"{r.entry.data.get('postal_code') or ''} {r.entry.data.get('city') or ''}".strip(),
            "status": r.status,
            "messages": r.messages,
        }
        for r in rows
    ]


def preview(
    *, office: Office, entries: list[vcard.Entry], on_progress: Callable[[int, int], Any] | None = None
) -> list[PreviewRow]:
    """What importing would do with each entry (a dry run of `vcard_import`), without writing."""
    summary = vcard_import(
        office=office, acting_user=None, entries=entries, dry_run=True, on_progress=on_progress
    )
    found: dict[int, tuple[str, dict[str, Any]]] = {}
    for status, rows in (
        ("new", summary.created),
        ("review", summary.review),
        ("duplicate", summary.skipped),
        ("unchanged", summary.unchanged),
        ("updated", summary.updated),
        ("conflict", summary.conflicts),
        ("error", summary.failed),
    ):
        for row in rows:
            found[row["position"]] = (status, row)
    out = []
    for entry in entries:
        status, row = found[entry.position]
        if status in ("error", "conflict"):
            message = row["reason"]
        elif status in ("duplicate", "review"):
            message = "; ".join(row["reasons"])
        else:
            message = "; ".join(entry.warnings)
        out.append(PreviewRow(entry, status, message))
    return out


SOURCE_SYSTEM = "vcard"
KIND = "contact"


def entry_key(entry: vcard.Entry) -> tuple[str, str]:
    """(source key, content hash) of a card: its UID where it has one, else the hash of its
    normalised content (the same card from the same source gives the same key, whatever the file's
    encoding, line ends or folding)."""

    photo = hashlib.sha256(entry.photo).hexdigest() if entry.photo else ""
    digest = content_hash({"data": entry.data, "photo": photo})
    return (f"uid:{entry.uid}" if entry.uid else f"hash:{digest}"), digest


def vcard_import(
    *,
    office: Office,
    acting_user: User | None,
    entries: list[vcard.Entry],
    dry_run: bool = False,
    on_progress: Callable[[int, int], Any] | None = None,
    batch: str = "",
    run: ImportRun | None = None,
) -> ImportSummary:
    """Import the cards; one transaction per entry.

    A card imported before (same UID, or the same content without UID; see `imports`) creates
    nothing: unchanged → "unchanged"; changed in the file only → the contact is updated; changed in
    the file and edited in Maklerwerk since → not overwritten, reported as a conflict. A new card
    goes through `contact_intake` with the office's import policy: by default "certain" duplicates
    are skipped, "possible" ones are created and listed on the Dubletten page for review (with
    "ask", every card with a candidate is skipped). Malformed entries are reported with position
    and reason.
    """

    summary = ImportSummary(dry_run=dry_run)
    total = len(entries)
    keys = {e.position: entry_key(e) for e in entries if not e.error}
    records = imports.records_find(
        office=office, source_system=SOURCE_SYSTEM, kind=KIND, source_keys=[k for k, _h in keys.values()]
    )
    targets = Contact.objects.filter(office=office, pk__in=[r.target_id for r in records.values()]).in_bulk()
    batch = batch or timezone.now().strftime("%Y-%m-%d %H:%M:%S")

    def remember(
        key: str, digest: str, contact: Contact, status: str, keep_batch: str | None = None
    ) -> ImportRecord:
        # known from here on: the same card again further down the file is "unchanged"; an update
        # keeps the batch of the import that created the contact (its undo still finds it)
        records[key] = imports.record_save(
            office=office,
            source_system=SOURCE_SYSTEM,
            kind=KIND,
            source_key=key,
            target=contact,
            row_hash=digest,
            status=status,
            batch=batch if keep_batch is None else keep_batch,
        )
        targets[contact.pk] = contact
        return records[key]

    for i, entry in enumerate(entries, start=1):
        name = entry.display_name
        if entry.error:
            summary.failed.append({"position": entry.position, "name": "", "reason": entry.error})
            if on_progress:
                on_progress(i, total)
            continue
        key, digest = keys[entry.position]
        record = records.get(key)
        target = targets.get(record.target_id) if record else None
        try:
            with transaction.atomic():
                if target is not None and record is not None and record.row_hash == digest:
                    summary.unchanged.append({"position": entry.position, "id": target.pk, "name": name})
                elif (
                    target is not None
                    and record is not None
                    and record.status != ImportRecord.Status.DUPLICATE
                ):
                    _reimport_changed(summary, entry, target, record, acting_user, dry_run, remember, run)
                else:
                    _import_new(summary, office, entry, acting_user, dry_run, key, digest, remember)
        except ValidationError as exc:
            summary.failed.append({"position": entry.position, "name": name, "reason": _error_text(exc)})
        except ApplicationError as exc:
            summary.failed.append({"position": entry.position, "name": name, "reason": exc.message})
        if on_progress:
            on_progress(i, total)
    return summary


def _import_new(
    summary: ImportSummary,
    office: Office,
    entry: vcard.Entry,
    acting_user: User | None,
    dry_run: bool,
    key: str,
    digest: str,
    remember: Callable[[str, str, Any, str], Any],
) -> None:

    name = entry.display_name
    result = intake.contact_intake(
        intake.NewContact.from_data({"source": "import", **entry.data}),
        office=office,
        acting_user=acting_user,
        source=intake.IntakeSource.IMPORT,
        history_note=_("Imported from a vCard file"),
        dry_run=dry_run,
    )
    if not isinstance(result, intake.Created):  # refused, attached or to be decided: not created
        best = result.candidates[0]
        summary.skipped.append(
            {
                "position": entry.position,
                "name": name,
                "duplicate_of": best.contact.pk,
                "duplicate_name": best.contact.display_name,
                "reasons": best.reasons,
            }
        )
        if not dry_run and isinstance(result, intake.Refused | intake.Attached):
            # a certain duplicate: the card is known as that contact (a re-import skips it quietly)
            remember(key, digest, best.contact, ImportRecord.Status.DUPLICATE)
        return
    row: dict[str, Any] = {"position": entry.position, "id": None, "name": name}
    likely = result.best
    if result.review and likely is not None:
        row.update(
            duplicate_of=likely.contact.pk, duplicate_name=likely.contact.display_name, reasons=likely.reasons
        )
    (summary.review if result.review else summary.created).append(row)
    contact = result.contact
    if contact is None:  # dry run
        return
    if entry.photo:
        contact.photo.save(f"{contact.pk}.jpg", ContentFile(entry.photo), save=False)
        contact.save(update_fields=["photo", "updated_at"])
    row["id"] = contact.pk
    remember(
        key, digest, contact, ImportRecord.Status.REVIEW if result.review else ImportRecord.Status.CREATED
    )


def _reimport_changed(
    summary: ImportSummary,
    entry: vcard.Entry,
    contact: Contact,
    record: ImportRecord,
    acting_user: User | None,
    dry_run: bool,
    remember: Callable[..., ImportRecord],
    run: ImportRun | None = None,
) -> None:
    """The card changed since its last import: update the contact unless a user edited it since.
    With a wizard `run`, the replaced values are kept for its undo (`imports.change_remember`)."""
    row = {"position": entry.position, "id": contact.pk, "name": entry.display_name}
    if record.target_updated_at is not None and contact.updated_at != record.target_updated_at:
        row["reason"] = _(
            "Changed in the file and edited in Maklerwerk since the last import; not overwritten."
        )
        summary.conflicts.append(row)
        return
    data = _validated(contact.office, entry)
    data.pop("source", None)
    summary.updated.append(row)
    if dry_run:
        return
    last, previous = imports.history_last(contact), record.row_hash
    lists = {  # as the update takes them: what the undo puts back
        "emails": [{"value": e.value, "kind": e.kind} for e in contact.emails.all()],
        "phones": [{"value": p.value, "kind": p.kind} for p in contact.phones.all()],
    }
    services.contact_update(
        contact=contact, acting_user=acting_user, data=data, history_note=_("Updated from a vCard file")
    )
    if entry.photo:
        contact.photo.save(f"{contact.pk}.jpg", ContentFile(entry.photo), save=False)
        contact.save(update_fields=["photo", "updated_at"])
    saved = remember(record.source_key, entry_key(entry)[1], contact, record.status, record.batch)
    if run is not None:
        imports.change_remember(
            run=run,
            record=saved,
            target=contact,
            last=last,
            previous_hash=previous,
            lists={k: v for k, v in lists.items() if k in data},
        )


def vcard_preview_start(*, office: Office, acting_user: User, raw: bytes, filename: str) -> tuple[Job, str]:
    """Check and keep an uploaded file, and start the preview job. Returns the job and the file's token.

    Only the cheap checks run here (size, vCard at all); parsing and the duplicate check of every
    card run in the job, so a file of thousands of cards never holds a web worker."""
    import secrets

    read_cards(raw)
    token = secrets.token_hex(16)
    upload_path(token).write_bytes(raw)
    job = job_start(
        kind="contacts.vcard_preview",
        title=_("vCard preview: %s") % filename,
        office=office,
        created_by=acting_user,
        office_id=office.pk,
        token=token,
        filename=filename,
    )
    return job, token


def vcard_import_start(
    *,
    office: Office,
    acting_user: User,
    filename: str,
    token: str = "",
    raw: bytes | None = None,
    dry_run: bool = False,
) -> Job:
    """Start the import job of a previewed file (`token`) or of a new upload (`raw`, checked here)."""
    import secrets

    if raw is not None:
        read_cards(raw)
        token = secrets.token_hex(16)
        upload_path(token).write_bytes(raw)
    elif not upload_path(token).exists():
        raise ApplicationError(_("This import has expired; please upload the file again."))
    return job_start(
        kind="contacts.vcard_import",
        title=_("vCard import: %s") % filename,
        office=office,
        created_by=acting_user,
        office_id=office.pk,
        user_id=acting_user.pk,
        token=token,
        filename=filename,
        dry_run=dry_run,
    )
