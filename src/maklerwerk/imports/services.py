"""Reading and writing import records (see models.py; callers decide what a record means), and
the CSV import runs: upload, mapping, dry run and commit as jobs, undo."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from maklerwerk.accounts.permissions import ensure_capability
from maklerwerk.accounts.roles import Capability
from maklerwerk.contacts import services as contact_services
from maklerwerk.contacts import vcard
from maklerwerk.core import services as core_services
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.core.history import history_for
from maklerwerk.core.jobs import job_start
from maklerwerk.imports import csvfile, mapping
from maklerwerk.imports.models import ImportChange, ImportMapping, ImportRecord, ImportRun, SourceSystem
from maklerwerk.integrations.openimmo import reader
from maklerwerk.matching import services as matching_services
from maklerwerk.properties import services as property_services

if TYPE_CHECKING:
    from maklerwerk.accounts.models import Office, User
    from maklerwerk.contacts.models import Contact
    from maklerwerk.core.models import Activity, Job
    from maklerwerk.matching.models import SearchProfile
    from maklerwerk.properties.models import Property


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
    source_format: str = "",
) -> ImportRun:
    """Keep an uploaded file as a new run: a CSV of contacts, properties, search profiles or
    activities (`kind`), or an OpenImmo XML/ZIP of properties (`source_format="openimmo"`).
    A file that cannot be read is refused with a German reason."""
    ensure_capability(acting_user, Capability.EDIT)
    if len(raw) > settings.MAX_UPLOAD_BYTES:
        raise ApplicationError(
            _("The file is too large; it may be at most %s MB.") % (settings.MAX_UPLOAD_BYTES // 2**20)
        )
    if source_system not in SourceSystem.values:
        source_system = SourceSystem.OTHER
    if kind not in mapping.KINDS:
        raise ApplicationError(_("Unknown kind of records."))
    if kind == "properties" and not source_format and not filename.lower().endswith(".csv"):
        source_format = ImportRun.Format.OPENIMMO  # an OpenImmo upload, as before CSV properties
    run = ImportRun(
        office=office,
        created_by=acting_user,
        source_system=source_system,
        filename=filename[:255],
        kind=kind,
        source_format=source_format or ImportRun.Format.CSV,
    )
    if run.source_format == ImportRun.Format.OPENIMMO:
        _check_openimmo(raw, filename)
        run.kind, suffix = "properties", ".zip" if raw[:2] == b"PK" else ".xml"
    elif run.source_format == ImportRun.Format.VCARD:
        try:
            cards = vcard.split(raw)
        except vcard.NotAVCardError as exc:
            raise ApplicationError(str(exc)) from exc
        if not cards:
            raise ApplicationError(_("The file contains no contact."))
        run.kind, suffix = "contacts", ".vcf"
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
    *,
    run: ImportRun,
    acting_user: User,
    columns: dict[str, str],
    save_as: str = "",
    values: dict[str, dict[str, str]] | None = None,
) -> ImportRun:
    """Set the run's mapping (header → target; unknown targets dropped), optionally its value maps
    (target → {old value → ours}; values we do not know dropped) and, with `save_as`, keep both as
    the office's named mapping for the next export of the same system."""
    ensure_capability(acting_user, Capability.EDIT)
    _ensure_open(run)
    targets = mapping.targets_for(run.kind)
    clean = {h: t for h, t in columns.items() if t in targets}
    problems = mapping.check_mapping(clean, run.kind)
    if problems:
        raise ApplicationError(" ".join(problems))
    run.columns = clean
    if values is not None:
        run.values = _clean_values(run.kind, values)
    if save_as.strip():
        saved, _created = ImportMapping.objects.update_or_create(
            office=run.office,
            kind=run.kind,
            name=save_as.strip()[:100],
            defaults={"columns": clean, "source_system": run.source_system, "values": run.values},
        )
        run.mapping_name = saved.name
    run.save(update_fields=["columns", "values", "mapping_name"])
    return run


