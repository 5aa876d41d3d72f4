"""Taking data over from the old system: upload a CSV, map its columns, dry run, import, undo.

Thin views over `imports.services`; the dry run and the import run as jobs (progress on the page)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from maklerwerk.accounts.http import AuthedRequest
from maklerwerk.accounts.permissions import require_capability
from maklerwerk.accounts.roles import Capability
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.core.ids import parse_id
from maklerwerk.core.jobs import job_start
from maklerwerk.core.selectors import job_get
from maklerwerk.imports import csvfile, cutover, drop, mapping, report, scout, selectors, services
from maklerwerk.imports.forms import CsvUploadForm, FtpDropForm, OpenImmoUploadForm, VCardUploadForm
from maklerwerk.imports.models import ImportRun
from maklerwerk.portals.models import Portal

JOB_KINDS = {"imports.csv_dry_run", "imports.csv_commit"}


@require_capability(Capability.EDIT)
@require_http_methods(["GET", "POST"])
def index(request: AuthedRequest) -> HttpResponse:
    """The runs so far and the upload of a new file: a CSV (contacts, properties, search profiles,
    activities), an OpenImmo file of properties or a vCard file of contacts."""
    mappings = selectors.mapping_list(user=request.user)
    form = CsvUploadForm(mappings=mappings)
    openimmo_form = OpenImmoUploadForm(prefix="openimmo")
    status = 200
    vcard_form = VCardUploadForm(prefix="vcard")
    direct: forms.Form | None = None  # an upload whose dry run starts at once (nothing to map)
    is24_portals = list(Portal.objects.filter(office=request.office, kind=Portal.Kind.IS24).order_by("name"))
    if request.method == "POST" and request.POST.get("format") == "openimmo":
        openimmo_form = OpenImmoUploadForm(request.POST, request.FILES, prefix="openimmo")
        direct = openimmo_form
        run = _upload(
            request, openimmo_form, source_system="other", kind="properties", source_format="openimmo"
        )
    elif request.method == "POST" and request.POST.get("format") == "vcard":
        vcard_form = VCardUploadForm(request.POST, request.FILES, prefix="vcard")
        direct = vcard_form
        run = _upload(request, vcard_form, source_system="other", kind="contacts", source_format="vcard")
    elif request.method == "POST" and request.POST.get("format") == "is24":
        direct, run = forms.Form(), None
        portal = next((p for p in is24_portals if p.pk == parse_id(request.POST.get("portal"))), None)
        try:
            if portal is None:
                raise ApplicationError(_("Choose an ImmobilienScout24 portal of your office."))
            run = scout.run_create(office=request.office, acting_user=request.user, portal=portal)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("imports:index")
    if direct is not None:
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
        source, kind = form.data.get("source_system", ""), form.data.get("kind", "contacts")
        run = _upload(
            request,
            form,
            source_system=source if isinstance(source, str) else "",
            kind=kind if kind in mapping.KINDS else "contacts",
            source_format=ImportRun.Format.CSV,
        )
        if run is not None:
            saved = form.cleaned_data["mapping"]
            url = reverse("imports:mapping", args=[run.pk])
            return redirect(url + (f"?mapping={saved.pk}" if saved and saved.kind == run.kind else ""))
        status = 422
    runs = selectors.run_list(user=request.user)[:50]
    context = {"form": form, "openimmo_form": openimmo_form, "vcard_form": vcard_form, "runs": runs,
               "is24_portals": is24_portals}  # fmt: skip
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
    if run.source_format != ImportRun.Format.CSV:
        raise Http404
    table = _preview(run)
    error = ""
    saved = None
    if (mapping_id := parse_id(request.POST.get("mapping") or request.GET.get("mapping"))) is not None:
        saved = selectors.mapping_get(user=request.user, pk=mapping_id)
    if request.method == "POST":
        columns = {h: request.POST.get(f"col_{i}", "") for i, h in enumerate(table.headers)}
        values = (saved.values if saved else {}) | run.values
        try:
            services.run_columns_set(run=run, acting_user=request.user, columns=columns,
                                     save_as=request.POST.get("save_as", ""), values=values)  # fmt: skip
            if mapping.value_columns(run.kind, run.columns):
                return redirect("imports:values", pk=run.pk)
            job = services.run_start(run=run, acting_user=request.user, dry_run=True)
        except ApplicationError as exc:
            error = exc.message
        else:
            return redirect(reverse("imports:run", args=[run.pk]) + f"?job={job.pk}")
        chosen = columns
    else:
        if saved is not None:
            run.mapping_name = saved.name
        chosen = mapping.suggest(
            table.headers, run.source_system, saved.columns if saved else run.columns, kind=run.kind
        )
    columns_view = [
        {
            "index": i,
            "header": h,
            "chosen": chosen.get(h, ""),
            "samples": [r[i] for r in table.rows if i < len(r) and r[i].strip()],
        }
        for i, h in enumerate(table.headers)
    ]
    context = {
        "run": run,
        "columns": columns_view,
        "targets": mapping.KIND_TARGETS[run.kind],
        "error": error,
        "saved": saved,
        "kind_label": mapping.KIND_LABELS[run.kind],
    }
    return render(request, "imports/mapping.html", context, status=422 if error else 200)


@require_capability(Capability.EDIT)
@require_http_methods(["GET", "POST"])
def run_values(request: AuthedRequest, pk: int) -> HttpResponse:
    """Which value of the old system is which of ours (Objektart, Vermarktungsart, status, type),
    suggested for onOffice, FLOWFACT and Propstack; then the dry run."""
    run = selectors.run_get(user=request.user, pk=pk)
    if run.source_format != ImportRun.Format.CSV:
        raise Http404
    with run.file.open("rb") as fh:
        try:
            table = csvfile.read_table(fh.read())
        except csvfile.CsvError as exc:
            messages.error(request, str(exc))
            return redirect("imports:run", pk=run.pk)
    groups = []
    chosen: dict[str, dict[str, str]] = {}
    for header, target in mapping.value_columns(run.kind, run.columns):
        found = mapping.distinct_values(table.headers, table.rows, header, multi=target.kind == "choices")
        saved = run.values.get(target.key, {})
        if request.method == "POST":
            saved = {
                request.POST.get(f"src_{target.key}_{i}", ""): request.POST.get(f"val_{target.key}_{i}", "")
                for i in range(len(found))
            }
        rows = [
            {"index": i, "value": v, "chosen": mapping.value_suggest(target, v, saved)}
            for i, v in enumerate(found)
        ]
        groups.append({"target": target, "header": header, "rows": rows,
                       "options": mapping.value_options(target)})  # fmt: skip
        chosen[target.key] = {str(r["value"]): str(r["chosen"]) for r in rows if r["chosen"]}
    error = ""
    if request.method == "POST":
        try:
            services.run_values_set(run=run, acting_user=request.user, values=chosen)
            job = services.run_start(run=run, acting_user=request.user, dry_run=True)
        except ApplicationError as exc:
            error = exc.message
        else:
            return redirect(reverse("imports:run", args=[run.pk]) + f"?job={job.pk}")
    context = {"run": run, "groups": groups, "error": error}
    return render(request, "imports/values.html", context, status=422 if error else 200)


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
    context["labels"] = {t.key: t.label for t in mapping.KIND_TARGETS.get(run.kind, mapping.CONTACT_TARGETS)}
    context["kind_label"] = mapping.KIND_LABELS.get(run.kind, "")
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
            _(
                "Import undone: %(removed)s records removed, %(reverted)s updates put back, %(kept)s kept "
                "because they were edited since."
            )
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


@require_capability(Capability.MANAGE_OFFICE)
@require_http_methods(["GET", "POST"])
def cutover_page(request: AuthedRequest) -> HttpResponse:
    """The switch: which system leads for which data since when, and the steps in order."""
    error = ""
    found = drop.FtpDrop.objects.filter(office=request.office).first()
    drop_form = FtpDropForm(
        initial={k: getattr(found, k) for k in ("host", "port", "username", "folder", "tls", "commit")}
        if found
        else None
    )
    if request.method == "POST" and request.POST.get("action") == "drop_fetch" and found is not None:
        job = job_start(
            kind="imports.ftp_drop", title=_("Fetch the FTP drop"), office=request.office,
            created_by=request.user, drop_id=found.pk,
        )  # fmt: skip
        return redirect(reverse("imports:cutover") + f"?job={job.pk}")
    if request.method == "POST" and request.POST.get("action") == "drop_save":
        drop_form = FtpDropForm(request.POST)
        if drop_form.is_valid():
            try:
                drop.drop_save(office=request.office, acting_user=request.user, **drop_form.cleaned_data)
            except ApplicationError as exc:
                error = exc.message
            else:
                messages.success(request, _("Saved."))
                return redirect("imports:cutover")
        else:
            error = _("Please check the FTP drop's fields.")
    elif request.method == "POST":
        try:
            if request.POST.get("step"):
                cutover.step_set(
                    office=request.office,
                    acting_user=request.user,
                    key=request.POST["step"],
                    done=request.POST.get("done") == "1",
                )
            else:
                for kind in cutover.DATA_KINDS:
                    system, since = (
                        request.POST.get(f"system_{kind}", ""),
                        request.POST.get(f"since_{kind}", ""),
                    )
                    if not system:
                        continue
                    try:
                        day = dt.date.fromisoformat(since) if since else timezone.localdate()
                    except ValueError as exc:
                        raise ApplicationError(_("“%s” is not a date.") % since) from exc
                    cutover.leading_set(
                        office=request.office, acting_user=request.user, kind=kind, system=system, since=day
                    )
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, _("Saved."))
            return redirect("imports:cutover")
    plan = cutover.plan_get(request.office)
    leading = [
        {"key": k, "label": label, **plan.leading.get(k, {"system": "", "since": ""})}
        for k, label in cutover.DATA_KINDS.items()
    ]
    steps = [{"step": s, "done": plan.steps.get(s.key)} for s in cutover.STEPS]
    next_open = next((s["step"].key for s in steps if not s["done"]), "")
    context = {
        "leading": leading,
        "systems": cutover.system_choices(),
        "steps": steps,
        "next_open": next_open,
        "error": error,
        "drop": found,
        "drop_form": drop_form,
    }
    if request.GET.get("job"):
        job = job_get(user=request.user, pk=request.GET["job"])
        if job.kind != "imports.ftp_drop":
            raise Http404
        context["job"] = job
    return render(request, "imports/cutover.html", context, status=422 if error else 200)
