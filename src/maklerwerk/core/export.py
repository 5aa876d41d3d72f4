"""The office export: every record of an office and every file it stored, in one ZIP.

An office must be able to leave with everything (and, with the migration issue, load it into
another instance). The archive holds:

- `data.json`: `{"format": "maklerwerk-export", "version": 2, "exported_at", "office", <section>: [rows]}`,
  one section per `ExportSection`, in dependency order (a section only refers to sections before
  it, so a re-import can load them top to bottom). A row is the model's concrete fields by
  `attname` (`office_id`, ...); files by their stored name; a content type as "app_label.model"
  (its numeric id differs between installations).
- `files/<stored name>`: the uploaded files themselves (photos, documents, contact and cloud
  files, the logo), copied in chunks.
- `files.json`: name, size and SHA-256 of every file, and the names whose file was missing on disk
  (the export still succeeds; the row keeps the name).

Secrets (the SMTP and mailbox passwords) are never written, in no form: a password encrypted with
this server's SECRET_KEY is useless elsewhere, and in plain text it would sit in a download. The row
says `"password_set": true`, so whoever restores knows which accounts need their password again
(like user logins, which get a password reset). Login material (password hashes, API tokens,
share-link tokens) is left out for the same reason.

Each app registers its sections in `AppConfig.ready()`; `tests/core/test_export_complete.py` fails
when a model of an office is neither exported nor listed there as deliberately left out.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files import File
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from maklerwerk.accounts.models import Office
from maklerwerk.core.jobs import Progress, job_function
from maklerwerk.core.registry import Registry

FORMAT_VERSION = 2
_CHUNK = 1024 * 1024
# Already compressed: deflating them again costs time and saves nothing.
_STORED_SUFFIXES = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".pdf", ".zip", ".docx", ".xlsx", ".mp4"}


@dataclass(frozen=True)
class ExportSection:
    key: str  # the section's name in data.json, e.g. "contacts"
    model: str  # "app_label.ModelName"; an automatic m2m table as "core.Activity_further_contacts"
    # Dependency order: after every section this one refers to (users 100 ... history 950).
    order: int
    leave_out: frozenset[str] = frozenset()  # derived values and login material, by field name
    secrets: frozenset[str] = frozenset()  # encrypted secrets: only "<name>_set": bool is written
    office_path: str = ""  # how a row reaches its office ("property__office"); found via FKs if empty

    def get_model(self) -> type[models.Model]:
        return apps.get_model(self.model)

    def queryset(self, office_id: int) -> models.QuerySet[Any]:
        model = self.get_model()
        path = self.office_path or office_path(model)
        if path is None:
            raise LookupError(f"export section {self.key}: {self.model} has no way to its office")
        return model._default_manager.filter(**{f"{path}_id": office_id}).order_by("pk")


EXPORT_SECTIONS: Registry[ExportSection] = Registry("export sections")


def office_path(model: type[models.Model], depth: int = 0) -> str | None:
    """The lookup from `model` to its office: "office", or through a required foreign key
    ("property__office", "instance__office", ...)."""
    fields = [f for f in model._meta.concrete_fields if (f.is_relation and f.many_to_one) or f.one_to_one]
    for field in fields:
        related = field.related_model
        if field.name == "office" and related._meta.label == "accounts.Office":  # type: ignore[union-attr]  # FK
            return "office"
    if depth > 3:
        return None
    for field in sorted(fields, key=lambda f: f.null):  # a required parent is the row's owner
        related = field.related_model
        if related is None or related is model or related._meta.label == "accounts.Office":
            continue
        rest = office_path(related, depth + 1)
        if rest is not None:
            return f"{field.name}__{rest}"
    return None


def _secret_flag(name: str) -> str:
    return name.removesuffix("_encrypted") + "_set"


class _Rows:
    """Reads a section's rows as plain values (no model instances: half the time of an export) and
    turns them into JSON-able dicts; content types by name, files by stored name."""

    def __init__(self, section: ExportSection) -> None:
        model = section.get_model()
        self.fields = [
            f for f in model._meta.concrete_fields if f.name not in section.leave_out | section.secrets
        ]
        self.secrets = [model._meta.get_field(name) for name in sorted(section.secrets)]
        self.file_fields = [f for f in model._meta.concrete_fields if isinstance(f, models.FileField)]
        self._content_types: dict[int, str] = {}

    def _content_type(self, pk: int | None) -> str | None:
        if pk is None:
            return None
        if pk not in self._content_types:
            ct = ContentType.objects.get_for_id(pk)
            self._content_types[pk] = f"{ct.app_label}.{ct.model}"
        return self._content_types[pk]

    def rows(self, qs: models.QuerySet[Any]) -> Iterator[dict[str, Any]]:
        columns = [f.attname for f in self.fields] + [f.attname for f in self.secrets]  # type: ignore[union-attr]  # columns
        convert: list[tuple[str, Any]] = []
        for f in self.fields:
            if f.is_relation and f.related_model is ContentType:
                convert.append((f.name, self._content_type))
            elif isinstance(f, models.FileField):
                convert.append((f.attname, lambda name: name or None))
            else:
                convert.append((f.attname, None))
        flags = [_secret_flag(f.name) for f in self.secrets]
        for values in qs.values_list(*columns).iterator(chunk_size=2000):
            row = {key: fn(v) if fn else v for (key, fn), v in zip(convert, values, strict=False)}
            for flag, secret in zip(flags, values[len(convert) :], strict=True):
                row[flag] = bool(secret)
            yield row


def _file_names(qs: models.QuerySet[Any], rows: _Rows) -> Iterator[str]:
    for f in rows.file_fields:
        yield from (
            qs.exclude(**{f.name: ""})
            .exclude(**{f"{f.name}__isnull": True})
            .values_list(f.name, flat=True)
            .iterator(chunk_size=2000)
        )


def _copy_file(zf: zipfile.ZipFile, name: str) -> tuple[int, str] | None:
    """Copy one stored file into the archive in chunks; (size, sha256), or None if it is missing."""
    try:
        src = default_storage.open(name, "rb")
    except (FileNotFoundError, OSError):
        return None
    suffix = os.path.splitext(name)[1].lower()
    info = zipfile.ZipInfo(f"files/{name}", date_time=timezone.now().timetuple()[:6])
    info.compress_type = zipfile.ZIP_STORED if suffix in _STORED_SUFFIXES else zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    digest = hashlib.sha256()
    size = 0
    with src, zf.open(info, "w", force_zip64=True) as dst:
        while chunk := src.read(_CHUNK):
            digest.update(chunk)
            dst.write(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


@job_function("core.data_export", resume=True)
def office_data_export(progress: Progress, *, office_id: int) -> dict[str, Any]:
    """Write every record and file of the office into one ZIP: the office's data is never locked in.

    Restricted properties are included: the export is an administrator's action for the whole
    office (`Capability.MANAGE_OFFICE`), not a view of one agent."""

    office = Office.objects.get(pk=office_id)
    out_dir = settings.DATA_DIR / "exports"
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{progress.job_id}.zip"
    sections = [(s, s.queryset(office_id), _Rows(s)) for s in EXPORT_SECTIONS]
    file_total = sum(sum(1 for _ in _file_names(qs, rows)) for _s, qs, rows in sections) + bool(office.logo)
    total = sum(qs.count() for _s, qs, _r in sections) + file_total or 1
    partial = path.with_suffix(".part")
    # Only the server's user may read an export: it holds every personal record of the office.
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as raw, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as zf:
            counts, done = _write_data(zf, office, sections, progress, total)
            files, missing = _write_files(zf, office, sections, progress, done, total)
    except BaseException:
        partial.unlink(missing_ok=True)  # no half archive left behind; the job fails (or resumes)
        raise
    partial.replace(path)
    stored = _to_shared_storage(path)
    records = sum(counts.values())
    if files:
        message = _("%(records)s and %(files)s exported") % {
            "records": ngettext("%(n)s record", "%(n)s records", records) % {"n": records},
            "files": ngettext("%(n)s file", "%(n)s files", files) % {"n": files},
        }
    else:
        message = ngettext("%(n)s record exported", "%(n)s records exported", records) % {"n": records}
    if missing:
        message += " " + ngettext(
            "(%(n)s file was missing on disk)", "(%(n)s files were missing on disk)", len(missing)
        ) % {"n": len(missing)}
    return {
        "file": path.name,
        "stored": stored,
        "counts": counts,
        "files": files,
        "missing_files": len(missing),
        "message": message,
    }


Sections = list[tuple[ExportSection, models.QuerySet[Any], _Rows]]
EXPORTS_PREFIX = "exports/"


class ExactJSONEncoder(DjangoJSONEncoder):
    """Times with all six digits of microseconds: Django's encoder cuts them to milliseconds, and a
    time with fewer than 1,000 microseconds came back from an import without its fraction, so a
    re-export differed from the export it was loaded from."""

    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime):
            text = o.isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text
        if isinstance(o, dt.time):
            return o.isoformat()
        return super().default(o)


def _to_shared_storage(path: Path) -> bool:
    """With object storage (several machines), the finished ZIP goes there: the machine that serves
    the download is rarely the worker that wrote it. On a local disk it stays private (0600) in the
    data dir. True when moved."""
    if isinstance(default_storage, FileSystemStorage):
        return False
    with path.open("rb") as fh:
        default_storage.save(EXPORTS_PREFIX + path.name, File(fh))
    path.unlink()
    return True


def export_open(name: str, *, stored: bool) -> Any:
    """The export ZIP `name` (a job's result) for reading, wherever it was put; None when it is gone."""
    if stored:
        key = EXPORTS_PREFIX + name
        return default_storage.open(key, "rb") if default_storage.exists(key) else None
    path = (settings.DATA_DIR / "exports" / name).resolve()
    # The name comes from our own job result, but never serve anything outside the export dir.
    if path.parent != (settings.DATA_DIR / "exports").resolve() or not path.is_file():
        return None
    return path.open("rb")


def _write_data(
    zf: zipfile.ZipFile, office: Any, sections: Sections, progress: Progress, total: int
) -> tuple[dict[str, int], int]:
    """data.json, row by row (`iterator`), in chunks: memory stays flat however big the office."""
    from django.forms.models import model_to_dict

    counts: dict[str, int] = {}
    done = 0
    with zf.open("data.json", "w", force_zip64=True) as binary:
        out = _Text(binary)
        out.write(f'{{"format": "maklerwerk-export", "version": {FORMAT_VERSION}, ')
        out.write(f'"exported_at": {json.dumps(timezone.now().isoformat())}, ')
        office_row = model_to_dict(office, exclude=["logo"]) | {"logo": office.logo.name or None}
        out.write(f'"office": {json.dumps(office_row, cls=ExactJSONEncoder, ensure_ascii=False)}')
        for section, qs, rows in sections:
            out.write(f', "{section.key}": [')
            counts[section.key] = 0
            for i, row in enumerate(rows.rows(qs)):
                out.write(("," if i else "") + json.dumps(row, cls=ExactJSONEncoder, ensure_ascii=False))
                counts[section.key] += 1
                done += 1
                progress.update(done, total, f"{section.key}: {counts[section.key]}")
            out.write("]")
        out.write("}")
        out.flush()
    return counts, done


def _write_files(
    zf: zipfile.ZipFile, office: Any, sections: Sections, progress: Progress, done: int, total: int
) -> tuple[int, list[str]]:
    """files/<name> for every stored file, and files.json with their checksums."""
    files = 0
    missing: list[str] = []
    # The checksums go to a temporary file first: zipfile writes one member at a time.
    with tempfile.TemporaryFile("w+", encoding="utf-8") as listing:
        seen: set[str] = set()
        logo = [office.logo.name] if office.logo else []
        names = itertools.chain(logo, *(_file_names(qs, rows) for _s, qs, rows in sections))
        for name in names:  # streamed from the database, never all in memory
            done += 1
            if name in seen:
                continue
            seen.add(name)
            copied = _copy_file(zf, name)
            if copied is None:
                missing.append(name)
                continue
            size, sha = copied
            listing.write(("," if files else "") + json.dumps({"name": name, "size": size, "sha256": sha}))
            files += 1
            progress.update(done, total, f"files: {files}")
        listing.seek(0)
        with zf.open("files.json", "w", force_zip64=True) as binary:
            binary.write(b'{"files": [')
            shutil.copyfileobj(_Bytes(listing), binary, _CHUNK)
            binary.write(f'], "missing": {json.dumps(missing, ensure_ascii=False)}}}'.encode())
    return files, missing


class _Text:
    """Writes str to a binary zip member as UTF-8, in buffered chunks."""

    def __init__(self, binary: Any) -> None:
        self.binary = binary
        self.buffer: list[str] = []
        self.size = 0

    def write(self, text: str) -> None:
        self.buffer.append(text)
        self.size += len(text)
        if self.size > _CHUNK:
            self.flush()

    def flush(self) -> None:
        self.binary.write("".join(self.buffer).encode())
        self.buffer, self.size = [], 0


class _Bytes:
    """A text file read as UTF-8 bytes (for shutil.copyfileobj into a zip member)."""

    def __init__(self, text: Any) -> None:
        self.text = text

    def read(self, size: int = -1) -> bytes:
        return self.text.read(size).encode()
