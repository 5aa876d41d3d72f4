"""Importing the properties of an OpenImmo file or ZIP (with pictures) from the old system.

The same walk for the dry run and the commit, like the CSV import (csvimport.py): per listing its
import record (by `objektnr_extern`) decides between new, unchanged, updated and "edited here since,
not overwritten". New properties are created in preparation (never published automatically); a
property with the same Kennung that was not imported is reported as a probable duplicate, not
touched. DELETE entries of the old system are reported, not imported. Each listing has its own
transaction; a picture that cannot be read is a warning, the listing is imported without it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from maklerwerk.core.exceptions import ApplicationError, ConflictError
from maklerwerk.imports import cutover
from maklerwerk.imports import services as imports
from maklerwerk.imports.csvimport import Report
from maklerwerk.imports.models import ImportRecord, ImportRun
from maklerwerk.integrations.openimmo import reader
from maklerwerk.properties import services as property_services
from maklerwerk.properties.selectors import property_value_fits

if TYPE_CHECKING:
    from maklerwerk.accounts.models import User
    from maklerwerk.properties.models import Property

SOURCE_SYSTEM = "openimmo"
KIND = "property"
PICTURES = ("jpg", "jpeg", "png", "gif", "webp")


def listing_hash(listing: reader.Listing) -> str:
    pictures = [hashlib.sha256(a.content).hexdigest() if a.content else a.path for a in listing.attachments]
    return imports.content_hash({"data": listing.data, "pictures": pictures, "action": listing.action})


def _name(listing: reader.Listing) -> str:
    return " · ".join(str(v) for v in (listing.external_id, listing.data.get("title", "")) if v)


def _pictures(listing: reader.Listing) -> list[tuple[ContentFile[bytes], str]]:
    out = []
    for i, att in enumerate(listing.attachments, start=1):
        if att.content is None:
            continue
        ext = att.path.rsplit(".", 1)[-1].lower() if "." in att.path else ""
        if ext not in PICTURES:
            continue  # a document: see `_documents`
        out.append(
            (ContentFile(att.content, name=f"{listing.external_id or 'bild'}_{i:02d}.{ext}"), att.title)
        )
    return out


# OpenImmo's attachment groups → our document kinds (floor plans as PDF, the energy certificate, ...)
DOCUMENT_KINDS = {
    "GRUNDRISS": "floor_plan",
    "KARTEN_LAGEPLAN": "site_plan",
    "EPASS-SKALA": "energy_certificate",
}


def _documents(listing: reader.Listing) -> list[tuple[ContentFile[bytes], str, str]]:
    """(file, title, kind) of the attachments that are no pictures: PDFs and office documents."""
    out = []
    for att in listing.attachments:
        ext = att.path.rsplit(".", 1)[-1].lower() if "." in att.path else ""
        if att.content is None or ext in PICTURES:
            continue
        if ext not in property_services.DOCUMENT_EXTENSIONS:
            listing.warnings.append(_("%s is neither a picture nor a document; not imported.") % att.path)
            continue
        name = att.path.replace("\\", "/").rsplit("/", 1)[-1]
        kind = DOCUMENT_KINDS.get(att.group, "other")
        out.append((ContentFile(att.content, name=name), att.title or name.rsplit(".", 1)[0], kind))
    return out


def _add_pictures(prop: Property, listing: reader.Listing, user: User | None) -> None:
    """The listing's pictures and documents (each on its own: a bad one is a warning)."""
    for upload, title, kind in _documents(listing):
        try:
            with transaction.atomic():
                property_services.property_document_add(
                    prop=prop, acting_user=user, file=upload, kind=kind, title=title[:200]
                )
        except ApplicationError as exc:
            listing.warnings.append(f"{upload.name}: {exc.message}")
    for upload, caption in _pictures(listing):
        try:
            with transaction.atomic():
                property_services.property_images_add(
                    prop=prop, acting_user=user, files=[upload], captions=[caption]
                )
        except ApplicationError as exc:
            listing.warnings.append(exc.message)


