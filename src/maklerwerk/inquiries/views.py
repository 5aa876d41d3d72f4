"""HTML views: inquiry list and detail, dashboard widget, mailboxes, and the public confirmation page."""

from __future__ import annotations

import json
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from maklerwerk.accounts.http import AuthedRequest
from maklerwerk.accounts.permissions import require_capability
from maklerwerk.accounts.roles import Capability
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.core.tabs import actions_for
from maklerwerk.core.views import rate_limited
from maklerwerk.inquiries import selectors, services
from maklerwerk.inquiries.forms import (
    ConfirmForm,
    InquiryRuleForm,
    InquirySettingsForm,
    MailboxForm,
    ProcessForm,
    StepFormSet,
)
from maklerwerk.inquiries.handler import mailbox_fetch as fetch
from maklerwerk.inquiries.models import Inquiry, InquiryRule, ProcessDefinition, ProcessInstance, Source
from maklerwerk.inquiries.processes import (
    STEP_PARAMS,
    definition_create,
    definition_delete,
    definition_set_active,
    definition_update,
    instance_cancel,
    processes_install_defaults,
)
from maklerwerk.mailing.models import MailTemplate
from maklerwerk.mailing.selectors import template_list


@require_capability(Capability.VIEW)
@require_GET
def inquiry_list(request: AuthedRequest) -> HttpResponse:
    status = request.GET.get("status") or None
    source = request.GET.get("source") or None
    qs = selectors.inquiry_list(user=request.user, status=status, source=source)
    counts = {
        s: n
        for s, n in selectors.inquiry_list(user=request.user)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    }
    statuses = [(value, label, counts.get(value, 0)) for value, label in Inquiry.Status.choices]
    context = {
        "inquiries": qs[:200],
        "statuses": statuses,
        "status": status,
        "source": source,
        "sources": Source.choices,
    }
    return render(request, "inquiries/list.html", context)


@require_capability(Capability.VIEW)
@require_GET
def inquiry_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    inquiry = selectors.inquiry_get(user=request.user, pk=pk)
    extra = actions_for("inquiry", inquiry.pk, request.user)  # e.g. tours: "Rundgang-Zugriff gestatten"
    return render(request, "inquiries/detail.html", {"inquiry": inquiry, "extra_actions": extra})


@require_capability(Capability.EDIT)
@require_POST
def inquiry_retry(request: AuthedRequest, pk: int) -> HttpResponse:
    inquiry = selectors.inquiry_get(user=request.user, pk=pk)
    try:
        services.inquiry_retry(inquiry=inquiry, acting_user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The inquiry was processed again."))
    return redirect("inquiries:detail", pk=pk)


@require_capability(Capability.VIEW)
@require_GET
def widget(request: AuthedRequest) -> HttpResponse:
    """Partial for the dashboard: the latest inquiries with status and a preview."""
    inquiries = selectors.widget_inquiries(user=request.user)
    return render(request, "inquiries/_widget.html", {"inquiries": inquiries})


@require_capability(Capability.VIEW)
@require_GET
def mailbox_list(request: AuthedRequest) -> HttpResponse:
    mailboxes = selectors.mailbox_list(user=request.user)
    return render(request, "inquiries/mailboxes.html", {"mailboxes": mailboxes})


@require_capability(Capability.MANAGE_OFFICE)
@require_http_methods(["GET", "POST"])
def mailbox_create(request: AuthedRequest) -> HttpResponse:
    office = request.office
    form = MailboxForm(request.POST or None, office=office, initial={"main_user": request.user.pk})
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "main_user"}
        data["main_user_id"] = form.cleaned_data["main_user"].pk
        try:
            services.mailbox_create(office=office, acting_user=request.user, data=data)
        except ValidationError as exc:
            for field, errs in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errs)
        else:
            messages.success(request, _("Mailbox saved."))
            return redirect("inquiries:mailboxes")
    return render(request, "inquiries/mailbox_form.html", {"form": form})


