"""Taking data over from the old system: upload a CSV, map its columns, dry run, import, undo.

Thin views over `imports.services`; the dry run and the import run as jobs (progress on the page)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from maklerwerk.accounts.http import AuthedRequest
from maklerwerk.accounts.permissions import require_capability
from maklerwerk.accounts.roles import Capability
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.core.ids import parse_id
from maklerwerk.core.selectors import job_get
from maklerwerk.imports import csvfile, mapping, report, selectors, services
from maklerwerk.imports.forms import CsvUploadForm, OpenImmoUploadForm
from maklerwerk.imports.models import ImportRun

JOB_KINDS = {"imports.csv_dry_run", "imports.csv_commit"}


@require_capability(Capability.EDIT)
@require_http_methods(["GET", "POST"])
def index(request: AuthedRequest) -> HttpResponse:
    """The runs so far and the upload of a new file (CSV of contacts, or OpenImmo of properties)."""
    mappings = selectors.mapping_list(user=request.user)
    form = CsvUploadForm(mappings=mappings)
    openimmo_form = OpenImmoUploadForm(prefix="openimmo")
    status = 200
    if request.method == "POST" and request.POST.get("kind") == "properties":
        openimmo_form = OpenImmoUploadForm(request.POST, request.FILES, prefix="openimmo")
        run = _upload(request, openimmo_form, source_system="other", kind="properties")
        if run is not None:
            try:
                job = services.run_start(run=run, acting_user=request.user, dry_run=True)
            except ApplicationError as exc:
                messages.error(request, exc.message)
                return redirect("imports:run", pk=run.pk)
            return redirect(reverse("imports:run", args=[run.pk]) + f"?job={job.pk}")
        status = 422
    elif request.method == "POST":
        form = CsvUploadForm(request.POST, request.FILES, mappings=mappings)
        source = form.data.get("source_system", "")
        run = _upload(request, form, source_system=source if isinstance(source, str) else "")
        if run is not None:
            saved = form.cleaned_data["mapping"]
            url = reverse("imports:mapping", args=[run.pk])
            return redirect(url + (f"?mapping={saved.pk}" if saved else ""))
        status = 422
    runs = selectors.run_list(user=request.user)[:50]
    context = {"form": form, "openimmo_form": openimmo_form, "runs": runs}
    return render(request, "imports/index.html", context, status=status)


def _upload(request: AuthedRequest, form: Any, **kwargs: Any) -> ImportRun | None:
    """The uploaded file kept as a run, or None with the reason on the form's file field."""
    if not form.is_valid():
        return None
    upload = form.cleaned_data["file"]
    try:
        return services.run_upload(
            office=request.office,
            acting_user=request.user,
            raw=upload.read(),
            filename=upload.name,
            **kwargs,
        )
    except ApplicationError as exc:
        form.add_error("file", exc.message)
        return None


def _preview(run: ImportRun) -> csvfile.Table:
    with run.file.open("rb") as fh:
        return csvfile.read_table(fh.read(), max_rows=3)


@require_capability(Capability.EDIT)
@require_http_methods(["GET", "POST"])
def run_mapping(request: AuthedRequest, pk: int) -> HttpResponse:
    """Which column is which field (suggested; a saved mapping applied), then the dry run."""
    run = selectors.run_get(user=request.user, pk=pk)
    if run.kind != "contacts":
        raise Http404
    table = _preview(run)
    error = ""
    if request.method == "POST":
        columns = {h: request.POST.get(f"col_{i}", "") for i, h in enumerate(table.headers)}
        try:
            services.run_columns_set(run=run, acting_user=request.user, columns=columns,
                                     save_as=request.POST.get("save_as", ""))  # fmt: skip
            job = services.run_start(run=run, acting_user=request.user, dry_run=True)
        except ApplicationError as exc:
            error = exc.message
        else:
            return redirect(reverse("imports:run", args=[run.pk]) + f"?job={job.pk}")
        chosen = columns
    else:
        saved = None
        if (mapping_id := parse_id(request.GET.get("mapping"))) is not None:
            saved = selectors.mapping_get(user=request.user, pk=mapping_id)
        if saved is not None:
            run.mapping_name = saved.name
        chosen = mapping.suggest(table.headers, run.source_system, saved.columns if saved else run.columns)
    columns_view = [
        {
            "index": i,
            "header": h,
            "chosen": chosen.get(h, ""),
            "samples": [r[i] for r in table.rows if i < len(r) and r[i].strip()],
        }
        for i, h in enumerate(table.headers)
    ]
    context = {"run": run, "columns": columns_view, "targets": mapping.CONTACT_TARGETS, "error": error}
    return render(request, "imports/mapping.html", context, status=422 if error else 200)


@require_capability(Capability.EDIT)
@require_http_methods(["GET"])
def run_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """A run: its job's progress, then the report of the dry run or import, and what comes next."""
    run = selectors.run_get(user=request.user, pk=pk)
    context: dict[str, Any] = {"run": run, "report": run.report}
    if request.GET.get("job"):
        job = job_get(user=request.user, pk=request.GET["job"])
        if job.kind not in JOB_KINDS or job.params.get("run_id") != run.pk:
            raise Http404
        context["job"] = job
    context["labels"] = {t.key: t.label for t in mapping.CONTACT_TARGETS}
    return render(request, "imports/run.html", context)


@require_capability(Capability.EDIT)
@require_POST
def run_commit(request: AuthedRequest, pk: int) -> HttpResponse:
    run = selectors.run_get(user=request.user, pk=pk)
    try:
        job = services.run_start(run=run, acting_user=request.user, dry_run=False)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("imports:run", pk=run.pk)
    return redirect(reverse("imports:run", args=[run.pk]) + f"?job={job.pk}")


@require_capability(Capability.DELETE)
@require_POST
def run_undo(request: AuthedRequest, pk: int) -> HttpResponse:
    run = selectors.run_get(user=request.user, pk=pk)
    try:
        done = services.run_undo(run=run, acting_user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Import undone: %(removed)s records removed, %(kept)s kept because they were edited since.")
            % done,
        )
    return redirect("imports:run", pk=run.pk)


@require_capability(Capability.EDIT)
@require_http_methods(["GET"])
def run_report(request: AuthedRequest, pk: int) -> HttpResponse:
    """The last dry run's or import's report as a CSV file: errors by line and column, duplicates."""
    run = selectors.run_get(user=request.user, pk=pk)
    response = HttpResponse(report.report_csv(run.report), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="importbericht-{run.pk}.csv"'
    return response
