"""Reading and writing import records (see models.py; callers decide what a record means), and
the CSV import runs: upload, mapping, dry run and commit as jobs, undo."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from maklerwerk.accounts.permissions import ensure_capability
from maklerwerk.accounts.roles import Capability
from maklerwerk.contacts import services as contact_services
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.core.jobs import job_start
from maklerwerk.imports import csvfile, mapping
from maklerwerk.imports.models import ImportMapping, ImportRecord, ImportRun, SourceSystem
from maklerwerk.integrations.openimmo import reader
from maklerwerk.properties import services as property_services

if TYPE_CHECKING:
    from django.db import models

    from maklerwerk.accounts.models import Office, User
    from maklerwerk.core.models import Job


def content_hash(data: Any) -> str:
    """A stable hash of normalised content (dicts in key order, dates as ISO text)."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def records_find(
    *, office: Office, source_system: str, kind: str, source_keys: Iterable[str]
) -> dict[str, ImportRecord]:
    """The office's records for these source keys (one query per 500 keys), by source key."""
    keys = list(dict.fromkeys(source_keys))
    out: dict[str, ImportRecord] = {}
    for i in range(0, len(keys), 500):
        qs = (
            ImportRecord.objects.filter(
                office=office, source_system=source_system, kind=kind, source_key__in=keys[i : i + 500]
            )
            .select_related("target_type")
            .prefetch_related("target")
        )  # the targets: one query per type
        out.update((r.source_key, r) for r in qs)
    return out


def record_save(
    *,
    office: Office,
    source_system: str,
    kind: str,
    source_key: str,
    target: models.Model,
    row_hash: str,
    status: str = ImportRecord.Status.CREATED,
    batch: str = "",
) -> ImportRecord:
    """Create or replace the record of `source_key`, pointing at `target` as it is now."""
    model = type(target)
    stamp = None
    if any(f.name == "updated_at" for f in model._meta.concrete_fields):
        stamp = model._default_manager.filter(pk=target.pk).values_list("updated_at", flat=True).first()
    record, _created = ImportRecord.objects.update_or_create(
        office=office,
        source_system=source_system,
        kind=kind,
        source_key=source_key,
        defaults={
            "target_type": ContentType.objects.get_for_model(target),
            "target_id": target.pk,
            "row_hash": row_hash,
            "target_updated_at": stamp,
            "status": status,
            "batch": batch[:100],
        },
    )
    return record


def records_save_many(
    *,
    office: Office,
    source_system: str,
    kind: str,
    items: Sequence[tuple[str, models.Model, str, str]],
    batch: str = "",
) -> dict[str, ImportRecord]:
    """`record_save` for many targets at once: (source key, saved target, row hash, status) each,
    `target_updated_at` as the targets have it in memory (just saved or just read). One insert."""
    if not items:
        return {}
    types = {type(t): ContentType.objects.get_for_model(t) for _k, t, _h, _s in items}
    rows = [
        ImportRecord(
            office=office,
            source_system=source_system,
            kind=kind,
            source_key=key,
            target_type=types[type(target)],
            target_id=target.pk,
            row_hash=digest,
            target_updated_at=getattr(target, "updated_at", None),
            status=status,
            batch=batch[:100],
        )
        for key, target, digest, status in items
    ]
    ImportRecord.objects.bulk_create(
        rows,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["office", "source_system", "kind", "source_key"],
        update_fields=[
            "target_type",
            "target_id",
            "row_hash",
            "target_updated_at",
            "status",
            "batch",
            "updated_at",
        ],
    )
    return {r.source_key: r for r in rows}


# --- CSV import runs (see csvimport.py for the walk over the rows) --------------------------------


