"""Taking the office's ImmobilienScout24 listings over, so they are not listed twice.

An office that switches has its listings on IS24 already, put there by the old system. The take-over
is an import run like a file (dry run first, commit, re-run, undo): its "file" is the snapshot of
the listings read from IS24 (`GET …/realestate/` page by page, then each listing by its Scout id),
taken by the dry run and kept with the run, so the commit writes what the dry run showed.

Per listing, by its Scout id (import record: source "is24", kind "property", key = Scout id):
- a property with the listing's `externalId` as Kennung exists → linked, its data untouched;
- else a new property from the listing's values (`integrations.is24.mapping.property_data`), in
  the status the listing has there (online → active, otherwise in preparation), through the same
  path as the OpenImmo import;
- known from an earlier take-over → unchanged, or updated when IS24's data changed (the OpenImmo
  path's rules: edited in Maklerwerk since → not overwritten; kept for the undo).
Either way the property's IS24 assignment gets the Scout id and the account the listing lives in
(`portals.services.is24_listing_take_over`), so the next transfer updates that listing by its
Scout id instead of creating a second one. Nothing is sent to IS24 here; it is only read.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from maklerwerk.core.exceptions import ApplicationError, ConflictError
from maklerwerk.imports import openimmo
from maklerwerk.imports import services as imports
from maklerwerk.imports.csvimport import Report
from maklerwerk.imports.models import ImportRecord, ImportRun
from maklerwerk.integrations.is24 import mapping
from maklerwerk.integrations.is24.client import Is24Error
from maklerwerk.integrations.openimmo import reader
from maklerwerk.portals import is24 as portal_is24
from maklerwerk.portals import services as portal_services
from maklerwerk.portals.models import Is24Connection, Portal
from maklerwerk.properties import selectors as property_selectors
from maklerwerk.properties import services as property_services

if TYPE_CHECKING:
    from maklerwerk.accounts.models import Office, User
    from maklerwerk.properties.models import Property

SOURCE_SYSTEM = "is24"
KIND = openimmo.KIND  # "property"
ONLINE = "ACTIVE"  # realEstateState / list element `state` of a published listing


class _DryRun(Exception):
    """Raised inside a dry run's savepoint after the property was created: rolled back."""


def run_create(*, office: Office, acting_user: User, portal: Portal) -> ImportRun:
    """A take-over run of the IS24 portal `portal` (nothing read yet: the dry run reads)."""
    if portal.office_id != office.pk or portal.kind != Portal.Kind.IS24:
        raise ApplicationError(_("Choose an ImmobilienScout24 portal of your office."))
    connected = portal.connected or Is24Connection.objects.filter(portal=portal).exists()
    if not connected:
        raise ApplicationError(
            _("ImmobilienScout24 is not connected: enter the access token at the portal first.")
        )
    run = ImportRun(
        office=office,
        created_by=acting_user,
        kind="properties",
        source_format=ImportRun.Format.IS24,
        filename=f"ImmobilienScout24 – {portal.name}"[:255],
    )
    run.file.save("is24.json", ContentFile(json.dumps({"portal": portal.pk, "listings": []})), save=False)
    run.save()
    return run


def _accounts(portal: Portal) -> list[tuple[str, Any]]:
    """(account, client) of the office's IS24 account and of every agent's own one."""
    out = [("office", portal_is24.client_for(portal))] if portal.connected else []
    for connection in Is24Connection.objects.filter(portal=portal).order_by("pk"):
        out.append((f"user:{connection.user_id}", portal_is24.client_for(portal, connection)))
    return out


def listings_pull(portal: Portal) -> list[dict[str, Any]]:
    """Every listing of the portal's IS24 accounts: Scout id, account, type, state and full body."""
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    try:
        for account, client in _accounts(portal):
            for element in client.realestates():
                scout_id = str(element.get("@id", ""))
                if not scout_id or scout_id in seen:
                    continue
                found = client.realestate(scout_id)
                if found is None:  # deleted while we read
                    continue
                kind, body = found
                state = str(body.get("realEstateState") or element.get("state") or "")
                seen.add(scout_id)
                out.append({"id": scout_id, "account": account, "type": kind, "state": state, "body": body})
    except Is24Error as exc:
        raise ApplicationError(exc.hint) from exc
    return out


def _snapshot(run: ImportRun, refresh: bool) -> tuple[Portal, list[dict[str, Any]]]:
    with run.file.open("rb") as fh:
        snapshot = json.load(fh)
    portal = Portal.objects.filter(pk=snapshot.get("portal"), office=run.office).first()
    if portal is None:
        raise ApplicationError(_("The ImmobilienScout24 portal of this take-over no longer exists."))
    if refresh or "pulled" not in snapshot:
        snapshot = {"portal": portal.pk, "pulled": True, "listings": listings_pull(portal)}
        run.file.delete(save=False)
        run.file.save("is24.json", ContentFile(json.dumps(snapshot, ensure_ascii=False).encode()), save=False)
        ImportRun.objects.filter(pk=run.pk).update(file=run.file.name)
    return portal, list(snapshot["listings"])


