"""CSV import of properties, search profiles and activities: the same walk as for contacts.

Per row: the mapped values (a choice through the run's value map; an unreadable value is an error
of its column), the contacts and properties it refers to found by the ids of the old system (their
import records from the contact and property imports of the same system; a property also by its
Kennung), the author or agent by user name, e-mail or name. Then the row's import record decides:
- unchanged in the file → "unchanged" (nothing written);
- changed in the file only → updated through the app's service, the change kept as `ImportChange`
  (undo puts the old values back); edited in Maklerwerk since → not overwritten ("conflict");
- new → created through the app's service (properties start as mapped, default "in preparation",
  and are never published: publishing is a portal assignment).
Each row has its own transaction; a bad row is reported and the rest goes on. A reference that is
not imported yet is an error for a search profile or activity (it belongs to someone), a warning for
a property's owner (the property comes anyway; a re-run after the contacts adds the owner).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from maklerwerk.accounts.models import User
from maklerwerk.core import services as core_services
from maklerwerk.core.exceptions import ApplicationError, ConflictError
from maklerwerk.imports import csvfile, cutover, mapping
from maklerwerk.imports import services as imports
from maklerwerk.imports.csvimport import Report
from maklerwerk.imports.models import ImportRecord, ImportRun
from maklerwerk.matching import services as matching_services
from maklerwerk.properties import selectors as property_selectors
from maklerwerk.properties import services as property_services

if TYPE_CHECKING:
    from maklerwerk.accounts.models import Office
    from maklerwerk.contacts.models import Contact
    from maklerwerk.core.models import Activity
    from maklerwerk.matching.models import SearchProfile
    from maklerwerk.properties.models import Property

# The import record kind of each table (contacts: "contact", see csvimport.KIND)
RECORD_KIND = {"properties": "property", "search_profiles": "search_profile", "activities": "activity"}
OPENIMMO = "openimmo"  # properties taken over from an OpenImmo file are found by their Kennung too
OWNER = "owner"  # properties.models.PropertyContact.Role.OWNER
NOTE = "note"  # core.models.Activity.Type.NOTE: an activity without a mapped type


class _DryRun(Exception):
    """Raised inside a dry run's savepoint after the row was written: everything is rolled back."""


@dataclass
class Refs:
    """The old system's ids of the whole file resolved at once (one query per 500 ids)."""

    contacts: dict[str, Contact]
    properties: dict[str, Property]
    users: dict[str, User]


def _user_key(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().lower())


def _users(office: Office) -> dict[str, User]:
    """user name, e-mail and "first last"/"last, first" of every user of the office → user."""
    out: dict[str, User] = {}
    for user in User.objects.filter(office=office):
        names = [user.username, user.email, f"{user.first_name} {user.last_name}"]
        names.append(f"{user.last_name}, {user.first_name}")
        for name in names:
            if name.strip(" ,"):
                out.setdefault(_user_key(name), user)
    return out


def _resolve(run: ImportRun, rows: list[mapping.Row]) -> Refs:
    contact_ids = {str(r.data[mapping.CONTACT_REF]) for r in rows if r.data.get(mapping.CONTACT_REF)}
    property_ids = {str(r.data[mapping.PROPERTY_REF]) for r in rows if r.data.get(mapping.PROPERTY_REF)}
    found = imports.records_find(
        office=run.office,
        source_system=run.source_system,
        kind="contact",
        source_keys=[f"id:{i}" for i in contact_ids],
    )
    contacts = {
        key[3:]: r.target
        for key, r in found.items()
        if r.target is not None and r.status != ImportRecord.Status.DUPLICATE
    }
    # a contact skipped as the duplicate of an existing one: the existing one is meant
    contacts |= {
        key[3:]: r.target for key, r in found.items() if r.target is not None and key[3:] not in contacts
    }
    properties: dict[str, Property] = {}
    for system in (run.source_system, OPENIMMO):
        keys = [f"id:{i}" for i in property_ids - set(properties)] + [
            i for i in property_ids - set(properties)
        ]
        for key, record in imports.records_find(
            office=run.office, source_system=system, kind="property", source_keys=keys
        ).items():
            if record.target is not None and record.target._meta.label == "properties.Property":
                properties.setdefault(key.removeprefix("id:"), cast("Property", record.target))
    for ref in property_ids - set(properties):
        prop = property_selectors.property_by_reference(office_id=run.office.pk, external_id=ref)
        if prop is not None:
            properties[ref] = prop
    return Refs(contacts=contacts, properties=properties, users=_users(run.office))


