"""HTML views of the mailing app: the template editor with field catalogue, and SMTP settings."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from maklerwerk.accounts.http import AuthedRequest
from maklerwerk.accounts.permissions import require_capability
from maklerwerk.accounts.roles import Capability
from maklerwerk.contacts.selectors import contact_get
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.mailing import selectors, services
from maklerwerk.mailing.forms import SmtpSettingsForm, TemplateForm
from maklerwerk.mailing.letters import letter_pdf
from maklerwerk.mailing.models import MailTemplate, SmtpSettings
from maklerwerk.mailing.placeholders import catalogue_groups
from maklerwerk.properties.selectors import visible_properties


def _apply_errors(form: TemplateForm, exc: ValidationError | ApplicationError) -> None:
    if isinstance(exc, ApplicationError):
        form.add_error(None, exc.message)
        return
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@require_capability(Capability.VIEW)
def template_list(request: AuthedRequest) -> HttpResponse:
    templates = selectors.template_list(user=request.user)
    return render(request, "mailing/template_list.html", {"templates": templates})


@require_capability(Capability.EDIT)
@require_http_methods(["GET", "POST"])
def template_edit(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    template = selectors.template_get(user=request.user, pk=pk) if pk else None
    kind = request.GET.get("kind", MailTemplate.Kind.MAIL)  # ?kind=letter from the letter page
    kind = kind if kind in MailTemplate.Kind.values else MailTemplate.Kind.MAIL
    blank = MailTemplate(office=request.office, kind=kind)
    form = TemplateForm(request.POST or None, instance=template or blank)
    if request.method == "POST" and form.is_valid():
        try:
            if template is None:
                template = services.template_create(
                    office=request.office,
                    acting_user=request.user,
                    **form.cleaned_data,
                )
            else:
                services.template_update(template=template, acting_user=request.user, data=form.cleaned_data)
        except (ValidationError, ApplicationError) as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Template “%(name)s” saved.") % {"name": template.name})
            return redirect("mailing:template_edit", pk=template.pk)
    preview, problems = _check(
        form.data.get("subject", "") if form.is_bound else (template.subject if template else ""),
        form.data.get("body", "") if form.is_bound else (template.body if template else ""),
    )
    return render(
        request,
        "mailing/template_form.html",
        {
            "form": form,
            "template": template,
            "groups": catalogue_groups(),
            "preview": preview,
            "problems": problems,
        },
    )


def _check(subject: str, body: str) -> tuple[services.RenderedMail | None, list[services.TemplateProblem]]:
    problems = services.template_check(subject=subject, body=body)
    preview = None if problems else services.mail_render_example(subject=subject, body=body)
    return preview, problems


@require_capability(Capability.EDIT)
@require_POST
def template_check(request: AuthedRequest) -> HttpResponse:
    """The editor's live check: problems with line and reason, or a preview with example values."""
    preview, problems = _check(request.POST.get("subject", ""), request.POST.get("body", ""))
    return render(request, "mailing/template_form.html#check", {"preview": preview, "problems": problems})


@require_capability(Capability.DELETE)
@require_POST
def template_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    template = selectors.template_get(user=request.user, pk=pk)
    services.template_delete(template=template, acting_user=request.user)
    messages.success(request, _("Template deleted."))
    return redirect("mailing:template_list")


@require_capability(Capability.VIEW)
@require_http_methods(["GET", "POST"])
def smtp_settings(request: AuthedRequest) -> HttpResponse:
    """The user's own SMTP account (optional): mails they send then go out over it."""
    instance = SmtpSettings.objects.filter(user=request.user).first() or SmtpSettings(user=request.user)
    form = SmtpSettingsForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if "test" in request.POST:
            try:
                services.smtp_connection_test(user=request.user, data=data)
            except ApplicationError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Connection to the mail server works."))
        else:
            services.smtp_settings_save(user=request.user, data=data)
            messages.success(request, _("SMTP settings saved."))
            return redirect("mailing:smtp_settings")
    can_edit = request.user.can(Capability.EDIT)
    return render(request, "mailing/smtp_settings.html", {"form": form, "can_edit": can_edit})


@require_capability(Capability.EDIT)
@require_http_methods(["GET", "POST"])
def letter(request: AuthedRequest, contact_id: int) -> HttpResponse:
    """Write a letter to a contact from a letter template (optionally about one of their
    properties): the PDF is downloaded and the letter is logged on the contact."""

    user = request.user
    contact = contact_get(user=user, pk=contact_id)
    templates = MailTemplate.objects.filter(office_id=contact.office_id, kind=MailTemplate.Kind.LETTER)
    properties = visible_properties(user).filter(contact_roles__contact=contact)
    properties = properties.distinct().order_by("external_id")
    error = ""
    if request.method == "POST":
        template = templates.filter(pk=request.POST.get("template") or 0).first()
        prop = properties.filter(pk=request.POST.get("property") or 0).first()
        if template is None:
            error = _("Please choose a letter template.")
        else:
            try:
                name, pdf = letter_pdf(template=template, contact=contact, prop=prop, acting_user=user)
            except ApplicationError as exc:
                error = exc.message
            else:
                response = HttpResponse(pdf, content_type="application/pdf")
                disposition = content_disposition_header(as_attachment=True, filename=name)
                response["Content-Disposition"] = disposition
                return response
    return render(
        request,
        "mailing/letter_form.html",
        {"contact": contact, "templates": templates, "properties": properties, "error": error},
    )
