"""The import wizard over the API: upload a file (the dry run starts at once), poll the run's
progress, read the report, commit, undo. The same services as the HTML wizard."""

import datetime as dt
from typing import TYPE_CHECKING, Any, Literal

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from maklerwerk.accounts.http import ApiRequest
from maklerwerk.accounts.roles import Capability
from maklerwerk.api.auth import require
from maklerwerk.api.schemas import Page
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.core.selectors import job_get
from maklerwerk.imports import csvfile, mapping, selectors, services
from maklerwerk.imports.models import ImportRun, SourceSystem

router = Router(tags=["imports"])

if TYPE_CHECKING:
    ImportKind = str
    ImportFormat = str
    OldSystem = str
else:
    ImportKind = Literal[mapping.KINDS]
    ImportFormat = Literal[tuple(ImportRun.Format.values)]
    OldSystem = Literal[tuple(SourceSystem.values)]


class ImportRunProgressOut(Schema):
    id: str
    state: str
    percent: int
    message: str
    error: str


class ImportRunOut(Schema):
    id: int
    filename: str
    kind: str
    source_format: str
    source_system: str
    mapping_name: str
    columns: dict[str, str]
    values: dict[str, dict[str, str]]
    state: str
    counts: dict[str, int]
    dry_run: bool | None
    undo: dict[str, int] | None
    job: ImportRunProgressOut | None
    created_at: dt.datetime
    committed_at: dt.datetime | None
    undone_at: dt.datetime | None


def _out(user: Any, run: ImportRun) -> dict[str, Any]:
    job = None
    if run.job_id:
        try:
            found = job_get(user=user, pk=run.job_id)
        except Http404:  # a job row cleaned up since: no progress to show
            found = None
        if found is not None:
            job = {"id": str(found.pk), "state": found.state, "percent": found.percent,
                   "message": found.message, "error": found.error}  # fmt: skip
    return {
        "id": run.pk,
        "filename": run.filename,
        "kind": run.kind,
        "source_format": run.source_format,
        "source_system": run.source_system,
        "mapping_name": run.mapping_name,
        "columns": run.columns,
        "values": run.values,
        "state": run.state,
        "counts": run.report.get("counts", {}),
        "dry_run": run.report.get("dry_run"),
        "undo": run.report.get("undo"),
        "job": job,
        "created_at": run.created_at,
        "committed_at": run.committed_at,
        "undone_at": run.undone_at,
    }


@router.post(
    "/imports",
    response={201: ImportRunOut},
    summary="Upload a file to import; its dry run starts at once",
    description=(
        "Multipart: `file`, `kind` (contacts, properties, search_profiles, activities), `format` "
        "(csv, openimmo: properties from an OpenImmo XML/ZIP, vcard: contacts), `source_system` "
        "(onoffice, flowfact, propstack, other) and for CSV optionally `mapping`, the name of a "
        "mapping saved in the office (columns and value maps); without it the columns are suggested "
        "from the headers and the old system's starting profile. The dry run writes nothing; poll "
        "`GET /imports/{id}` until `state` is `checked`, read the report, then commit."
    ),
)
def import_start_api(
    request: ApiRequest,
    file: File[UploadedFile],
    kind: Form[ImportKind] = "contacts",
    format: Form[ImportFormat] = "csv",
    source_system: Form[OldSystem] = "other",
    mapping_name: Form[str] = "",
) -> Any:
    user = require(request, Capability.EDIT)
    raw = file.read()
    run = services.run_upload(
        office=request.office,
        acting_user=user,
        raw=raw,
        filename=file.name or "import",
        source_system=source_system,
        kind="contacts" if format == "vcard" else "properties" if format == "openimmo" else kind,
        source_format=format,
    )
    if run.source_format == ImportRun.Format.CSV:
        saved = None
        if mapping_name:
            saved = selectors.mapping_list(user=user, kind=run.kind).filter(name=mapping_name).first()
            if saved is None:
                raise ApplicationError(_("No saved mapping “%s” for this kind of records.") % mapping_name)
        headers = csvfile.read_table(raw, max_rows=1).headers
        columns = mapping.suggest(headers, run.source_system, saved.columns if saved else None, kind=run.kind)
        services.run_columns_set(
            run=run, acting_user=user, columns=columns, values=saved.values if saved else {}
        )
        if saved is not None:
            run.mapping_name = saved.name
            run.save(update_fields=["mapping_name"])
    services.run_start(run=run, acting_user=user, dry_run=True)
    run.refresh_from_db()
    return Status(201, _out(user, run))


@router.get("/imports", response=list[ImportRunOut], summary="The office's imports, newest first")
@paginate(Page)
def import_list_api(request: ApiRequest) -> Any:
    user = require(request, Capability.EDIT)
    return [_out(user, run) for run in selectors.run_list(user=user)[:200]]


@router.get(
    "/imports/{run_id}",
    response=ImportRunOut,
    summary="An import: its state, counts and the progress of its running job",
)
def import_get_api(request: ApiRequest, run_id: int) -> Any:
    user = require(request, Capability.EDIT)
    return _out(user, selectors.run_get(user=user, pk=run_id))


@router.get(
    "/imports/{run_id}/report",
    response=dict[str, Any],
    summary="The report of the last dry run or import: counts and the rows worth a look",
    description=(
        "`rows`: line, name, status (created, review, updated, unchanged, duplicate, conflict, "
        "skipped, failed) and per status `errors` (column, German message), `reason`, `warnings` or "
        "the duplicate it matches. The same as the CSV download of the wizard."
    ),
)
def import_report_api(request: ApiRequest, run_id: int) -> Any:
    user = require(request, Capability.EDIT)
    return selectors.run_get(user=user, pk=run_id).report


@router.post(
    "/imports/{run_id}/commit",
    response={202: ImportRunOut},
    summary="Import for real after the dry run (a job; poll the import)",
)
def import_commit_api(request: ApiRequest, run_id: int) -> Any:
    user = require(request, Capability.EDIT)
    run = selectors.run_get(user=user, pk=run_id)
    services.run_start(run=run, acting_user=user, dry_run=False)
    run.refresh_from_db()
    return Status(202, _out(user, run))


@router.post(
    "/imports/{run_id}/undo",
    response=ImportRunOut,
    summary="Undo an import: old values back, created records removed (unless edited since)",
)
def import_undo_api(request: ApiRequest, run_id: int) -> Any:
    user = require(request, Capability.DELETE)
    run = selectors.run_get(user=user, pk=run_id)
    services.run_undo(run=run, acting_user=user)
    return _out(user, run)