@dataclass
class _Table:
    run: ImportRun
    user: User | None
    report: Report
    refs: Refs

    @property
    def dry_run(self) -> bool:
        return self.report.dry_run

    @property
    def kind(self) -> str:
        return self.run.kind

    def name(self, data: dict[str, Any]) -> str:
        if self.kind == "properties":
            return " · ".join(str(data[k]) for k in ("external_id", "title") if data.get(k))
        if self.kind == "search_profiles":
            return str(data.get("name") or data.get(mapping.CONTACT_REF) or "")
        when = data.get("occurred_at")
        return " · ".join(
            s for s in (when.strftime("%d.%m.%Y") if when else "", data.get("subject", "")) if s
        )

    # -- turning a row into the service's data --------------------------------------------------

    def prepare(self, row: mapping.Row, warnings: list[str]) -> dict[str, Any]:
        """The service data of a row (refs resolved); ApplicationError when a needed ref is missing."""
        data = dict(row.data)
        contact_ref = str(data.pop(mapping.CONTACT_REF, "") or "")
        property_ref = str(data.pop(mapping.PROPERTY_REF, "") or "")
        user_ref = str(data.pop(mapping.USER_REF, "") or "")
        contact = self.refs.contacts.get(contact_ref) if contact_ref else None
        prop = self.refs.properties.get(property_ref) if property_ref else None
        user = self.refs.users.get(_user_key(user_ref)) if user_ref else None
        if user_ref and user is None:
            warnings.append(_("No user “%s” in the office; left empty.") % user_ref)
        missing_contact = _(
            "The contact with the ID %s of the old system is not imported (yet); import the contacts first."
        )
        if self.kind == "properties":
            kind = str(data.pop("object_kind", "") or "")
            if kind:
                data["object_kind"], _sep, data["object_subtype"] = kind.partition("/")
            if user is not None:
                data["responsible_agent"] = user
            if contact_ref and contact is None:
                warnings.append(missing_contact % contact_ref)
            data["_owner"] = contact
        elif self.kind == "search_profiles":
            if contact is None:
                raise ApplicationError(
                    missing_contact % contact_ref if contact_ref else _("No contact given.")
                )
            data["_contact"] = contact
        else:
            if contact_ref and contact is None:
                raise ApplicationError(missing_contact % contact_ref)
            if property_ref and prop is None:
                raise ApplicationError(
                    _(
                        "The property with the ID or Kennung %s is not imported (yet); "
                        "import the properties first."
                    )
                    % property_ref
                )
            if contact is None and prop is None:
                raise ApplicationError(_("No contact or property given."))
            data["contact_id"] = contact.pk if contact else None
            data["property_id"] = prop.pk if prop else None
            data["_author"] = user
            data.setdefault("type", NOTE)
        return data

    # -- create and update through the apps' services ------------------------------------------

    def create(self, data: dict[str, Any]) -> models.Model:
        note = _("Imported from %s") % self.run.filename
        if self.kind == "properties":
            owner = data.pop("_owner", None)
            data.setdefault("status", "preparation")
            prop = property_services.property_create(office=self.run.office, acting_user=self.user, data=data)
            if owner is not None:
                property_services.property_contact_set(
                    prop=prop, contact=owner, acting_user=self.user, role=OWNER
                )
                prop.refresh_from_db()  # its updated_at as stored: the import record's stamp
            return prop
        if self.kind == "search_profiles":
            contact = data.pop("_contact")
            return matching_services.search_profile_create(
                contact=contact, acting_user=self.user, data=data, note=note
            )
        author = data.pop("_author", None)
        return core_services.activity_create(
            office=self.run.office,
            acting_user=self.user,
            author=author,
            type=data["type"],
            subject=data.get("subject", ""),
            body=data.get("body", ""),
            occurred_at=data.get("occurred_at"),
            contact_id=data["contact_id"],
            property_id=data["property_id"],
            payload={"import": self.run.filename},
        )

    def update(self, target: models.Model, data: dict[str, Any]) -> None:
        label = target._meta.label
        if label == "properties.Property":
            prop = cast("Property", target)
            owner = data.pop("_owner", None)
            property_services.property_update(prop=prop, acting_user=self.user, data=data)
            owners = property_selectors.property_contacts(prop=prop).filter(contact=owner, role=OWNER)
            if owner is not None and not owners.exists():
                property_services.property_contact_set(
                    prop=prop, contact=owner, acting_user=self.user, role=OWNER
                )
        elif label == "matching.SearchProfile":
            data.pop("_contact", None)
            matching_services.search_profile_update(
                profile=cast("SearchProfile", target),
                acting_user=self.user,
                data=data,
                note=_("Updated from %s") % self.run.filename,
            )
        elif label == "core.Activity":
            data.pop("_author", None)
            changes = {k: v for k, v in data.items() if k in core_services.ACTIVITY_EDITABLE}
            core_services.activity_update(activity=cast("Activity", target), acting_user=self.user, **changes)

    # -- one row -----------------------------------------------------------------------------------

    def row(self, line: int, parsed: mapping.Row, key: str, record: ImportRecord | None) -> None:
        name = self.name(parsed.data)
        if parsed.errors:
            errors = [{"column": c, "message": m} for c, m in parsed.errors]
            self.report.add("failed", line, name, errors=errors)
            return
        warnings: list[str] = []
        try:
            with transaction.atomic():
                data = self.prepare(parsed, warnings)
                # the hash covers what the row resolved to: an owner imported since updates the row
                digest = imports.content_hash(
                    {k: (v.pk if isinstance(v, models.Model) else v) for k, v in data.items()}
                )
                target = record.target if record else None
                extra: dict[str, Any] = {"warnings": warnings} if warnings else {}
                if record and target is not None and record.row_hash == digest:
                    resumed = record.batch == self.run.batch
                    self.report.add("created" if resumed else "unchanged", line, name, id=target.pk, **extra)
                elif record and target is not None:
                    stamp = getattr(target, "updated_at", None)
                    if record.target_updated_at is not None and stamp != record.target_updated_at:
                        reason = _(
                            "Changed in the file and edited in Maklerwerk since the last import; "
                            "not overwritten."
                        )
                        self.report.add("conflict", line, name, id=target.pk, reason=reason)
                        return
                    if blocked := cutover.update_blocked(office=self.run.office, kind=self.kind):
                        self.report.add("skipped", line, name, id=target.pk, reason=blocked)
                        return
                    self.report.add("updated", line, name, id=target.pk, **extra)
                    if self.dry_run:
                        return
                    last, previous = imports.history_last(target), record.row_hash
                    self.update(target, data)
                    saved = imports.record_save(
                        office=self.run.office,
                        source_system=self.run.source_system,
                        kind=RECORD_KIND[self.kind],
                        source_key=key,
                        target=target,
                        row_hash=digest,
                        status=record.status,
                        batch=record.batch,
                    )
                    imports.change_remember(
                        run=self.run, record=saved, target=target, last=last, previous_hash=previous
                    )
                else:
                    if self.dry_run:
                        self._try(data)
                        self.report.add("created", line, name, **extra)
                        return
                    created = self.create(data)
                    self.report.add("created", line, name, id=created.pk, **extra)
                    imports.record_save(
                        office=self.run.office,
                        source_system=self.run.source_system,
                        kind=RECORD_KIND[self.kind],
                        source_key=key,
                        target=created,
                        row_hash=digest,
                        batch=self.run.batch,
                    )
        except ConflictError as exc:
            self.report.add("duplicate", line, name, reasons=[exc.message])
        except ValidationError as exc:
            errors = [
                {"column": _column(self.run.columns, field), "message": message}
                for field, messages in _messages(exc)
                for message in messages
            ]
            self.report.add("failed", line, name, errors=errors)
        except ApplicationError as exc:
            self.report.add("failed", line, name, errors=[{"column": "", "message": exc.message}])

    def _try(self, data: dict[str, Any]) -> None:
        """The dry run: create the row as the commit would, then roll it back (services' checks,
        Kennung conflicts and all; nothing stays, on-commit work is dropped with the savepoint)."""
        try:
            with transaction.atomic():
                self.create(data)
                raise _DryRun
        except _DryRun:
            pass


