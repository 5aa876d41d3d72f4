"""Pages of the GwG file. Thin: every read and write goes through the selectors and services, which
check the GwG permission themselves (so these pages, the API and the jobs ask the same question)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from maklerwerk.accounts.http import AuthedRequest
from maklerwerk.accounts.permissions import require_capability
from maklerwerk.accounts.roles import Capability
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.core.form_errors import apply_errors
from maklerwerk.core.ids import parse_id
from maklerwerk.gwg import dossier, forms, selectors, services
from maklerwerk.gwg.checklist import case_checklist, party_identified
from maklerwerk.gwg.models import GwgCase
from maklerwerk.gwg.retention import case_held_until
from maklerwerk.gwg.views_common import contact_for_party, property_for_case
from maklerwerk.properties.selectors import property_contacts, visible_properties

GWG = Capability.GWG


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store, private"
    return response


@require_capability(GWG)
@require_GET
def case_list(request: AuthedRequest) -> HttpResponse:
    status = request.GET.get("status", "open")
    status = status if status in GwgCase.Status.values or status == "all" else "open"
    search = request.GET.get("q", "").strip()[:100]
    qs = selectors.cases(user=request.user, status="" if status == "all" else status, search=search)
    analysis = selectors.risk_analysis_current(user=request.user)
    due = analysis.review_due if analysis else None
    rows = []
    for case in qs[:200]:
        check = case_checklist(case, risk_analysis_due=due)
        rows.append({"case": case, "missing": len(check.missing), "total": len(check.items)})
    context = {
        "rows": rows,
        "status": status,
        "search": search,
        "analysis": analysis,
        "analysis_overdue": analysis is not None and analysis.review_due < timezone.localdate(),
        "deletions": selectors.deletion_records(user=request.user)[:10],
        "statuses": [("open", _("open")), ("closed", _("closed")), ("all", _("all"))],
    }
    return render(request, "gwg/list.html", context)


def _property_choices(request: AuthedRequest) -> list[tuple[int, str]]:
    qs = visible_properties(request.user).order_by("-updated_at")[:300]
    return [(p.pk, f"{p.external_id} – {p.title}") for p in qs]


@require_capability(GWG)
def case_create(request: AuthedRequest) -> HttpResponse:
    initial: dict[str, Any] = {}
    if (prop_id := parse_id(request.GET.get("property"))) is not None:
        initial["property_id"] = prop_id
    form = forms.CaseForm(request.POST or None, initial=initial, properties=_property_choices(request))
    if request.method == "POST" and form.is_valid():
        prop = property_for_case(request.user, form.cleaned_data.get("property_id"))
        try:
            case = services.case_open(
                office=request.office,
                acting_user=request.user,
                kind=form.cleaned_data["kind"],
                property_id=prop.pk if prop else None,
                property_label=f"{prop.external_id} {prop.title}".strip() if prop else "",
                price=form.cleaned_data.get("price"),
                monthly_rent=form.cleaned_data.get("monthly_rent"),
            )
        except (ApplicationError, ValidationError) as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("GwG case opened."))
            return redirect("gwg:case", case.pk)
    return render(request, "gwg/case_form.html", {"form": form})


def _contact_choices(case: GwgCase, request: AuthedRequest) -> list[tuple[int, str]]:
    if case.property_id is None:
        return []
    prop = property_for_case(request.user, case.property_id)
    if prop is None:
        return []
    seen: dict[int, str] = {}
    for link in property_contacts(prop=prop):
        seen.setdefault(link.contact_id, f"{link.contact.display_name} ({link.get_role_display()})")
    return list(seen.items())


def _case_context(request: AuthedRequest, case: GwgCase, **forms_: Any) -> dict[str, Any]:
    analysis = selectors.risk_analysis_current(user=request.user)
    parties = []
    for party in case.parties.all():
        done, hint = party_identified(party)
        parties.append(
            {"party": party, "done": done, "hint": hint, "ident": getattr(party, "identification", None)}
        )
    risk = getattr(case, "risk", None)
    return {
        "case": case,
        "parties": parties,
        "checklist": case_checklist(case, risk_analysis_due=analysis.review_due if analysis else None),
        "risk": risk,
        "notes": selectors.suspicion_notes(user=request.user, case=case),
        "views": selectors.id_copy_views(user=request.user, case=case)[:20],
        "history": selectors.case_history(user=request.user, case=case, limit=50),
        "held_until": case_held_until(case),
        "party_form": forms_.get("party_form") or forms.PartyForm(contacts=_contact_choices(case, request)),
        "risk_form": forms_.get("risk_form") or forms.RiskForm(instance=risk),
        "note_form": forms_.get("note_form") or forms.NoteForm(),
        "close_form": forms_.get("close_form") or forms.CloseForm(initial={"ended_on": timezone.localdate()}),
        "owner_form": forms.BeneficialOwnerForm(),
        "copy_form": forms.IdCopyForm(),
        "extract_form": forms.ExtractForm(initial={"checked_on": timezone.localdate()}),
    }


@require_capability(GWG)
@require_GET
def case_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(user=request.user, pk=pk)
    return _private(render(request, "gwg/case.html", _case_context(request, case)))


@require_capability(GWG)
@require_POST
def party_create(request: AuthedRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(user=request.user, pk=pk)
    form = forms.PartyForm(request.POST, contacts=_contact_choices(case, request))
    if form.is_valid():
        data = form.cleaned_data
        contact = contact_for_party(request.user, data.get("contact_id"))
        try:
            services.party_add(
                case=case,
                acting_user=request.user,
                role=data["role"],
                contact_id=contact.pk if contact else None,
                name=data.get("name") or (contact.display_name if contact else ""),
                person_kind=data["person_kind"],
                legal_form=data.get("legal_form", ""),
                register_number=data.get("register_number", ""),
                seat=data.get("seat", ""),
                representatives=data.get("representatives", ""),
            )
        except (ApplicationError, ValidationError) as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Party added."))
            return redirect("gwg:case", case.pk)
    case = selectors.case_get(user=request.user, pk=pk)
    return render(request, "gwg/case.html", _case_context(request, case, party_form=form), status=422)


@require_capability(GWG)
@require_POST
def party_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    party = selectors.party_get(user=request.user, pk=pk)
    services.party_remove(party=party, acting_user=request.user)
    messages.success(request, _("Party removed."))
    return redirect("gwg:case", party.case_id)


@require_capability(GWG)
def identification(request: AuthedRequest, pk: int) -> HttpResponse:
    party = selectors.party_get(user=request.user, pk=pk)
    ident = getattr(party, "identification", None)
    if party.is_legal:
        raise Http404
    initial = {}
    if ident is None:
        first, _sep, last = party.name.rpartition(" ")
        initial = {
            "first_names": first,
            "last_name": last or party.name,
            "nationality": "DE",
            "identified_on": timezone.localdate(),
        }
    form = forms.IdentificationForm(request.POST or None, instance=ident, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data.get(name) for name in services.IDENTIFICATION_FIELDS}
        values = {k: v for k, v in values.items() if v not in (None, "") or k in ("birth_place",)}
        try:
            services.identification_save(party=party, acting_user=request.user, **values)
        except (ApplicationError, ValidationError) as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Identification saved."))
            return redirect("gwg:case", party.case_id)
    status = 422 if request.method == "POST" else 200
    return _private(render(request, "gwg/identification.html", {"form": form, "party": party}, status=status))


@require_capability(GWG)
def id_copy(request: AuthedRequest, pk: int) -> HttpResponse:
    """GET: the decrypted copy (logged); POST: store a new one."""
    ident = selectors.identification_get(user=request.user, party_id=pk)
    if request.method == "POST":
        form = forms.IdCopyForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                services.id_copy_store(
                    ident=ident, acting_user=request.user, data=upload.read(), filename=upload.name
                )
                messages.success(request, _("Copy of the ID document stored (encrypted)."))
            except ApplicationError as exc:
                messages.error(request, exc.message)
        else:
            messages.error(request, _("Choose a file."))
        return redirect("gwg:case", ident.party.case_id)
    try:
        data, mime, name = services.id_copy_open(ident=ident, acting_user=request.user)
    except ApplicationError as exc:
        raise Http404 from exc
    response = HttpResponse(data, content_type=mime)
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return _private(response)


@require_capability(GWG)
def extract(request: AuthedRequest, pk: int) -> HttpResponse:
    party = selectors.party_get(user=request.user, pk=pk)
    if request.method == "POST":
        form = forms.ExtractForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.transparency_extract_store(
                    party=party,
                    acting_user=request.user,
                    data=form.cleaned_data["file"].read(),
                    checked_on=form.cleaned_data["checked_on"],
                )
                messages.success(request, _("Transparency Register extract stored (encrypted)."))
            except (ApplicationError, ValidationError) as exc:
                messages.error(
                    request, getattr(exc, "message", None) or " ".join(getattr(exc, "messages", []))
                )
        else:
            messages.error(request, _("Choose the file and the date of the check."))
        return redirect("gwg:case", party.case_id)
    try:
        data = services.transparency_extract_open(party=party, acting_user=request.user)
    except ApplicationError as exc:
        raise Http404 from exc
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="transparenzregister.pdf"'
    return _private(response)


@require_capability(GWG)
@require_POST
def owner_create(request: AuthedRequest, pk: int) -> HttpResponse:
    party = selectors.party_get(user=request.user, pk=pk)
    form = forms.BeneficialOwnerForm(request.POST)
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        try:
            services.beneficial_owner_add(party=party, acting_user=request.user, **data)
            messages.success(request, _("Beneficial owner added."))
        except (ApplicationError, ValidationError) as exc:
            messages.error(request, getattr(exc, "message", None) or " ".join(getattr(exc, "messages", [])))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("gwg:case", party.case_id)


@require_capability(GWG)
@require_POST
def owner_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    owner = selectors.beneficial_owner_get(user=request.user, pk=pk)
    case_id = owner.party.case_id
    services.beneficial_owner_remove(owner=owner, acting_user=request.user)
    return redirect("gwg:case", case_id)


@require_capability(GWG)
@require_POST
def risk(request: AuthedRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(user=request.user, pk=pk)
    form = forms.RiskForm(request.POST)
    if form.is_valid():
        try:
            services.risk_assess(case=case, acting_user=request.user, **form.cleaned_data)
        except (ApplicationError, ValidationError) as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Risk assessment saved."))
            return redirect("gwg:case", case.pk)
    case = selectors.case_get(user=request.user, pk=pk)
    return render(request, "gwg/case.html", _case_context(request, case, risk_form=form), status=422)


@require_capability(GWG)
@require_POST
def note_create(request: AuthedRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(user=request.user, pk=pk)
    form = forms.NoteForm(request.POST)
    if form.is_valid():
        try:
            services.suspicion_note_add(case=case, acting_user=request.user, **form.cleaned_data)
        except (ApplicationError, ValidationError) as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Suspicion note saved."))
            return redirect("gwg:case", case.pk)
    return render(request, "gwg/case.html", _case_context(request, case, note_form=form), status=422)


@require_capability(GWG)
@require_POST
def case_close(request: AuthedRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(user=request.user, pk=pk)
    if request.POST.get("reopen"):
        services.case_reopen(case=case, acting_user=request.user)
        return redirect("gwg:case", case.pk)
    form = forms.CloseForm(request.POST)
    if form.is_valid():
        try:
            services.case_close(case=case, acting_user=request.user, ended_on=form.cleaned_data["ended_on"])
        except (ApplicationError, ValidationError) as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Case closed; the retention period runs."))
            return redirect("gwg:case", case.pk)
    return render(request, "gwg/case.html", _case_context(request, case, close_form=form), status=422)


@require_capability(GWG)
@require_GET
def dossier_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(user=request.user, pk=pk)
    response = HttpResponse(dossier.dossier_pdf(case=case, user=request.user), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="gwg-akte-{case.pk}.pdf"'
    return _private(response)


@require_capability(GWG)
@require_GET
def dossier_zip(request: AuthedRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(user=request.user, pk=pk)
    response = HttpResponse(dossier.dossier_zip(case=case, user=request.user), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="gwg-akte-{case.pk}.zip"'
    return _private(response)


@require_capability(GWG)
def risk_analysis(request: AuthedRequest) -> HttpResponse:
    versions = selectors.risk_analyses(user=request.user)
    current = versions.first()
    initial = {"text": current.text} if current else {}
    form = forms.RiskAnalysisForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.risk_analysis_save(
                office=request.office,
                acting_user=request.user,
                text=form.cleaned_data["text"],
                review_due=form.cleaned_data["review_due"],
            )
        except (ApplicationError, ValidationError) as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("New version of the risk analysis saved."))
            return redirect("gwg:risk_analysis")
    context = {
        "form": form,
        "current": current,
        "versions": versions[:50],
        "overdue": current is not None and current.review_due < timezone.localdate(),
    }
    return render(request, "gwg/risk_analysis.html", context, status=422 if form.errors else 200)