def _listing(item: dict[str, Any]) -> reader.Listing:
    body = item["body"]
    data = mapping.property_data(item["type"], body)
    external_id = str(body.get("externalId") or item["id"])[:50]
    return reader.Listing(external_id=external_id, action="CHANGE", data=data)


def _name(item: dict[str, Any]) -> str:
    body = item["body"]
    return " · ".join(str(v) for v in (body.get("externalId") or item["id"], body.get("title", "")) if v)


def _link(
    portal: Portal, prop: Property, item: dict[str, Any], user: User | None, warnings: list[str]
) -> None:
    online = item["state"] == ONLINE
    assignment = portal_services.is24_listing_take_over(
        portal=portal, prop=prop, scout_id=item["id"], online=online, account=item["account"],
        acting_user=user,
    )  # fmt: skip
    if online and assignment.online_since is None:
        warnings.append(
            _(
                "Online on ImmobilienScout24 but not active here: the listing stays there as it is "
                "until the property is activated here (then it is updated, not listed twice)."
            )
        )


def _create(
    run: ImportRun, portal: Portal, user: User | None, item: dict[str, Any], listing: reader.Listing,
    report: Report, line: int,
) -> None:  # fmt: skip
    data: dict[str, Any] = {**listing.data, "external_id": listing.external_id}
    data["status"] = "active" if item["state"] == ONLINE else "preparation"
    try:  # the dry run creates it too (the services' checks, Kennung and all), then rolls back
        with transaction.atomic():
            prop = property_services.property_create(office=run.office, acting_user=user, data=data)
            if report.dry_run:
                raise _DryRun
    except _DryRun:
        report.add("created", line, _name(item), warnings=listing.warnings)
        return
    _link(portal, prop, item, user, listing.warnings)
    prop.refresh_from_db()  # its updated_at as stored: the import record's stamp
    report.add("created", line, _name(item), id=prop.pk, warnings=listing.warnings)
    _record(run, item, listing, prop)


def _record(
    run: ImportRun, item: dict[str, Any], listing: reader.Listing, prop: Property, **extra: Any
) -> None:
    """The import record of a Scout listing: a re-run finds it and creates nothing."""
    imports.record_save(
        office=run.office,
        source_system=SOURCE_SYSTEM,
        kind=KIND,
        source_key=item["id"],
        target=prop,
        row_hash=openimmo.listing_hash(listing),
        batch=run.batch,
        **extra,
    )


def _link_existing(
    run: ImportRun, portal: Portal, user: User | None, item: dict[str, Any], listing: reader.Listing,
    prop: Property, report: Report, line: int,
) -> None:  # fmt: skip
    reason = _(
        "The property with the Kennung %s exists already: linked with the listing on ImmobilienScout24 "
        "(Scout ID %s), its data not changed."
    ) % (listing.external_id, item["id"])
    warnings: list[str] = []
    if not report.dry_run:
        _link(portal, prop, item, user, warnings)
        _record(run, item, listing, prop, status=ImportRecord.Status.LINKED)
    report.add("linked", line, _name(item), id=prop.pk, reason=reason, warnings=warnings)


def run_scout(
    *,
    run: ImportRun,
    acting_user: User | None,
    dry_run: bool,
    on_progress: Callable[[int, int], Any] | None = None,
) -> Report:
    """Walk the run's IS24 listings (read afresh by a dry run); write only when not `dry_run`."""
    portal, items = _snapshot(run, refresh=dry_run)
    report = Report(dry_run=dry_run)
    records = imports.records_find(
        office=run.office, source_system=SOURCE_SYSTEM, kind=KIND, source_keys=[i["id"] for i in items]
    )
    for line, item in enumerate(items, start=1):
        name = _name(item)
        record = records.get(item["id"])
        try:
            listing = _listing(item)
            openimmo._drop_unfitting(listing)  # the same leniency as for OpenImmo files
            with transaction.atomic():
                if record is not None and record.target is not None:
                    if record.batch == run.batch:  # a resumed commit: this one is done already
                        done = "linked" if record.status == ImportRecord.Status.LINKED else "created"
                        report.add(done, line, name, id=record.target_id)
                    elif record.status == ImportRecord.Status.LINKED or record.row_hash == (
                        openimmo.listing_hash(listing)
                    ):  # a linked property keeps its own data: IS24's changes are not taken
                        report.add("unchanged", line, name, id=record.target_id)
                    else:
                        openimmo._update(run, acting_user, listing, report, line, record, record.target)
                else:
                    existing = property_selectors.property_by_reference(
                        office_id=run.office.pk, external_id=listing.external_id
                    )
                    if existing is not None:
                        _link_existing(run, portal, acting_user, item, listing, existing, report, line)
                    else:
                        _create(run, portal, acting_user, item, listing, report, line)
        except mapping.UnsupportedType as exc:
            report.add("skipped", line, name, reason=str(exc))
        except ConflictError as exc:
            report.add("duplicate", line, name, reasons=[exc.message])
        except (ApplicationError, ValidationError) as exc:
            message = exc.message if isinstance(exc, ApplicationError) else "; ".join(exc.messages)
            report.add("failed", line, name, errors=[{"column": "", "message": message}])
        if on_progress:
            on_progress(line, len(items))
    return report