def _messages(exc: ValidationError) -> list[tuple[str, list[str]]]:
    if hasattr(exc, "error_dict"):
        return list(exc.message_dict.items())
    return [("", exc.messages)]


def _column(columns: dict[str, str], field: str) -> str:
    wanted = {"object_subtype": "object_kind", "responsible_agent": mapping.USER_REF}.get(field, field)
    return next((h for h, k in columns.items() if k == wanted), "")


def derived_key(data: dict[str, Any]) -> str:
    """A key for a row without an id in the old system: the hash of its values."""
    return "hash:" + imports.content_hash(data)


def run_table(
    *,
    run: ImportRun,
    acting_user: User | None,
    dry_run: bool,
    on_progress: Callable[[int, int], Any] | None = None,
) -> Report:
    """Walk every row of the run's file of properties, search profiles or activities."""
    with run.file.open("rb") as fh:
        table = csvfile.read_table(fh.read())
    report = Report(dry_run=dry_run)
    parsed = [mapping.row_values(table.headers, row, run.columns, run.kind, run.values) for row in table.rows]
    keys = []
    for row in parsed:
        if row.source_id:
            keys.append(f"id:{row.source_id}")
        else:
            keys.append(derived_key(row.data))
            report.derived_keys += 1
    records = imports.records_find(
        office=run.office, source_system=run.source_system, kind=RECORD_KIND[run.kind], source_keys=keys
    )
    walk = _Table(run, acting_user, report, _resolve(run, parsed))
    seen: set[str] = set()
    total = len(parsed)
    for i, (line, row, key) in enumerate(zip(table.lines, parsed, keys, strict=True), start=1):
        if key in seen:
            message = _("The same record appears twice in the file (same ID); the first one counts.")
            report.add("failed", line, walk.name(row.data), errors=[{"column": "", "message": message}])
        else:
            seen.add(key)
            walk.row(line, row, key, records.get(key))
        if on_progress and i % 100 == 0:
            on_progress(i, total)
    if on_progress:
        on_progress(total, total)
    return report
