"""The Datenauskunft (Art. 15 DSGVO) and data portability (Art. 20): one ZIP per contact.

- `data.json`: everything the office keeps about the person, one key per registered
  `PersonalDataSection` (`core.personal_data`), rows as the model's fields by `attname`; the format is
  documented in `docs/schemas/personal-data-export.schema.json` (tests validate against it).
- `files/<section>/<id>-<name>`: the person's files (contact files, personal documents, ...).
- `zusammenfassung.pdf`: a readable German summary (WeasyPrint, as the exposé).

Sections marked `secret` (GwG suspicion notes, §47 GwG tipping-off ban) are never written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from maklerwerk.core.personal_data import PERSONAL_DATA, PersonalDataSection

if TYPE_CHECKING:
    from maklerwerk.contacts.models import Contact

FORMAT = "maklerwerk-personal-data"
VERSION = 1
_CHUNK = 1024 * 1024


def export_dir() -> Path:
    path = settings.DATA_DIR / "privacy"
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass
class SectionRows:
    section: PersonalDataSection
    rows: list[dict[str, Any]]
    files: list[tuple[int, str, str]]  # (row id, stored name, the name the person knows)


def _value(field: models.Field[Any, Any], value: Any) -> Any:
    if field.is_relation and field.related_model is ContentType and value is not None:
        ct = ContentType.objects.get_for_id(value)
        return f"{ct.app_label}.{ct.model}"
    if isinstance(field, models.FileField):
        return value or None
    if isinstance(field, models.BinaryField):
        return None
    return value


def section_rows(section: PersonalDataSection, contact: Contact) -> SectionRows:
    """The section's rows about `contact` as JSON-able dicts, and the files they name."""
    model = section.get_model()
    fields = [
        f
        for f in model._meta.concrete_fields
        if f.name not in section.leave_out and f.attname not in section.leave_out
    ]
    files_fields = [f for f in fields if isinstance(f, models.FileField)]
    qs = section.queryset(contact.pk, contact.office_id)
    rows: list[dict[str, Any]] = []
    files: list[tuple[int, str, str]] = []
    for obj in qs.values(*[f.attname for f in fields]):
        rows.append({f.attname: _value(f, obj[f.attname]) for f in fields})
        for f in files_fields:
            if obj[f.attname]:
                shown = str(obj.get("name") or "") or os.path.basename(obj[f.attname])
                files.append((obj["id"], obj[f.attname], get_valid_filename(shown) or "datei"))
    return SectionRows(section, rows, files)


def personal_data(contact: Contact) -> Iterator[SectionRows]:
    """Every section of the person's data, in registry order, never a secret one."""
    for section in PERSONAL_DATA:
        if not section.secret:
            yield section_rows(section, contact)


def _copy(zf: zipfile.ZipFile, name: str, arcname: str) -> tuple[int, str] | None:
    try:
        src = default_storage.open(name, "rb")
    except OSError:
        return None
    digest = hashlib.sha256()
    size = 0
    with src, zf.open(arcname, "w", force_zip64=True) as dst:
        while chunk := src.read(_CHUNK):
            digest.update(chunk)
            dst.write(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def _document(contact: Contact, sections: list[SectionRows], files: list[dict[str, Any]]) -> dict[str, Any]:
    office = contact.office
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": timezone.now().isoformat(),
        "controller": {"name": office.name},
        "subject": {"contact_id": contact.pk, "name": contact.display_name},
        "sections": {s.section.key: {"label": str(s.section.label), "rows": s.rows} for s in sections},
        "files": files,
    }


def summary_pdf(contact: Contact, sections: list[SectionRows], exported_at: dt.datetime) -> bytes:
    """The readable German summary of the export."""
    # WeasyPrint takes a second to import; only this job needs it (as in exposes.render).
    from weasyprint import HTML

    blocks = []
    for s in sections:
        if not s.rows:
            continue
        names = s.section.summary or tuple(k for k in s.rows[0] if k not in ("id", "office_id"))[:4]
        blocks.append(
            {
                "label": s.section.label,
                "count": len(s.rows),
                "columns": [_label(s.section, n) for n in names],
                "rows": [[_plain(row.get(n, row.get(f"{n}_id"))) for n in names] for row in s.rows[:200]],
                "more": max(0, len(s.rows) - 200),
            }
        )
    html = render_to_string(
        "privacy/summary.html",
        {"contact": contact, "office": contact.office, "blocks": blocks, "exported_at": exported_at},
    )
    return bytes(HTML(string=html).write_pdf())


def _label(section: PersonalDataSection, name: str) -> str:
    try:
        return str(section.get_model()._meta.get_field(name).verbose_name)  # type: ignore[union-attr]  # concrete field names only
    except Exception:  # a column name that is no field (e.g. "tag_id")
        return name.replace("_", " ")


def _plain(value: Any) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%d.%m.%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)[:200]


def contact_export_write(contact: Contact, path: Path) -> dict[str, Any]:
    """Write the ZIP for `contact` to `path` (only the server's user may read it)."""
    sections = list(personal_data(contact))
    partial = path.with_suffix(".part")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    files: list[dict[str, Any]] = []
    try:
        with os.fdopen(fd, "wb") as raw, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as zf:
            for s in sections:
                for row_id, name, shown in s.files:
                    arcname = f"files/{s.section.key}/{row_id}-{shown}"
                    copied = _copy(zf, name, arcname)
                    if copied is not None:
                        files.append(
                            {
                                "section": s.section.key,
                                "id": row_id,
                                "name": shown,
                                "path": arcname,
                                "size": copied[0],
                                "sha256": copied[1],
                            }
                        )
            document = _document(contact, sections, files)
            zf.writestr(
                "data.json", json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=1)
            )
            zf.writestr("zusammenfassung.pdf", summary_pdf(contact, sections, timezone.now()))
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(path)
    return {"records": sum(len(s.rows) for s in sections), "files": len(files)}