def _clean_values(kind: str, values: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    targets = mapping.targets_for(kind)
    out: dict[str, dict[str, str]] = {}
    for key, pairs in values.items():
        target = targets.get(key)
        if target is None:
            continue
        codes = {code for code, _label in mapping.value_options(target)}
        chosen = {str(old)[:200]: new for old, new in pairs.items() if new in codes}
        if chosen:
            out[key] = chosen
    return out


def run_values_set(
    *, run: ImportRun, acting_user: User, values: dict[str, dict[str, str]], save: bool = True
) -> ImportRun:
    """Set the run's value maps ("ETW" → Wohnung (Etage)); with `save`, also in its saved mapping."""
    ensure_capability(acting_user, Capability.EDIT)
    _ensure_open(run)
    run.values = _clean_values(run.kind, values)
    run.save(update_fields=["values"])
    if save and run.mapping_name:
        ImportMapping.objects.filter(office=run.office, kind=run.kind, name=run.mapping_name).update(
            values=run.values
        )
    return run


def _ensure_open(run: ImportRun) -> None:
    if run.state in (ImportRun.State.COMMITTED, ImportRun.State.UNDONE):
        raise ApplicationError(_("This file has been imported already; upload it again for a new run."))


def run_start(*, run: ImportRun, acting_user: User, dry_run: bool) -> Job:
    """Start the dry run or the commit of `run` as a job (progress on the run's page)."""
    ensure_capability(acting_user, Capability.EDIT)
    _ensure_open(run)
    if run.source_format == ImportRun.Format.CSV and not run.columns:
        raise ApplicationError(_("Choose which column is which field first."))
    if not dry_run and run.state != ImportRun.State.CHECKED:
        raise ApplicationError(_("Check the file with a dry run first."))
    title = _("Dry run: %s") if dry_run else _("Import: %s")
    job = job_start(
        kind="imports.csv_dry_run" if dry_run else "imports.csv_commit",
        title=title % run.filename,
        office=run.office,
        created_by=acting_user,
        run_id=run.pk,
        user_id=acting_user.pk,
    )
    run.job_id = str(job.pk)
    run.save(update_fields=["job_id"])
    return job


def run_report_save(*, run: ImportRun, report: dict[str, Any]) -> None:
    """Keep the result of a dry run (the run is then checked) or of the commit (imported)."""
    run.report = report
    if report["dry_run"]:
        run.state = ImportRun.State.CHECKED
    else:
        run.state, run.committed_at = ImportRun.State.COMMITTED, timezone.now()
    run.save(update_fields=["report", "state", "committed_at"])


def _changes_since(target: models.Model, last: int) -> list[dict[str, Any]]:
    """The history's field changes of `target` written after the change-log row `last`."""
    out: list[dict[str, Any]] = []
    for entry in history_for(target).filter(pk__gt=last).order_by("pk"):
        out.extend(entry.changes)
    return out


def history_last(target: models.Model) -> int:
    """The newest change-log row of `target` (0: none): what an update writes comes after it."""
    return history_for(target).order_by("-pk").values_list("pk", flat=True).first() or 0


def change_remember(
    *,
    run: ImportRun,
    record: ImportRecord,
    target: models.Model,
    last: int,
    previous_hash: str,
    lists: dict[str, Any] | None = None,
) -> None:
    """Keep what an update of `target` by `run` changed (its history since `last`), for the undo."""
    fields = _changes_since(target, last)
    if not fields and not lists:
        return
    stamp = getattr(type(target)._default_manager.filter(pk=target.pk).first(), "updated_at", None)
    ImportChange.objects.create(
        office=run.office,
        run=run,
        record=record,
        target_type_id=record.target_type_id,
        target_id=target.pk,
        changes={"fields": fields, "lists": lists or {}},
        previous_hash=previous_hash,
        target_updated_at=stamp,
    )


UNDO: dict[str, Callable[[Any, User], None]] = {
    "contacts.Contact": lambda c, user: contact_services.contact_delete(contact=c, acting_user=user),
    "properties.Property": lambda p, user: property_services.property_delete(prop=p, acting_user=user),
    "matching.SearchProfile": lambda p, user: matching_services.search_profile_delete(
        profile=p, acting_user=user
    ),
    "core.Activity": lambda a, user: core_services.activity_delete(activity=a, acting_user=user),
}


def _old_values(target: models.Model, change: ImportChange) -> dict[str, Any]:
    """The values the run's update replaced, as the history recorded them: the record's own fields
    (not links, not shortened list deltas) plus the related lists kept with the change."""
    own = {f.name for f in target._meta.concrete_fields if not f.is_relation}
    fields = change.changes.get("fields", [])
    data = {c["field"]: c["old"] for c in fields if c["field"] in own and not c.get("delta")}
    data |= change.changes.get("lists", {})
    return data


def _revert(target: models.Model, data: dict[str, Any], user: User) -> None:
    label = target._meta.label
    if label == "contacts.Contact":
        known = (*contact_services.CONTACT_FIELDS, *contact_services.LIST_FIELDS)
        contact_services.contact_update(
            contact=cast("Contact", target),
            acting_user=user,
            data={k: v for k, v in data.items() if k in known and k != "source"},
            history_note=_("Import undone"),
        )
    elif label == "properties.Property":
        property_services.property_update(prop=cast("Property", target), acting_user=user, data=data)
    elif label == "matching.SearchProfile":
        matching_services.search_profile_update(
            profile=cast("SearchProfile", target), acting_user=user, data=data, note=_("Import undone")
        )
    elif label == "core.Activity":
        editable = {k: v for k, v in data.items() if k in core_services.ACTIVITY_EDITABLE}
        core_services.activity_update(activity=cast("Activity", target), acting_user=user, **editable)


def _undo_changes(run: ImportRun, acting_user: User) -> tuple[int, int]:
    """Put back what the run's updates replaced on records that existed before it; a record changed
    since (in Maklerwerk or by a later import) keeps its values. (reverted, kept)"""
    reverted = kept = 0
    for change in ImportChange.objects.filter(run=run, undone=False).select_related("record"):
        target = change.target
        if target is None:
            continue
        stamp = getattr(target, "updated_at", None)
        if stamp != change.target_updated_at:
            kept += 1
            continue
        with transaction.atomic():
            _revert(target, _old_values(target, change), acting_user)
            if change.record is not None:
                fresh = type(target)._default_manager.get(pk=target.pk)
                change.record.row_hash = change.previous_hash  # a re-run of the newer file updates again
                change.record.target_updated_at = getattr(fresh, "updated_at", None)
                change.record.save(update_fields=["row_hash", "target_updated_at", "updated_at"])
            change.undone = True
            change.save(update_fields=["undone"])
            reverted += 1
    return reverted, kept


def run_undo(*, run: ImportRun, acting_user: User) -> dict[str, int]:
    """Undo an import: put back the old values of records it updated (from the change history), then
    delete the records it created; both only where nobody changed the record since. Forget its import
    records. Records edited since (in Maklerwerk or by a later import) stay and are counted as kept."""
    ensure_capability(acting_user, Capability.DELETE)
    if run.state != ImportRun.State.COMMITTED:
        raise ApplicationError(_("Only an imported file can be undone."))
    reverted, kept = _undo_changes(run, acting_user)
    removed = 0
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
    done = {"removed": removed, "kept": kept, "reverted": reverted}
    run.report = {**run.report, "undo": done}
    run.save(update_fields=["state", "undone_at", "report"])
    return done
