"""Running a CSV import of contacts: the dry run and the commit are the same walk over the rows.

Per row: read the mapped values (an unreadable value is an error of its column), find the row's
import record (by the old system's id, or a derived key when the file has no id column), then
- known and unchanged → "unchanged" (nothing written);
- known, changed in the file only → the contact is updated; edited in Maklerwerk since → not
  overwritten ("conflict");
- new → collected, and taken in `BATCH` rows at a time by `contacts.intake.contact_intake_many`
  under the office's import policy (one duplicate check over the batch, against the office and
  within the file; bulk inserts): created, created for review as a possible duplicate, or skipped
  as a probable duplicate.
A bad row never half-writes and the rest goes on: values are checked before anything is written,
an update has its own transaction, a batch of new rows one with its import records. A commit that
is run again (a resumed job) finds the rows it already did by their records and goes on after them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from maklerwerk.contacts import intake
from maklerwerk.contacts import services as contact_services
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.duplicates.services import IntakeSource, intake_policy
from maklerwerk.imports import csvfile, cutover, mapping
from maklerwerk.imports import services as imports
from maklerwerk.imports.models import ImportRecord, ImportRun

if TYPE_CHECKING:
    from maklerwerk.accounts.models import User
    from maklerwerk.contacts.models import Contact

KIND = "contact"
TWICE = gettext_lazy(
    "The same record appears twice in the file (same ID or same name, e-mail and phone); "
    "the first one counts."
)
STATUSES = (
    "created", "review", "updated", "unchanged", "duplicate", "conflict", "skipped", "failed",
    "linked",  # an existing record the source's one is now tied to (the IS24 take-over)
)  # fmt: skip
# New rows taken in at once (one duplicate check, a few bulk inserts, one transaction). Within a
# batch the dry run finds what the commit finds, the same person twice in the file included; a
# later batch of a commit meets the earlier ones in the office (the dry run cannot: nothing written).
BATCH = 10_000
KEEP_ROWS = 1000  # rows of each status kept in the report for display (counts are always complete)


@dataclass
class Report:
    dry_run: bool
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    rows: list[dict[str, Any]] = field(default_factory=list)
    derived_keys: int = 0  # rows without an id in the old system: keyed by name, e-mail and phone
    warnings: list[str] = field(default_factory=list)  # about the file as a whole

    def add(self, status: str, line: int, name: str, **extra: Any) -> None:
        self.counts[status] += 1
        if status != "unchanged" and self.counts[status] <= KEEP_ROWS:
            self.rows.append({"line": line, "status": status, "name": name, **extra})

    def as_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "counts": self.counts,
            "rows": self.rows,
            "derived_keys": self.derived_keys,
            "warnings": self.warnings,
            "total": sum(self.counts.values()),
        }


def _name(data: dict[str, Any]) -> str:
    name = " ".join(str(data.get(k) or "") for k in ("first_name", "last_name")).strip()
    return name or str(data.get("company_name") or "")


def _errors(exc: ValidationError, columns: dict[str, str]) -> list[dict[str, str]]:
    if not hasattr(exc, "error_dict"):
        return [{"column": "", "message": m} for m in exc.messages]
    return [
        {"column": mapping.field_column(columns, key), "message": message}
        for key, messages in exc.message_dict.items()
        for message in messages
    ]


@dataclass
class _Walk:
    run: ImportRun
    user: User | None
    report: Report
    records: dict[str, ImportRecord]
    policy: intake.IntakePolicy
    pending: list[tuple[int, str, dict[str, Any], str, str]] = field(default_factory=list)  # rows to create

    @property
    def dry_run(self) -> bool:
        return self.report.dry_run

    def row(self, line: int, values: mapping.RowResult, key: str) -> None:
        name = _name(values.data)
        if values.errors:
            errors = [{"column": c, "message": m} for c, m in values.errors]
            self.report.add("failed", line, name, errors=errors)
            return
        digest = imports.content_hash(values.data)
        record = self.records.get(key)
        target = record.target if record else None  # None: the contact was deleted since
        try:
            with transaction.atomic():
                if record and target and record.row_hash == digest:
                    resumed = (
                        record.batch == self.run.batch and record.status != ImportRecord.Status.DUPLICATE
                    )
                    self.report.add("created" if resumed else "unchanged", line, name, id=target.pk)
                elif record and target and record.status != ImportRecord.Status.DUPLICATE:
                    self._update(line, name, values.data, target, record, digest)
                else:
                    self.pending.append((line, name, values.data, key, digest))
        except ValidationError as exc:
            self.report.add("failed", line, name, errors=_errors(exc, self.run.columns))
        except ApplicationError as exc:
            self.report.add("failed", line, name, errors=[{"column": "", "message": exc.message}])

    def flush(self) -> None:
        """Take the rows waiting to be created in at once (`contacts.intake.contact_intake_many`),
        with their import records in the same transaction: a resumed commit finds all or none."""
        pending, self.pending = self.pending, []
        entries, waiting = [], []
        for line, name, data, key, digest in pending:
            try:
                entries.append(intake.NewContact.from_data(data))
                waiting.append((line, name, key, digest))
            except ValidationError as exc:
                self.report.add("failed", line, name, errors=_errors(exc, self.run.columns))
        with transaction.atomic():
            results = intake.contact_intake_many(
                entries,
                office=self.run.office,
                acting_user=self.user,
                source=IntakeSource.IMPORT,
                policy=self.policy,
                history_note=_("Imported from %s") % self.run.filename,
                dry_run=self.dry_run,
            )
            remember = [
                item
                for (line, name, key, digest), result in zip(waiting, results, strict=True)
                if (item := self._result(line, name, key, digest, result))
            ]
            if not self.dry_run:
                self.records.update(
                    imports.records_save_many(
                        office=self.run.office,
                        source_system=self.run.source_system,
                        kind=KIND,
                        items=remember,
                        batch=self.run.batch,
                    )
                )

    def _result(
        self, line: int, name: str, key: str, digest: str, result: intake.IntakeResult | ValidationError
    ) -> tuple[str, Contact, str, str] | None:
        """Report one row's intake; the import record it needs (key, contact, hash, status)."""
        if isinstance(result, ValidationError):
            self.report.add("failed", line, name, errors=_errors(result, self.run.columns))
            return None
        best = result.best
        similar = (
            {
                "duplicate_of": best.contact.pk,
                "duplicate_name": best.contact.display_name,
                "reasons": list(best.reasons),
            }
            if best
            else {}
        )
        if not isinstance(result, intake.Created):
            self.report.add("duplicate", line, name, **similar)
            if best and isinstance(result, intake.Refused | intake.Attached):
                return key, best.contact, digest, ImportRecord.Status.DUPLICATE
            return None
        status = "review" if result.review else "created"
        contact = result.contact
        self.report.add(
            status, line, name, id=contact.pk if contact else None, **(similar if result.review else {})
        )
        if contact is None:
            return None
        return (
            key,
            contact,
            digest,
            ImportRecord.Status.REVIEW if result.review else ImportRecord.Status.CREATED,
        )

    def _update(
        self, line: int, name: str, data: dict[str, Any], contact: Contact, record: ImportRecord, digest: str
    ) -> None:
        if record.target_updated_at is not None and contact.updated_at != record.target_updated_at:
            reason = _("Changed in the file and edited in Maklerwerk since the last import; not overwritten.")
            self.report.add("conflict", line, name, id=contact.pk, reason=reason)
            return
        if blocked := cutover.update_blocked(office=self.run.office, kind="contacts"):
            self.report.add("skipped", line, name, id=contact.pk, reason=blocked)
            return
        clean = contact_services.contact_validate(office=self.run.office, data=data)
        clean.pop("source", None)
        self.report.add("updated", line, name, id=contact.pk)
        if self.dry_run:
            return
        last = imports.history_last(contact)
        lists = {  # as the contact intake takes them: what the undo puts back
            "emails": [{"value": e.value, "kind": e.kind} for e in contact.emails.all()],
            "phones": [{"value": p.value, "kind": p.kind} for p in contact.phones.all()],
        }
        lists = {k: v for k, v in lists.items() if k in clean}
        contact_services.contact_update(
            contact=contact,
            acting_user=self.user,
            data=clean,
            history_note=_("Updated from %s") % self.run.filename,
        )
        # the run that created the record stays its batch: its undo still finds it
        saved = imports.record_save(
            office=self.run.office,
            source_system=self.run.source_system,
            kind=KIND,
            source_key=record.source_key,
            target=contact,
            row_hash=digest,
            status=record.status,
            batch=record.batch,
        )
        imports.change_remember(
            run=self.run, record=saved, target=contact, last=last, previous_hash=record.row_hash, lists=lists
        )