@require_capability(Capability.EDIT)
@require_POST
def mailbox_fetch(request: AuthedRequest, pk: int) -> HttpResponse:

    mailbox = selectors.mailbox_get(user=request.user, pk=pk)
    result = fetch(mailbox)
    if result.error:
        messages.error(request, _("Fetching failed: %(error)s") % {"error": result.error})
    else:
        messages.success(
            request,
            _("%(new)s new inquiries, %(known)s already known.")
            % {"new": result.taken_in, "known": result.already_known},
        )
    return redirect("inquiries:mailboxes")


@require_capability(Capability.EDIT)
@require_POST
def process_cancel(request: AuthedRequest, pk: int) -> HttpResponse:

    instance = selectors.instance_get(user=request.user, pk=pk)
    try:
        instance_cancel(instance=instance, acting_user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Process cancelled."))
    return redirect(request.POST.get("next") or "inquiries:list")


# --- process manager (Prozessmanager) -------------------------------------------------------------


@require_capability(Capability.VIEW)
@require_GET
def process_list(request: AuthedRequest) -> HttpResponse:
    """The office's follow-up processes with their steps."""

    office = request.office
    processes_install_defaults(office=office)
    definitions = (
        ProcessDefinition.objects.filter(office=office)
        .prefetch_related("steps")
        .annotate(running=Count("instances", filter=Q(instances__status=ProcessInstance.Status.RUNNING)))
    )
    return render(request, "inquiries/processes.html", {"definitions": definitions})


def _step_initial(definition: ProcessDefinition | None) -> list[dict[str, Any]]:
    if definition is None:
        return [{"kind": "", "ORDER": 1}]
    return [
        {"kind": step.kind, **step.params, "ORDER": i} for i, step in enumerate(definition.steps.all(), 1)
    ]


@require_capability(Capability.MANAGE_OFFICE)
@require_http_methods(["GET", "POST"])
def process_edit(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    """Create or change a process: name, trigger, and its steps in order (drag or number them)."""

    office = request.office
    definition = get_object_or_404(ProcessDefinition, pk=pk, office=office) if pk else None
    initial = (
        {"name": definition.name, "trigger": definition.trigger, "active": definition.active}
        if definition
        else {"active": True}
    )
    form = ProcessForm(request.POST or None, initial=initial)
    steps = StepFormSet(request.POST or None, initial=_step_initial(definition), prefix="steps")
    if request.method == "POST" and form.is_valid() and steps.is_valid():
        data = {
            **form.cleaned_data,
            "steps": [
                {
                    "kind": f.cleaned_data["kind"],
                    "params": {p: f.cleaned_data.get(p) for p in STEP_PARAMS[kind]},
                }
                for f in steps.ordered_forms
                if (kind := f.cleaned_data.get("kind")) and not f.cleaned_data.get("DELETE")
            ],
        }
        try:
            if definition is None:
                definition_create(office=office, acting_user=request.user, data=data)
            else:
                definition_update(definition=definition, acting_user=request.user, data=data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Process saved."))
            return redirect("inquiries:processes")
    return render(
        request,
        "inquiries/process_form.html",
        {
            "form": form,
            "steps": steps,
            "definition": definition,
            "step_params_json": json.dumps({str(k): list(v) for k, v in STEP_PARAMS.items()}),
            # a mail step can start from a saved template: the picker copies its subject and text
            "mail_templates": [
                {"id": t.pk, "name": t.name, "subject": t.subject, "body": t.body}
                for t in template_list(user=request.user, kind=MailTemplate.Kind.MAIL)
            ],
            "param_names": [name for names in STEP_PARAMS.values() for name in names],
        },
    )


@require_capability(Capability.MANAGE_OFFICE)
@require_POST
def process_toggle(request: AuthedRequest, pk: int) -> HttpResponse:

    definition = get_object_or_404(ProcessDefinition, pk=pk, office=request.office)
    definition_set_active(definition=definition, acting_user=request.user, active=not definition.active)
    messages.success(request, _("Process switched off.") if definition.active else _("Process switched on."))
    return redirect("inquiries:processes")


@require_capability(Capability.MANAGE_OFFICE)
@require_POST
def process_delete(request: AuthedRequest, pk: int) -> HttpResponse:

    definition = get_object_or_404(ProcessDefinition, pk=pk, office=request.office)
    try:
        definition_delete(definition=definition, acting_user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Process deleted."))
    return redirect("inquiries:processes")


# --- public double-opt-in page ---------------------------------------------------------------------


@login_not_required
@never_cache
@ratelimit(key="ip", rate="30/m", block=False)
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    if getattr(request, "limited", False):
        # block=True would be a bare 403 without django-ratelimit's middleware; answer 429 like properties.

        return rate_limited(request, Exception("rate limited"))
    try:
        inquiry = services.confirmation_resolve(token)
    except services.ConfirmationInvalid as exc:
        return render(
            request,
            "inquiries/confirm_invalid.html",
            {"kind": exc.kind},
            status=410 if exc.kind != "unknown" else 404,
        )
    initial = {k: getattr(inquiry, k) for k in services.CONFIRM_FIELDS}
    form = ConfirmForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.confirmation_validate(office=inquiry.office, data=form.cleaned_data)
            inquiry = services.inquiry_confirm(token=token, data=form.cleaned_data)
        except services.ConfirmationInvalid as exc:
            return render(request, "inquiries/confirm_invalid.html", {"kind": exc.kind}, status=410)
        except ValidationError as exc:
            for field, errs in exc.message_dict.items():
                target = {"phones": "phone"}.get(field, field)
                form.add_error(target if target in form.fields else None, errs)
        else:
            return render(
                request, "inquiries/confirm_done.html", {"inquiry": inquiry, "office": inquiry.office}
            )
    return render(
        request, "inquiries/confirm.html", {"form": form, "inquiry": inquiry, "office": inquiry.office}
    )


@require_capability(Capability.MANAGE_OFFICE)
@require_http_methods(["GET", "POST"])
def settings_page(request: AuthedRequest) -> HttpResponse:
    """The office's inquiry-manager settings and its exceptions (rules)."""

    office = request.office
    current = services.settings_for(office)
    form = InquirySettingsForm(instance=current, office_id=office.pk)
    rule_form = InquiryRuleForm(office_id=office.pk, prefix="rule")
    if request.method == "POST" and "save_settings" in request.POST:
        form = InquirySettingsForm(request.POST, instance=current, office_id=office.pk)
        if form.is_valid():
            form.save()
            messages.success(request, _("Inquiry settings saved."))
            return redirect("inquiries:settings")
    elif request.method == "POST" and "add_rule" in request.POST:
        rule_form = InquiryRuleForm(request.POST, office_id=office.pk, prefix="rule")
        if rule_form.is_valid():
            rule = rule_form.save(commit=False)
            rule.office = office
            rule.save()
            messages.success(request, _("Exception added."))
            return redirect("inquiries:settings")
    elif request.method == "POST" and "delete_rule" in request.POST:
        deleted, _rows = InquiryRule.objects.filter(  # type: ignore[misc]  # a missing id deletes nothing
            office=office, pk=request.POST.get("delete_rule")
        ).delete()
        if deleted:
            messages.success(request, _("Exception deleted."))
        return redirect("inquiries:settings")
    rules = list(InquiryRule.objects.filter(office=office).select_related("property"))
    # "Wohnung", "Miete / Pacht" as the form offers them, never the stored codes.
    labels = {
        **dict(cast(list[tuple[str, str]], cast(forms.ChoiceField, rule_form.fields["object_kind"]).choices)),
        **dict(
            cast(list[tuple[str, str]], cast(forms.ChoiceField, rule_form.fields["marketing_type"]).choices)
        ),
    }
    for rule in rules:
        rule.kind_label = labels.get(rule.object_kind, rule.object_kind)  # type: ignore[attr-defined]  # a label for the template only
        rule.marketing_label = labels.get(rule.marketing_type, rule.marketing_type)  # type: ignore[attr-defined]  # for the template
    return render(request, "inquiries/settings.html", {"form": form, "rule_form": rule_form, "rules": rules})