def _create(run: ImportRun, user: User | None, listing: reader.Listing, report: Report, line: int) -> None:
    data: dict[str, Any] = {**listing.data, "external_id": listing.external_id, "status": "preparation"}
    if listing.action == "REFERENZ":
        data["status"] = "closed"
    if report.dry_run:
        report.add("created", line, _name(listing), warnings=listing.warnings)
        return
    prop = property_services.property_create(office=run.office, acting_user=user, data=data)
    _add_pictures(prop, listing, user)
    report.add("created", line, _name(listing), id=prop.pk, warnings=listing.warnings)
    key = listing.external_id or f"hash:{listing_hash(listing)}"
    imports.record_save(
        office=run.office,
        source_system=SOURCE_SYSTEM,
        kind=KIND,
        source_key=key,
        target=prop,
        row_hash=listing_hash(listing),
        batch=run.batch,
    )


def _update(
    run: ImportRun,
    user: User | None,
    listing: reader.Listing,
    report: Report,
    line: int,
    record: ImportRecord,
    prop: Property,
) -> None:
    """`prop` is the record's target (the caller checked that it still exists)."""
    if record.target_updated_at is not None and prop.updated_at != record.target_updated_at:
        reason = _("Changed in the file and edited in Maklerwerk since the last import; not overwritten.")
        report.add("conflict", line, _name(listing), id=prop.pk, reason=reason)
        return
    if blocked := cutover.update_blocked(office=run.office, kind="properties"):
        report.add("skipped", line, _name(listing), id=prop.pk, reason=blocked)
        return
    report.add("updated", line, _name(listing), id=prop.pk, warnings=listing.warnings)
    if report.dry_run:
        return
    last = imports.history_last(prop)
    property_services.property_update(prop=prop, acting_user=user, data=dict(listing.data))
    saved = imports.record_save(
        office=run.office,
        source_system=record.source_system,  # the IS24 take-over walks its listings through here too
        kind=KIND,
        source_key=record.source_key,
        target=prop,
        row_hash=listing_hash(listing),
        batch=record.batch,
    )
    imports.change_remember(run=run, record=saved, target=prop, last=last, previous_hash=record.row_hash)


def _drop_unfitting(listing: reader.Listing) -> None:
    """Values our fields do not know (another system's subtype or heating word) are left empty, with
    a warning, instead of failing the whole property."""
    for key, value in list(listing.data.items()):
        if not property_value_fits(key, value):
            del listing.data[key]
            listing.warnings.append(
                _("“%(value)s” is not a value of the field %(field)s; left empty.")
                % {"value": value, "field": key}
            )


def run_listings(
    *,
    run: ImportRun,
    acting_user: User | None,
    dry_run: bool,
    on_progress: Callable[[int, int], Any] | None = None,
) -> Report:
    """Walk every listing of the run's OpenImmo file; write only when not `dry_run`."""
    with run.file.open("rb") as fh:
        package = reader.read_package(fh.read(), run.filename)
    report = Report(dry_run=dry_run)
    listings = package.listings
    for listing in listings:
        _drop_unfitting(listing)
    keys = [lst.external_id or f"hash:{listing_hash(lst)}" for lst in listings]
    records = imports.records_find(
        office=run.office, source_system=SOURCE_SYSTEM, kind=KIND, source_keys=keys
    )
    for line, (listing, key) in enumerate(zip(listings, keys, strict=True), start=1):
        record = records.get(key)
        name = _name(listing)
        try:
            with transaction.atomic():
                if listing.action == "DELETE":
                    reason = _("Marked as deleted in the old system; not imported.")
                    report.add("skipped", line, name, reason=reason)
                elif record is not None and record.target is not None:
                    if record.row_hash == listing_hash(listing):
                        resumed = record.batch == run.batch
                        report.add("created" if resumed else "unchanged", line, name, id=record.target_id)
                    else:
                        _update(run, acting_user, listing, report, line, record, record.target)
                else:
                    _create(run, acting_user, listing, report, line)
        except ConflictError:
            reason = (
                _("A property with the Kennung %s exists already; it was not changed.") % listing.external_id
            )
            report.add("duplicate", line, name, reasons=[reason])
        except (ApplicationError, ValidationError) as exc:
            message = exc.message if isinstance(exc, ApplicationError) else "; ".join(exc.messages)
            report.add("failed", line, name, errors=[{"column": "", "message": message}])
        if on_progress:
            on_progress(line, len(listings))
    report.warnings = package.warnings
    return report
