"""HTML views: exposé page (preview, download, send), offers (new, progress, retry), evidence record."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.csp import CSP
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from maklerwerk.accounts.http import AuthedRequest
from maklerwerk.accounts.permissions import require_capability
from maklerwerk.accounts.roles import Capability
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.core.ids import parse_id, parse_ids
from maklerwerk.core.models import Activity
from maklerwerk.core.pagination import CappedPaginator
from maklerwerk.exposes import selectors, services
from maklerwerk.exposes.evidence import evidence_pdf
from maklerwerk.exposes.extras import extra_choices
from maklerwerk.exposes.forms import ExposeSettingsForm, ExposeTemplateForm, OfferForm
from maklerwerk.exposes.models import ExposeTemplate, OfferRecipient, PropertyExposeSettings
from maklerwerk.exposes.render import ExposePdfExporter, expose_html
from maklerwerk.mailing import selectors as mailing_selectors
from maklerwerk.mailing.placeholders import MailContext
from maklerwerk.mailing.services import mail_render
from maklerwerk.properties.models import Property, PropertyDocument

PREVIEW_CSP: dict[str, Any] = {**settings.SECURE_CSP, "script-src": [CSP.NONE], "frame-ancestors": [CSP.SELF]}


def _ids(raw: str | None) -> list[int]:
    return parse_ids((raw or "").split(","))


def _language(request: AuthedRequest) -> str:
    return "en" if request.GET.get("language") == "en" else "de"


@require_capability(Capability.VIEW)
@require_http_methods(["GET", "POST"])
def property_page(request: AuthedRequest, pk: int) -> HttpResponse:
    """The exposé of a property: preview, download (German/English, layout), send, settings."""
    prop = selectors.property_get(user=request.user, pk=pk)
    templates = [(t.pk, t.name) for t in selectors.expose_template_list(user=request.user)]
    row = PropertyExposeSettings.objects.filter(property=prop).first()
    form = ExposeSettingsForm(
        request.POST or None,
        templates=templates,
        initial={
            "template": row.template_id if row else None,
            "virtual_tour_url": row.virtual_tour_url if row else "",
        },
    )
    if request.method == "POST":
        if not request.user.can(Capability.EDIT):
            return HttpResponse(status=403)
        if form.is_valid():
            template = selectors.expose_template_get(user=request.user, pk=form.cleaned_data["template"])
            services.expose_settings_save(
                prop=prop, template=template, virtual_tour_url=form.cleaned_data["virtual_tour_url"]
            )
            messages.success(request, _("Exposé settings saved."))
            return redirect("exposes:property", pk=prop.pk)
    offers = selectors.offer_list(user=request.user, property_id=prop.pk)[:20]
    prospects = prop.contact_roles.select_related("contact").filter(role="prospect")
    return render(
        request,
        "exposes/property.html",
        {"prop": prop, "form": form, "offers": offers, "prospects": prospects, "templates": templates},
    )


@require_capability(Capability.VIEW)
@require_GET
@xframe_options_sameorigin
@csp_override(PREVIEW_CSP)
def property_preview(request: AuthedRequest, pk: int) -> HttpResponse:
    """The exposé as an HTML page (the same template the PDF is printed from); no scripts allowed."""
    prop = selectors.property_get(user=request.user, pk=pk)
    template = selectors.expose_template_get(user=request.user, pk=_int(request.GET.get("template")))
    return HttpResponse(expose_html(prop, template=template, language=_language(request), preview=True))


def _int(value: Any) -> int | None:
    return parse_id(value)


@require_capability(Capability.VIEW)
@require_GET
def property_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    prop = selectors.property_get(user=request.user, pk=pk)
    template = selectors.expose_template_get(user=request.user, pk=_int(request.GET.get("template")))
    name, mimetype, content = ExposePdfExporter().render(prop, template=template, language=_language(request))
    response = HttpResponse(content, content_type=mimetype)
    disposition = "inline" if request.GET.get("inline") else "attachment"
    from django.utils.http import content_disposition_header

    response["Content-Disposition"] = content_disposition_header(disposition == "attachment", name)  # type: ignore[assignment]  # has a name
    return response


# --- offers ---------------------------------------------------------------------------------------


def _offer_choices(request: AuthedRequest, contact_ids: list[int], property_ids: list[int]) -> dict[str, Any]:
    user = request.user
    properties = selectors.properties_for_ids(user=user, ids=property_ids)
    contact_list = selectors.contacts_for_ids(user=user, ids=contact_ids)
    if len(properties) == 1 and not contact_ids:
        contact_list = [
            r.contact for r in properties[0].contact_roles.select_related("contact").filter(role="prospect")
        ]

    documents = PropertyDocument.objects.filter(property__in=properties).select_related("property")
    templates = mailing_selectors.template_list(user=user, kind="mail")
    return {
        "contact_objs": contact_list,
        "property_objs": properties,
        "contacts": [(c.pk, c.display_name) for c in contact_list],
        "properties": [(p.pk, str(p)) for p in properties],
        "templates": [(t.pk, t.name) for t in templates],
        "template_objs": list(templates),
        "expose_templates": [(t.pk, t.name) for t in selectors.expose_template_list(user=user)],
        "documents": [(d.pk, f"{d.title} ({d.property.external_id})") for d in documents],
        "extras": extra_choices(properties),
    }


@require_capability(Capability.EDIT)
@require_http_methods(["GET", "POST"])
def offer_new(request: AuthedRequest) -> HttpResponse:
    """Start an offer from a property (?property=1&contacts=2,3) or a contact (?contact=2&properties=1,4)."""
    source = request.POST if request.method == "POST" else request.GET
    if request.method == "POST":
        contact_ids = parse_ids(request.POST.getlist("contacts"))
        property_ids = parse_ids(request.POST.getlist("properties"))
        contact_ids += _ids(request.POST.get("all_contacts"))
        property_ids += _ids(request.POST.get("all_properties"))
    else:
        contact_ids = _ids(source.get("contacts")) + _ids(source.get("contact"))
        # The property's match list submits its checked rows as contact_ids=1&contact_ids=2.
        contact_ids += parse_ids(source.getlist("contact_ids"))
        property_ids = _ids(source.get("properties")) + _ids(source.get("property"))
    choices = _offer_choices(request, list(dict.fromkeys(contact_ids)), list(dict.fromkeys(property_ids)))
    default_template = next(
        (pk for pk, t in ((t.pk, t) for t in choices["template_objs"]) if t.key == "expose"), None
    )
    form = OfferForm(
        request.POST if request.method == "POST" else None,
        choices=choices,
        initial={
            "contacts": [pk for pk, _n in choices["contacts"]],
            "properties": [pk for pk, _n in choices["properties"]],
            "template": default_template,
            "attach_expose": True,
            "language": "de",
        },
    )
    previews: list[dict[str, Any]] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        contacts = selectors.contacts_for_ids(user=request.user, ids=data["contacts"])
        properties = selectors.properties_for_ids(user=request.user, ids=data["properties"])
        template = mailing_selectors.template_get(user=request.user, pk=data["template"])
        if "preview" in request.POST:
            previews = _previews(request, contacts, properties, template)
        else:
            try:
                offer = services.offer_create(
                    office=request.office,
                    acting_user=request.user,
                    contacts=contacts,
                    properties=properties,
                    mail_template=template,
                    attach_expose=data["attach_expose"],
                    expose_template=selectors.expose_template_get(
                        user=request.user, pk=data["expose_template"]
                    ),
                    expose_language=data["language"],
                    document_ids=data["documents"],
                    extras=data["extras"],
                )
                services.offer_send_start(offer=offer, acting_user=request.user)
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                return redirect("exposes:offer", pk=offer.pk)
    return render(request, "exposes/offer_new.html", {"form": form, "choices": choices, "previews": previews})


def _previews(
    request: AuthedRequest, contacts: list[Any], properties: list[Any], template: Any
) -> list[dict[str, Any]]:
    """Each recipient's final mail (links shown as placeholders; nothing is created or sent)."""
    rows = []
    problems = services.consent_problems(contacts)
    for contact in contacts:
        address, reason = services.recipient_problem(contact, problems)
        for prop in properties:
            row: dict[str, Any] = {"contact": contact, "property": prop, "email": address, "skip": reason}
            if not reason:
                ctx = MailContext(
                    office=request.office,
                    acting_user=request.user,
                    contact=contact,
                    prop=prop,
                    preview=True,
                )
                try:
                    row["mail"] = mail_render(subject=template.subject, body=template.body, ctx=ctx)
                except ApplicationError as exc:
                    row["error"] = exc.message
            rows.append(row)
    return rows


