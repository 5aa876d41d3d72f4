"""Loading an office export (core/export.py) into an empty instance: the way back in after leaving.

`office_import(path)` reads `data.json` section by section in the export's dependency order and
inserts every row with its original primary key (the instance is empty, so nothing collides and
every reference stays right), keeps timestamps as they were (`auto_now` is suspended while
loading), restores content types by name, copies every file from `files/` to the same stored name
and checks it against the SHA-256 in `files.json`. All of it in one transaction: a bad archive
leaves nothing behind. What the export leaves out stays empty: logins (users get an unusable
password and set a new one by reset), mail passwords, share-link tokens; values derived from
others (match fields) are computed again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import secrets
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils.translation import gettext as _

from maklerwerk.accounts.models import Office, User
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.core.export import EXPORT_SECTIONS, FORMAT_VERSION, ExportSection

BATCH = 1000


@contextlib.contextmanager
def _timestamps_kept(model_classes: list[type[models.Model]]) -> Iterator[None]:
    """`auto_now`/`auto_now_add` off while loading: the rows keep the times they were written."""
    changed: list[tuple[models.DateField[Any, Any] | models.TimeField[Any, Any], bool, bool]] = []
    for model in model_classes:
        for f in model._meta.concrete_fields:
            if isinstance(f, models.DateField | models.TimeField) and (f.auto_now or f.auto_now_add):
                changed.append((f, f.auto_now, f.auto_now_add))
                f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, now, now_add in changed:
            f.auto_now, f.auto_now_add = now, now_add


def _converter(model: type[models.Model]) -> Any:

    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    cts: dict[str, int] = {}

    def content_type(label: str | None) -> int | None:
        if label is None:
            return None
        if label not in cts:
            app_label, name = label.split(".", 1)
            cts[label] = ContentType.objects.get_by_natural_key(app_label, name).pk
        return cts[label]

    def convert(row: dict[str, Any]) -> models.Model:
        values: dict[str, Any] = {}
        for key, value in row.items():
            field = by_attname.get(key) or next(
                (f for f in by_attname.values() if f.name == key and f.related_model is ContentType), None
            )
            if field is None:
                continue  # "<secret>_set" flags and fields this version no longer has
            if field.is_relation and field.related_model is ContentType:
                values[field.attname] = content_type(value)
            elif field.is_relation or isinstance(field, models.FileField | models.JSONField) or value is None:
                values[field.attname] = value or ("" if isinstance(field, models.FileField) else value)
            else:
                values[field.attname] = field.to_python(value)
        obj = model(**values)
        if isinstance(obj, User):
            obj.password = make_password(None)  # logins come back by a password reset
        return obj

    return convert


def _check(zf: zipfile.ZipFile) -> dict[str, Any]:
    try:
        data = json.loads(zf.read("data.json"))
    except (KeyError, ValueError) as exc:
        raise ApplicationError(
            _("This is not a Maklerwerk office export (data.json is missing or broken).")
        ) from exc
    if data.get("format") != "maklerwerk-export" or data.get("version") != FORMAT_VERSION:
        raise ApplicationError(_("This export has another format version and cannot be loaded here."))

    if Office.objects.exists():
        raise ApplicationError(_("An office export can only be loaded into an empty instance."))
    return data


def _load_section(section: ExportSection, rows: list[dict[str, Any]]) -> type[models.Model]:
    model = section.get_model()
    convert = _converter(model)
    objs = [convert(row) for row in rows]
    # Unique secrets the export leaves out (link token hashes) get random values nobody holds a
    # token for: the links come back dead, the agent sends new ones; an empty value would collide.
    dead = [
        f
        for f in model._meta.concrete_fields
        if f.name in section.leave_out and f.unique and isinstance(f, models.CharField)
    ]
    for obj in objs:
        for field in dead:
            setattr(obj, field.attname, secrets.token_hex(min(32, (field.max_length or 64) // 2)))
    model._default_manager.bulk_create(objs, batch_size=BATCH)
    if hasattr(model, "refresh_match_fields"):
        for obj in model._default_manager.all().iterator():
            obj.refresh_match_fields()
            obj.save(
                update_fields=[f.name for f in model._meta.concrete_fields if f.name in section.leave_out]
            )
    return model


def _load_sections(
    data: dict[str, Any],
    sections: list[ExportSection],
    loaded: list[type[models.Model]],
    counts: dict[str, int],
) -> None:
    with _timestamps_kept([s.get_model() for s in sections]):
        for section in sections:
            rows = data.get(section.key, [])
            loaded.append(_load_section(section, rows))
            counts[section.key] = len(rows)


def _restore_files(zf: zipfile.ZipFile) -> int:
    listing = json.loads(zf.read("files.json"))
    for entry in listing["files"]:
        body = zf.read(f"files/{entry['name']}")
        if hashlib.sha256(body).hexdigest() != entry["sha256"]:
            raise ApplicationError(
                _("The file %s in the export is damaged (checksum differs).") % entry["name"]
            )
        default_storage.delete(entry["name"])
        stored = default_storage.save(entry["name"], ContentFile(body))
        if stored != entry["name"]:
            raise ApplicationError(_("The file %s could not be stored under its name.") % entry["name"])
    return len(listing["files"])


def office_import(path: Path) -> dict[str, Any]:
    """Load the export at `path` into this (empty) instance; returns counts per section and files."""

    try:
        zf = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise ApplicationError(_("The export file cannot be read.")) from exc
    with zf:
        data = _check(zf)
        sections = list(EXPORT_SECTIONS)
        loaded: list[type[models.Model]] = [Office]
        counts: dict[str, int] = {}
        with transaction.atomic():
            # the header has the office's editable fields only: its times are those of the load
            names = {f.name for f in Office._meta.concrete_fields} - {"logo"}
            office = Office(pk=_office_id(data), **{k: v for k, v in data["office"].items() if k in names})
            office.logo.name = data["office"].get("logo") or ""
            office.save(force_insert=True)
            _load_sections(data, sections, loaded, counts)
            files = _restore_files(zf)
            _reset_sequences(loaded)
    return {"office_id": office.pk, "counts": counts, "files": files}


def _office_id(data: dict[str, Any]) -> int | None:
    """The office's id in the old instance (the export's header has none; every row refers to it)."""
    for section in EXPORT_SECTIONS:
        for row in data.get(section.key, []):
            if row.get("office_id") is not None:
                return int(row["office_id"])
    return None


def _reset_sequences(model_classes: list[type[models.Model]]) -> None:
    """Rows came with their ids: the next new row must not collide (PostgreSQL sequences)."""
    statements = connection.ops.sequence_reset_sql(no_style(), model_classes)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
