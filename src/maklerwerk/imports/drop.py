"""The inbound OpenImmo FTP drop: the office adds Maklerwerk as a portal in the old system, which
uploads its (full) export to an FTP folder; `drop_fetch` takes every complete package there and
imports it like an upload: a run per package (kept, with its report on the imports page), the dry
run, and, unless the office chose to look first, the commit. A package that was read is moved to
the sub-folder "importiert" (a re-sent package is a new run, which finds everything unchanged).
A package that cannot be read stays a run with its German reason, moved to "fehlerhaft"."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from maklerwerk.accounts.permissions import ensure_capability
from maklerwerk.accounts.roles import Capability
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.imports import openimmo, services
from maklerwerk.imports.models import FtpDrop, ImportRun
from maklerwerk.integrations.ftp import client

if TYPE_CHECKING:
    from maklerwerk.accounts.models import Office, User

DONE_FOLDER = "importiert"
BAD_FOLDER = "fehlerhaft"


@dataclass
class DropResult:
    runs: list[int] = field(default_factory=list)  # the runs made, one per package
    failed: list[str] = field(default_factory=list)  # German reasons of packages not read

    @property
    def message(self) -> str:
        return _("%(runs)s packages fetched, %(failed)s unreadable.") % {
            "runs": len(self.runs),
            "failed": len(self.failed),
        }


def target(drop: FtpDrop) -> client.FtpTarget:
    return client.FtpTarget(
        host=drop.host, port=drop.port, user=drop.username, password=drop.get_password(),
        folder=drop.folder, tls=drop.tls,
    )  # fmt: skip


@transaction.atomic
def drop_save(
    *, office: Office, acting_user: User, host: str, port: int, username: str, password: str = "",
    folder: str = "", tls: bool = False, commit: bool = True,
) -> FtpDrop:  # fmt: skip
    """Set the office's drop (an empty password keeps the stored one). Imports run as `acting_user`."""
    ensure_capability(acting_user, Capability.MANAGE_OFFICE)
    drop = FtpDrop.objects.filter(office=office).first() or FtpDrop(office=office)
    drop.host, drop.port, drop.username, drop.folder = host.strip(), port, username.strip(), folder.strip()
    drop.tls, drop.commit, drop.acting_user = tls, commit, acting_user
    if password:
        drop.set_password(password)
    drop.full_clean()
    drop.save()
    return drop


def drop_fetch(*, drop: FtpDrop) -> DropResult:
    """Fetch and import every package in the drop folder (see the module's doc)."""
    user = drop.acting_user
    if user is None:
        raise ApplicationError(_("The FTP drop has no user to import as; save it again."))
    where = target(drop)
    result = DropResult()
    try:
        found = client.packages(where)
    except client.FtpError as exc:
        _note(drop, str(exc))
        raise ApplicationError(str(exc)) from exc
    for name, size in found:
        if size > settings.MAX_UPLOAD_BYTES:
            result.failed.append(_("%s is too large.") % name)
            client.move_aside(where, name, BAD_FOLDER)
            continue
        raw = client.download(where, name, settings.MAX_UPLOAD_BYTES)
        try:
            run = services.run_upload(
                office=drop.office, acting_user=user, raw=raw, filename=name, source_system="other",
                kind="properties", source_format=ImportRun.Format.OPENIMMO,
            )  # fmt: skip
        except ApplicationError as exc:
            result.failed.append(f"{name}: {exc.message}")
            client.move_aside(where, name, BAD_FOLDER)
            continue
        report = openimmo.run_listings(run=run, acting_user=user, dry_run=True).as_dict()
        services.run_report_save(run=run, report=report)
        if drop.commit:
            report = openimmo.run_listings(run=run, acting_user=user, dry_run=False).as_dict()
            services.run_report_save(run=run, report=report)
        result.runs.append(run.pk)
        client.move_aside(where, name, DONE_FOLDER)
    _note(drop, result.message + (" " + " ".join(result.failed) if result.failed else ""))
    return result


def _note(drop: FtpDrop, message: str) -> None:
    drop.last_fetch_at, drop.last_message = timezone.now(), message[:500]
    drop.save(update_fields=["last_fetch_at", "last_message"])
