"""vCard import: every entry passes the duplicate check and is created in its own transaction.

Used by the UI (preview, then import), the API (`POST /contacts/import/vcard`) and the CLI
(`maklerwerk import_vcard FILE [--dry-run]`); all three report the same summary.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from maklerwerk.contacts import duplicates, services, vcard
from maklerwerk.core.exceptions import ApplicationError

if TYPE_CHECKING:
    from maklerwerk.accounts.models import Office, User
    from maklerwerk.core.models import Job


@dataclass
class ImportSummary:
    created: list[dict[str, Any]] = field(default_factory=list)  # position, id, name
    skipped: list[dict[str, Any]] = field(default_factory=list)  # position, name, duplicate_of, reasons
    failed: list[dict[str, Any]] = field(default_factory=list)  # position, name, reason
    dry_run: bool = False

    @property
    def total(self) -> int:
        return len(self.created) + len(self.skipped) + len(self.failed)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "counts": self.counts()}

    def counts(self) -> dict[str, int]:
        return {"created": len(self.created), "skipped": len(self.skipped), "failed": len(self.failed)}


@dataclass
class PreviewRow:
    entry: vcard.Entry
    status: str  # "new", "duplicate", "error"
    message: str = ""
    candidates: list[duplicates.Candidate] = field(default_factory=list)

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


def _validated(office: Office, entry: vcard.Entry) -> dict[str, Any]:
    data = dict(entry.data)
    data.setdefault("source", "import")
    return services.contact_validate(office=office, data=data)


def _error_text(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(m for msgs in exc.message_dict.values() for m in msgs)
    return "; ".join(exc.messages)


def preview(
    *, office: Office, entries: list[vcard.Entry], on_progress: Callable[[int, int], Any] | None = None
) -> list[PreviewRow]:
    """What importing would do with each entry, without writing anything."""
    rows: list[PreviewRow] = []
    for entry in entries:
        if on_progress:
            on_progress(len(rows), len(entries))
        if entry.error:
            rows.append(PreviewRow(entry, "error", entry.error))
            continue
        try:
            data = _validated(office, entry)
        except ValidationError as exc:
            rows.append(PreviewRow(entry, "error", _error_text(exc)))
            continue
        candidates = duplicates.check_duplicates(office=office, data=services.duplicate_check_data(data))
        certain = [c for c in candidates if c.level == "certain"]
        if certain:
            rows.append(PreviewRow(entry, "duplicate", "; ".join(certain[0].reasons), certain))
        else:
            rows.append(PreviewRow(entry, "new", "; ".join(entry.warnings), candidates))
    return rows


def vcard_import(
    *,
    office: Office,
    acting_user: User | None,
    entries: list[vcard.Entry],
    dry_run: bool = False,
    on_progress: Callable[[int, int], Any] | None = None,
) -> ImportSummary:
    """Create a contact per entry; probable duplicates ("certain" candidates) are skipped and
    reported, malformed entries are reported with position and reason. One transaction per entry."""
    summary = ImportSummary(dry_run=dry_run)
    total = len(entries)
    for i, entry in enumerate(entries, start=1):
        name = entry.display_name
        if entry.error:
            summary.failed.append({"position": entry.position, "name": "", "reason": entry.error})
        else:
            try:
                with transaction.atomic():
                    data = _validated(office, entry)
                    candidates = duplicates.check_duplicates(
                        office=office, data=services.duplicate_check_data(data)
                    )
                    certain = [c for c in candidates if c.level == "certain"]
                    if certain:
                        summary.skipped.append(
                            {
                                "position": entry.position,
                                "name": name,
                                "duplicate_of": certain[0].contact.pk,
                                "duplicate_name": certain[0].contact.display_name,
                                "reasons": certain[0].reasons,
                            }
                        )
                    elif dry_run:
                        summary.created.append({"position": entry.position, "id": None, "name": name})
                    else:
                        contact = services.contact_create(
                            office=office,
                            acting_user=acting_user,
                            data=data,
                            history_note=_("Imported from a vCard file"),
                        )
                        if entry.photo:
                            contact.photo.save(f"{contact.pk}.jpg", ContentFile(entry.photo), save=False)
                            contact.save(update_fields=["photo"])
                        summary.created.append({"position": entry.position, "id": contact.pk, "name": name})
            except ValidationError as exc:
                summary.failed.append({"position": entry.position, "name": name, "reason": _error_text(exc)})
            except ApplicationError as exc:
                summary.failed.append({"position": entry.position, "name": name, "reason": exc.message})
        if on_progress:
            on_progress(i, total)
    return summary


def vcard_preview_start(*, office: Office, acting_user: User, raw: bytes, filename: str) -> tuple[Job, str]:
    """Check and keep an uploaded file, and start the preview job. Returns the job and the file's token.

    Only the cheap checks run here (size, vCard at all); parsing and the duplicate check of every
    card run in the job, so a file of thousands of cards never holds a web worker."""
    import secrets

    from maklerwerk.core.jobs import job_start

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

    from maklerwerk.core.jobs import job_start

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