CHUNK = 2000  # rows read, parsed and looked up at once: memory follows this, not the file


def _chunks(run: ImportRun) -> Iterator[list[tuple[int, list[str]]]]:
    """The rows of the run's file, `CHUNK` at a time, streamed from storage."""
    with run.file.open("rb") as fh:
        if not (run.encoding and run.delimiter):  # a run kept before these were noted
            table = csvfile.read_table(fh.read())
            rows = list(zip(table.lines, table.rows, strict=True))
            yield from (rows[i : i + CHUNK] for i in range(0, len(rows), CHUNK))
            return
        chunk: list[tuple[int, list[str]]] = []
        for item in csvfile.stream_rows(fh, run.encoding, run.delimiter):
            chunk.append(item)
            if len(chunk) >= CHUNK:
                yield chunk
                chunk = []
        if chunk:
            yield chunk


def run_rows(
    *,
    run: ImportRun,
    acting_user: User | None,
    dry_run: bool,
    on_progress: Callable[[int, int], Any] | None = None,
) -> Report:
    """Walk every row of the run's file with its mapping; write only when not `dry_run`.

    The file is streamed in chunks (rows, their import records and the rows waiting to be created
    are held per chunk or batch), so a file of 100,000 contacts needs no more memory than one of
    10,000; only the keys seen so far (to report a row that appears twice) grow with the file."""
    with run.file.open("rb") as fh:
        if run.encoding and run.delimiter:
            headers = csvfile.stream_headers(fh, run.encoding, run.delimiter)
        else:
            headers = csvfile.read_table(fh.read(), max_rows=1).headers
    total = sum(len(chunk) for chunk in _chunks(run)) if on_progress else 0
    report = Report(dry_run=dry_run)
    walk = _Walk(run, acting_user, report, {}, intake_policy(office=run.office, source=IntakeSource.IMPORT))
    seen: set[str] = set()
    done = 0
    for chunk in _chunks(run):
        parsed = [mapping.row_to_contact(headers, row, run.columns) for _line, row in chunk]
        keys = []
        for values in parsed:
            if values.source_id:
                keys.append(f"id:{values.source_id}")
            else:
                keys.append(mapping.derived_key(values.data))
                report.derived_keys += 1
        walk.records = imports.records_find(
            office=run.office, source_system=run.source_system, kind=KIND, source_keys=keys
        )
        for (line, _row), values, key in zip(chunk, parsed, keys, strict=True):
            done += 1
            if key in seen:
                report.add("failed", line, _name(values.data), errors=[{"column": "", "message": str(TWICE)}])
            else:
                seen.add(key)
                walk.row(line, values, key)
            # New rows are taken in by batches, each (in a commit) in its own transaction with its
            # records: a resumed commit goes on after the last whole batch. The dry run batches
            # alike, so within a batch it decides as the commit will.
            if len(walk.pending) >= BATCH:
                walk.flush()
            if on_progress and done % 100 == 0:
                on_progress(done, total)
    walk.flush()
    report.rows.sort(key=lambda r: r["line"])
    if on_progress:
        on_progress(total, total)
    return report