@require_capability(Capability.VIEW)
@require_GET
def offer_list(request: AuthedRequest) -> HttpResponse:
    """Angebote: every offer sent from the office, newest first, with how many mails went out."""
    q = request.GET.get("q", "").strip()[:100]
    page = CappedPaginator(selectors.offer_overview(user=request.user, search=q), 50).get_page(
        request.GET.get("page")
    )
    kennungen = selectors.offer_kennungen(list(page.object_list))
    rows = [(offer, kennungen.get(offer.pk, [])) for offer in page.object_list]
    context = {"page": page, "rows": rows, "q": q}
    template = "exposes/offer_list.html"
    if request.htmx and request.htmx.target == "offer-results":
        template += "#results"
    return render(request, template, context)


@require_capability(Capability.VIEW)
@require_GET
def offer_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    offer = selectors.offer_get(user=request.user, pk=pk)
    context = {
        "offer": offer,
        "recipients": selectors.offer_recipients(offer=offer),
        "counts": selectors.offer_counts(offer=offer),
        "job": offer.last_job,
    }
    template = "exposes/offer_detail.html"
    if request.headers.get("HX-Request"):
        template += "#recipients"
    return render(request, template, context)


@require_capability(Capability.EDIT)
@require_POST
def offer_retry(request: AuthedRequest, pk: int) -> HttpResponse:
    """Send again to those who did not get the mail yet (failed or waiting); never to those who did."""
    offer = selectors.offer_get(user=request.user, pk=pk)
    try:
        services.offer_send_start(offer=offer, acting_user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Sending again to the recipients who have not received the mail yet."))
    return redirect("exposes:offer", pk=offer.pk)


@require_capability(Capability.EDIT)
@require_POST
def offer_recipient_resolve(request: AuthedRequest, pk: int, recipient_id: int) -> HttpResponse:
    """The agent's decision on a mail whose delivery is unclear: delivered, or send it again."""
    offer = selectors.offer_get(user=request.user, pk=pk)
    delivered = request.POST.get("decision") == "delivered"
    try:
        services.recipient_unclear_resolve(
            offer=offer,
            recipient_id=recipient_id,
            delivered=delivered,
            acting_user=request.user,
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Marked as delivered.") if delivered else _("The mail is being sent again.")
        )
    return redirect("exposes:offer", pk=offer.pk)


# --- from a contact, evidence record ----------------------------------------------------------------


@require_capability(Capability.VIEW)
@require_GET
def contact_page(request: AuthedRequest, contact_id: int) -> HttpResponse:
    """A contact's properties: send exposés (choose properties) and download evidence records."""
    contact = selectors.contact_get(user=request.user, pk=contact_id)

    linked = set(contact.property_roles.values_list("property_id", flat=True))
    linked |= set(
        Activity.objects.filter(contact=contact, property__isnull=False).values_list("property_id", flat=True)
    )
    properties = Property.objects.filter(pk__in=linked, office_id=contact.office_id).visible_to(request.user)
    active = Property.objects.filter(office_id=contact.office_id, status="active").visible_to(request.user)[
        :200
    ]
    return render(
        request, "exposes/contact.html", {"contact": contact, "properties": properties, "active": active}
    )


@require_capability(Capability.VIEW)
@require_GET
def evidence(request: AuthedRequest, contact_id: int, property_id: int) -> HttpResponse:
    contact = selectors.contact_get(user=request.user, pk=contact_id)
    prop = selectors.property_get(user=request.user, pk=property_id)
    name, pdf = evidence_pdf(contact=contact, prop=prop, acting_user=request.user)
    from django.utils.http import content_disposition_header

    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


# --- office exposé layouts ----------------------------------------------------------------------------


@require_capability(Capability.VIEW)
def template_list(request: AuthedRequest) -> HttpResponse:
    return render(
        request,
        "exposes/template_list.html",
        {"templates": selectors.expose_template_list(user=request.user)},
    )


@require_capability(Capability.MANAGE_OFFICE)
@require_http_methods(["GET", "POST"])
def template_edit(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    template = selectors.expose_template_get(user=request.user, pk=pk) if pk else None
    initial = (
        {k: getattr(template, k) for k in ("name", "accent_color", "css", "closing_html")}
        if template
        else None
    )
    form = ExposeTemplateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        template = services.expose_template_save(
            office=request.office,
            template=template,
            data=form.cleaned_data,
        )
        messages.success(request, _("Exposé layout saved."))
        return redirect("exposes:template_edit", pk=template.pk)
    return render(request, "exposes/template_form.html", {"form": form, "template": template})


__all__ = ["ExposeTemplate", "OfferRecipient", "reverse"]
