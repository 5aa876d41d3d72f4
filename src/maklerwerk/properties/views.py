"""HTML views: thin; each validates with a form, calls one service or selector, renders."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from maklerwerk.accounts.http import AuthedRequest
from maklerwerk.accounts.permissions import require_capability
from maklerwerk.accounts.roles import Capability
from maklerwerk.contacts.models import Contact
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.core.form_errors import apply_errors
from maklerwerk.core.history_display import history_context, history_more
from maklerwerk.core.pagination import CappedPaginator
from maklerwerk.core.tabs import actions_for, badges_for, tabs_for
from maklerwerk.matching import selectors as matching_selectors
from maklerwerk.properties import maps, selectors, services
from maklerwerk.properties.forms import (
    DocumentForm,
    ImageEditForm,
    MatchSettingsForm,
    PropertyContactForm,
    PropertyFilterForm,
    PropertyForm,
)
from maklerwerk.properties.models import (
    MatchSettings,
    Property,
    PropertyContact,
    PropertyDocument,
    PropertyImage,
)

# --- properties -----------------------------------------------------------------------------------


@require_capability(Capability.VIEW)
@require_GET
def property_list(request: AuthedRequest) -> HttpResponse:
    form = PropertyFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.property_list(
        user=request.user, **{k: v for k, v in filters.items() if v}
    ).prefetch_related("images")
    page = CappedPaginator(qs, 25).get_page(request.GET.get("page"))
    template = "properties/list.html"
    if request.htmx:
        template += "#results"
    return render(
        request, template, {"form": form, "page": page, "can_edit": request.user.can(Capability.EDIT)}
    )


@require_capability(Capability.EDIT)
@require_http_methods(["GET", "POST"])
def property_create(request: AuthedRequest) -> HttpResponse:
    office = request.office
    form = PropertyForm(
        request.POST or None,
        request.FILES or None,
        office_id=office.pk,
        initial={
            "responsible_agent": request.user.pk,
            "external_id": selectors.kennung_suggest(office_id=office.pk),
        },
        kennung_pattern=selectors.kennung_pattern_for(office.pk),
    )
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in {"viewers", "files"}}
        try:
            prop = services.property_create(
                office=office,
                acting_user=request.user,
                data=data,
                viewers=list(form.cleaned_data["viewers"]),
                images=form.cleaned_data.get("files") or None,
            )
        except (ApplicationError, ValidationError) as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Property created."))
            return redirect("properties:detail", pk=prop.pk)
    if request.method == "POST":
        messages.error(request, _("Please correct the marked fields."))
    return render(request, "properties/form.html", {"form": form, "prop": None})


@require_capability(Capability.EDIT)
@require_http_methods(["GET", "POST"])
def property_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    prop = selectors.property_get(user=request.user, pk=pk)
    form = PropertyForm(
        request.POST or None,
        instance=prop,
        office_id=prop.office_id,
        locked_by=selectors.kennung_locked_by(prop=prop),
    )
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "viewers"}
        try:
            services.property_update(
                prop=prop, acting_user=request.user, data=data, viewers=list(form.cleaned_data["viewers"])
            )
        except (ApplicationError, ValidationError) as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Property saved."))
            return redirect("properties:detail", pk=prop.pk)
    if request.method == "POST":
        messages.error(request, _("Please correct the marked fields."))
    return render(request, "properties/form.html", {"form": form, "prop": prop})


@require_capability(Capability.DELETE)
@require_POST
def property_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    prop = selectors.property_get(user=request.user, pk=pk)
    services.property_delete(prop=prop, acting_user=request.user)
    messages.success(request, _("Property deleted."))
    return redirect("properties:list")


def _detail_context(request: AuthedRequest, prop: Property) -> dict[str, Any]:
    user = request.user
    rows = matching_selectors.matches_for_property(user=user, property_id=prop.pk)
    return {
        "prop": prop,
        "images": list(prop.images.all()),
        "documents": list(prop.documents.all()),
        "roles": list(selectors.property_contacts(prop=prop)),
        "contact_form": PropertyContactForm(),
        "document_form": DocumentForm(),
        "groups": matching_selectors.group_matches(rows),
        "match_count": len(rows),
        **history_context(prop, "properties:history"),
        "can_edit": user.can(Capability.EDIT),
        "can_delete": user.can(Capability.DELETE),
        "image_kinds": PropertyImage.Kind.choices,
        # Tabs and header buttons other apps add (document sharing, exposé).
        "extra_tabs": tabs_for("property", prop.pk),
        "extra_actions": actions_for("property", prop.pk),
        "extra_badges": badges_for("property", request, prop),
        "map": maps.map_context(prop, tile_url=request.office.map_tile_url),
    }


@require_capability(Capability.VIEW)
@require_GET
def property_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    prop = selectors.property_get(user=request.user, pk=pk)
    response = render(request, "properties/detail.html", _detail_context(request, prop))
    return maps.allow_tiles(response, request.office.map_tile_url)


@require_capability(Capability.VIEW)
@require_GET
def property_history(request: AuthedRequest, pk: int) -> HttpResponse:
    """A further (older) page of the history tab, as table rows for htmx."""
    return history_more(request, selectors.property_get(user=request.user, pk=pk), "properties:history")


@require_capability(Capability.VIEW)
@require_GET
def property_matches(request: AuthedRequest, pk: int) -> HttpResponse:
    prop = selectors.property_get(user=request.user, pk=pk)
    return render(request, "properties/detail.html#matches", _detail_context(request, prop))


# --- images ---------------------------------------------------------------------------------------


def _images_partial(request: AuthedRequest, prop: Property, status: int = 200) -> HttpResponse:
    return render(request, "properties/detail.html#images", _detail_context(request, prop), status=status)


@require_capability(Capability.EDIT)
@require_POST
def image_upload(request: AuthedRequest, pk: int) -> HttpResponse:
    prop = selectors.property_get(user=request.user, pk=pk)
    try:
        added = services.property_images_add(
            prop=prop,
            acting_user=request.user,
            files=request.FILES.getlist("files"),
            kind=request.POST.get("kind") or PropertyImage.Kind.PHOTO,
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(count)s image(s) added.") % {"count": len(added)})
    return redirect(reverse("properties:detail", args=[prop.pk]) + "#images")


@require_capability(Capability.EDIT)
@require_POST
def image_order(request: AuthedRequest, pk: int) -> HttpResponse:
    prop = selectors.property_get(user=request.user, pk=pk)
    try:
        ids = [int(v) for v in request.POST.getlist("image")]
        services.property_images_reorder(prop=prop, acting_user=request.user, image_ids=ids)
    except (ValueError, ApplicationError):
        return HttpResponse(_("The order could not be saved; please reload the page."), status=400)
    return _images_partial(request, prop)


@require_capability(Capability.EDIT)
@require_POST
def image_edit(request: AuthedRequest, pk: int, image_id: int) -> HttpResponse:
    prop = selectors.property_get(user=request.user, pk=pk)
    image = get_object_or_404(PropertyImage, pk=image_id, property=prop)
    form = ImageEditForm(request.POST, instance=PropertyImage.objects.get(pk=image.pk))
    if form.is_valid():
        services.property_image_update(image=image, acting_user=request.user, **form.cleaned_data)
    else:
        messages.error(request, _("Please correct the marked fields."))
    if request.htmx:
        return _images_partial(request, prop)
    return redirect(reverse("properties:detail", args=[prop.pk]) + "#images")


@require_capability(Capability.EDIT)
@require_POST
def image_delete(request: AuthedRequest, pk: int, image_id: int) -> HttpResponse:
    prop = selectors.property_get(user=request.user, pk=pk)
    services.property_image_delete(
        image=get_object_or_404(PropertyImage, pk=image_id, property=prop), acting_user=request.user
    )
    if request.htmx:
        return _images_partial(request, prop)
    return redirect(reverse("properties:detail", args=[prop.pk]) + "#images")


@require_capability(Capability.VIEW)
@require_GET
def image_file(request: AuthedRequest, image_id: int, size: str) -> FileResponse:
    image = get_object_or_404(PropertyImage.objects.select_related("property"), pk=image_id)
    selectors.property_get(user=request.user, pk=image.property_id)
    field = image.thumbnail if size == "thumb" and image.thumbnail else image.file
    try:
        response = FileResponse(
            field.open("rb"),
            content_type="image/png" if (field.name or "").endswith(".png") else "image/jpeg",
        )
    except FileNotFoundError as exc:
        raise Http404 from exc
    response["Cache-Control"] = "private, max-age=3600"
    return response


# --- documents ------------------------------------------------------------------------------------


@require_capability(Capability.EDIT)
@require_POST
def document_upload(request: AuthedRequest, pk: int) -> HttpResponse:
    prop = selectors.property_get(user=request.user, pk=pk)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.property_document_add(prop=prop, acting_user=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Document added."))
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect(reverse("properties:detail", args=[prop.pk]) + "#documents")


@require_capability(Capability.EDIT)
@require_POST
def document_delete(request: AuthedRequest, pk: int, document_id: int) -> HttpResponse:
    prop = selectors.property_get(user=request.user, pk=pk)
    doc = get_object_or_404(PropertyDocument, pk=document_id, property=prop)
    services.property_document_delete(document=doc, acting_user=request.user)
    messages.success(request, _("Document deleted."))
    return redirect(reverse("properties:detail", args=[prop.pk]) + "#documents")


@require_capability(Capability.VIEW)
@require_GET
def document_file(request: AuthedRequest, document_id: int) -> FileResponse:
    doc = get_object_or_404(PropertyDocument, pk=document_id)
    selectors.property_get(user=request.user, pk=doc.property_id)
    try:
        return FileResponse(
            doc.file.open("rb"),
            as_attachment=True,
            filename=doc.file.name.rsplit("/", 1)[-1].split("_", 1)[-1],  # type: ignore[union-attr]  # named
        )
    except FileNotFoundError as exc:
        raise Http404 from exc


# --- contact roles --------------------------------------------------------------------------------


@require_capability(Capability.EDIT)
@require_POST
def property_contact_add(request: AuthedRequest, pk: int) -> HttpResponse:
    prop = selectors.property_get(user=request.user, pk=pk)
    form = PropertyContactForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            contact = selectors.contact_get(user=request.user, pk=data["contact"])
            services.property_contact_set(
                prop=prop, contact=contact, acting_user=request.user, role=data["role"],
                interest_status=data["interest_status"], note=data["note"],
            )  # fmt: skip
        except Http404:
            messages.error(request, _("Unknown contact."))
        except ApplicationError as exc:
            messages.error(request, exc.message)
        except ValidationError as exc:
            messages.error(request, getattr(exc, "message", None) or "; ".join(exc.messages))
        else:
            messages.success(request, _("Contact role saved."))
    else:
        messages.error(request, _("Choose a contact and a role."))
    return redirect(reverse("properties:detail", args=[prop.pk]) + "#contacts")


@require_capability(Capability.EDIT)
@require_POST
def property_contact_delete(request: AuthedRequest, pk: int, link_id: int) -> HttpResponse:
    prop = selectors.property_get(user=request.user, pk=pk)
    link = get_object_or_404(PropertyContact, pk=link_id, property=prop)
    services.property_contact_delete(link=link, acting_user=request.user)
    messages.success(request, _("Contact role removed."))
    return redirect(reverse("properties:detail", args=[prop.pk]) + "#contacts")


@require_capability(Capability.VIEW)
@require_GET
def contact_search(request: AuthedRequest) -> JsonResponse:
    """Contacts of the office for the contact picker (Tom Select)."""

    q = (request.GET.get("q") or "").strip()
    qs = Contact.objects.filter(office=request.user.office_id)
    for word in q.split()[:3]:
        qs = qs.filter(
            Q(last_name__icontains=word) | Q(first_name__icontains=word) | Q(company_name__icontains=word)
        )
    items = [
        {"value": c.pk, "text": f"{c.display_name}{' · ' + c.city if c.city else ''}"}
        for c in qs.order_by("last_name", "first_name")[:20]
    ]
    return JsonResponse({"items": items})


# --- settings -------------------------------------------------------------------------------------


@require_capability(Capability.VIEW)
@require_http_methods(["GET", "POST"])
def match_settings(request: AuthedRequest) -> HttpResponse:
    office = request.office
    can_manage = request.user.can(Capability.MANAGE_OFFICE)
    current = MatchSettings.objects.filter(office=office).first() or MatchSettings(office=office)
    form = MatchSettingsForm(request.POST or None, instance=current)
    if request.method == "POST":
        if not can_manage:
            messages.error(request, _("Your role may not change the office settings."))
            return redirect("properties:settings")
        if form.is_valid():
            services.match_settings_update(office=office, acting_user=request.user, data=form.cleaned_data)
            messages.success(request, _("Matching settings saved."))
            return redirect("properties:settings")
    return render(request, "properties/settings.html", {"form": form, "can_manage": can_manage})