def run_upload(
    *,
    office: Office,
    acting_user: User,
    raw: bytes,
    filename: str,
    source_system: str,
    kind: str = "contacts",
) -> ImportRun:
    """Keep an uploaded file as a new run: a CSV of contacts, or an OpenImmo XML/ZIP of properties
    (`kind="properties"`). A file that cannot be read is refused with a German reason."""
    ensure_capability(acting_user, Capability.EDIT)
    if len(raw) > settings.MAX_UPLOAD_BYTES:
        raise ApplicationError(
            _("The file is too large; it may be at most %s MB.") % (settings.MAX_UPLOAD_BYTES // 2**20)
        )
    if source_system not in SourceSystem.values:
        source_system = SourceSystem.OTHER
    run = ImportRun(
        office=office, created_by=acting_user, source_system=source_system, filename=filename[:255]
    )
    if kind == "properties":
        _check_openimmo(raw, filename)
        run.kind, suffix = "properties", ".zip" if raw[:2] == b"PK" else ".xml"
    else:
        try:
            table = csvfile.read_table(raw, max_rows=1)
        except csvfile.CsvError as exc:
            raise ApplicationError(str(exc)) from exc
        run.encoding, run.delimiter, suffix = table.encoding, table.delimiter, ".csv"
    run.file.save(secrets.token_hex(8) + suffix, ContentFile(raw), save=False)
    run.save()
    return run


def _check_openimmo(raw: bytes, filename: str) -> None:
    try:
        package = reader.read_package(raw, filename)
    except reader.OpenImmoError as exc:
        raise ApplicationError(str(exc)) from exc
    if package.kind == "feedback":
        raise ApplicationError(package.warnings[0])
    if not package.listings:
        raise ApplicationError(_("The file contains no property."))


def run_columns_set(
    *, run: ImportRun, acting_user: User, columns: dict[str, str], save_as: str = ""
) -> ImportRun:
    """Set the run's mapping (header → target; unknown targets dropped) and, with `save_as`, keep it
    as the office's named mapping for the next export of the same system."""
    ensure_capability(acting_user, Capability.EDIT)
    _ensure_open(run)
    clean = {h: t for h, t in columns.items() if t in mapping.TARGETS}
    problems = mapping.check_mapping(clean)
    if problems:
        raise ApplicationError(" ".join(problems))
    run.columns = clean
    if save_as.strip():
        saved, _created = ImportMapping.objects.update_or_create(
            office=run.office,
            kind=run.kind,
            name=save_as.strip()[:100],
            defaults={"columns": clean, "source_system": run.source_system},
        )
        run.mapping_name = saved.name
    run.save(update_fields=["columns", "mapping_name"])
    return run


def _ensure_open(run: ImportRun) -> None:
    if run.state in (ImportRun.State.COMMITTED, ImportRun.State.UNDONE):
        raise ApplicationError(_("This file has been imported already; upload it again for a new run."))


def run_start(*, run: ImportRun, acting_user: User, dry_run: bool) -> Job:
    """Start the dry run or the commit of `run` as a job (progress on the run's page)."""
    ensure_capability(acting_user, Capability.EDIT)
    _ensure_open(run)
    if run.kind == "contacts" and not run.columns:
        raise ApplicationError(_("Choose which column is which field first."))
    if not dry_run and run.state != ImportRun.State.CHECKED:
        raise ApplicationError(_("Check the file with a dry run first."))
    title = _("Dry run: %s") if dry_run else _("Import: %s")
    return job_start(
        kind="imports.csv_dry_run" if dry_run else "imports.csv_commit",
        title=title % run.filename,
        office=run.office,
        created_by=acting_user,
        run_id=run.pk,
        user_id=acting_user.pk,
    )


def run_report_save(*, run: ImportRun, report: dict[str, Any]) -> None:
    """Keep the result of a dry run (the run is then checked) or of the commit (imported)."""
    run.report = report
    if report["dry_run"]:
        run.state = ImportRun.State.CHECKED
    else:
        run.state, run.committed_at = ImportRun.State.COMMITTED, timezone.now()
    run.save(update_fields=["report", "state", "committed_at"])


UNDO: dict[str, Callable[[Any, User], None]] = {
    "contacts.Contact": lambda c, user: contact_services.contact_delete(contact=c, acting_user=user),
    "properties.Property": lambda p, user: property_services.property_delete(prop=p, acting_user=user),
}


def run_undo(*, run: ImportRun, acting_user: User) -> dict[str, int]:
    """Delete the contacts or properties this run created and nobody changed since; forget its import
    records. Records edited since (in Maklerwerk or by a later import) stay and are counted as kept."""
    ensure_capability(acting_user, Capability.DELETE)
    if run.state != ImportRun.State.COMMITTED:
        raise ApplicationError(_("Only an imported file can be undone."))
    removed = kept = 0
    records = ImportRecord.objects.filter(office=run.office, batch=run.batch)
    for record in records:
        with transaction.atomic():
            target = record.target
            created = record.status in (ImportRecord.Status.CREATED, ImportRecord.Status.REVIEW)
            if target is not None and created:
                if getattr(target, "updated_at", None) != record.target_updated_at:
                    kept += 1
                    continue
                UNDO[type(target)._meta.label](target, acting_user)
                removed += 1
            record.delete()
    run.state, run.undone_at = ImportRun.State.UNDONE, timezone.now()
    run.report = {**run.report, "undo": {"removed": removed, "kept": kept}}
    run.save(update_fields=["state", "undone_at", "report"])
    return {"removed": removed, "kept": kept}
