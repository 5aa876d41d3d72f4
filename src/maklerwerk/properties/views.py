"""HTML views: thin; each validates with a form, calls one service or selector, renders."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from maklerwerk.accounts.permissions import require_capability
from maklerwerk.accounts.roles import Capability
from maklerwerk.core.baseurl import absolute_url
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.core.history import history_for
from maklerwerk.core.history_display import history_rows
from maklerwerk.core.ids import parse_id, parse_ids
from maklerwerk.core.tabs import actions_for, tabs_for
from maklerwerk.properties import maps, selectors, services
from maklerwerk.properties.forms import (
    DocumentForm,
    ImageEditForm,
    MatchSettingsForm,
    PropertyContactForm,
    PropertyFilterForm,
    PropertyForm,
    SearchProfileForm,
    SelfServiceForm,
)
from maklerwerk.properties.models import (
    MatchSettings,
    Property,
    PropertyContact,
    PropertyDocument,
    PropertyImage,
    SearchProfile,
)


def _history_rows(instance: Any) -> list[dict[str, Any]]:
    return history_rows(history_for(instance)[:100])


def _apply_errors(form: Any, exc: ValidationError | ApplicationError) -> None:
    if isinstance(exc, ApplicationError):
        field = exc.extra.get("field")
        form.add_error(field if field in form.fields else None, exc.message)
        return
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


# --- properties -----------------------------------------------------------------------------------


@require_capability(Capability.VIEW)
@require_GET
def property_list(request: HttpRequest) -> HttpResponse:
    form = PropertyFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.property_list(
        user=request.user, **{k: v for k, v in filters.items() if v}
    ).prefetch_related("images")  # type: ignore[arg-type]
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    template = "properties/list.html"
    if request.htmx:  # type: ignore[attr-defined]
        template += "#results"
    return render(
        request, template, {"form": form, "page": page, "can_edit": request.user.can(Capability.EDIT)}
    )  # type: ignore[union-attr]


@require_capability(Capability.EDIT)
@require_http_methods(["GET", "POST"])
def property_create(request: HttpRequest) -> HttpResponse:
    office = request.office  # type: ignore[attr-defined]
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
            )  # type: ignore[arg-type]
        except (ApplicationError, ValidationError) as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Property created."))
            return redirect("properties:detail", pk=prop.pk)
    if request.method == "POST":
        messages.error(request, _("Please correct the marked fields."))
    return render(request, "properties/form.html", {"form": form, "prop": None})


@require_capability(Capability.EDIT)
@require_http_methods(["GET", "POST"])
def property_edit(request: HttpRequest, pk: int) -> HttpResponse:
    prop = selectors.property_get(user=request.user, pk=pk)  # type: ignore[arg-type]
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
            )  # type: ignore[arg-type]
        except (ApplicationError, ValidationError) as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Property saved."))
            return redirect("properties:detail", pk=prop.pk)
    if request.method == "POST":
        messages.error(request, _("Please correct the marked fields."))
    return render(request, "properties/form.html", {"form": form, "prop": prop})


@require_capability(Capability.DELETE)
@require_POST
def property_delete(request: HttpRequest, pk: int) -> HttpResponse:
    prop = selectors.property_get(user=request.user, pk=pk)  # type: ignore[arg-type]
    services.property_delete(prop=prop, acting_user=request.user)  # type: ignore[arg-type]
    messages.success(request, _("Property deleted."))
    return redirect("properties:list")


def _detail_context(request: HttpRequest, prop: Property) -> dict[str, Any]:
    user = request.user
    rows = selectors.matches_for_property(user=user, property_id=prop.pk)  # type: ignore[arg-type]
    return {
        "prop": prop,
        "images": list(prop.images.all()),
        "documents": list(prop.documents.all()),
        "roles": list(selectors.property_contacts(prop=prop)),
        "contact_form": PropertyContactForm(),
        "document_form": DocumentForm(),
        "groups": selectors.group_matches(rows),
        "match_count": len(rows),
        "history": _history_rows(prop),
        "can_edit": user.can(Capability.EDIT),  # type: ignore[union-attr]
        "can_delete": user.can(Capability.DELETE),  # type: ignore[union-attr]
        "image_kinds": PropertyImage.Kind.choices,
        # Tabs and header buttons other apps add (document sharing, exposé).
        "extra_tabs": tabs_for("property", prop.pk),
        "extra_actions": actions_for("property", prop.pk),
        "map": maps.map_context(prop, tile_url=request.office.map_tile_url),  # type: ignore[attr-defined]
    }


@require_capability(Capability.VIEW)
@require_GET
def property_detail(request: HttpRequest, pk: int) -> HttpResponse:
    prop = selectors.property_get(user=request.user, pk=pk)  # type: ignore[arg-type]
    response = render(request, "properties/detail.html", _detail_context(request, prop))
    return maps.allow_tiles(response, request.office.map_tile_url)  # type: ignore[attr-defined]


@require_capability(Capability.VIEW)
@require_GET
def property_matches(request: HttpRequest, pk: int) -> HttpResponse:
    prop = selectors.property_get(user=request.user, pk=pk)  # type: ignore[arg-type]
    return render(request, "properties/detail.html#matches", _detail_context(request, prop))


# --- images ---------------------------------------------------------------------------------------


def _images_partial(request: HttpRequest, prop: Property, status: int = 200) -> HttpResponse:
    return render(request, "properties/detail.html#images", _detail_context(request, prop), status=status)


@require_capability(Capability.EDIT)
@require_POST
def image_upload(request: HttpRequest, pk: int) -> HttpResponse:
    prop = selectors.property_get(user=request.user, pk=pk)  # type: ignore[arg-type]
    try:
        added = services.property_images_add(
            prop=prop,
            acting_user=request.user,
            files=request.FILES.getlist("files"),
            kind=request.POST.get("kind") or PropertyImage.Kind.PHOTO,  # type: ignore[arg-type]
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(count)s image(s) added.") % {"count": len(added)})
    return redirect(reverse("properties:detail", args=[prop.pk]) + "#images")


@require_capability(Capability.EDIT)
@require_POST
def image_order(request: HttpRequest, pk: int) -> HttpResponse:
    prop = selectors.property_get(user=request.user, pk=pk)  # type: ignore[arg-type]
    try:
        ids = [int(v) for v in request.POST.getlist("image")]
        services.property_images_reorder(prop=prop, acting_user=request.user, image_ids=ids)  # type: ignore[arg-type]
    except (ValueError, ApplicationError):
        return HttpResponse(_("The order could not be saved; please reload the page."), status=400)
    return _images_partial(request, prop)


@require_capability(Capability.EDIT)
@require_POST
def image_edit(request: HttpRequest, pk: int, image_id: int) -> HttpResponse:
    prop = selectors.property_get(user=request.user, pk=pk)  # type: ignore[arg-type]
    image = get_object_or_404(PropertyImage, pk=image_id, property=prop)
    form = ImageEditForm(request.POST, instance=PropertyImage.objects.get(pk=image.pk))
    if form.is_valid():
        services.property_image_update(image=image, acting_user=request.user, **form.cleaned_data)  # type: ignore[arg-type]
    else:
        messages.error(request, _("Please correct the marked fields."))
    if request.htmx:  # type: ignore[attr-defined]
        return _images_partial(request, prop)
    return redirect(reverse("properties:detail", args=[prop.pk]) + "#images")


@require_capability(Capability.EDIT)
@require_POST
def image_delete(request: HttpRequest, pk: int, image_id: int) -> HttpResponse:
    prop = selectors.property_get(user=request.user, pk=pk)  # type: ignore[arg-type]
    services.property_image_delete(
        image=get_object_or_404(PropertyImage, pk=image_id, property=prop), acting_user=request.user
    )  # type: ignore[arg-type]
    if request.htmx:  # type: ignore[attr-defined]
        return _images_partial(request, prop)
    return redirect(reverse("properties:detail", args=[prop.pk]) + "#images")


@require_capability(Capability.VIEW)
@require_GET
def image_file(request: HttpRequest, image_id: int, size: str) -> FileResponse:
    image = get_object_or_404(PropertyImage.objects.select_related("property"), pk=image_id)
    selectors.property_get(user=request.user, pk=image.property_id)  # type: ignore[arg-type]
    field = image.thumbnail if size == "thumb" and image.thumbnail else image.file
    try:
        response = FileResponse(
            field.open("rb"), content_type="image/png" if field.name.endswith(".png") else "image/jpeg"
        )
    except FileNotFoundError as exc:
        raise Http404 from exc
    response["Cache-Control"] = "private, max-age=3600"
    return response


# --- documents ------------------------------------------------------------------------------------


@require_capability(Capability.EDIT)
@require_POST
def document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    prop = selectors.property_get(user=request.user, pk=pk)  # type: ignore[arg-type]
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.property_document_add(prop=prop, acting_user=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Document added."))
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect(reverse("properties:detail", args=[prop.pk]) + "#documents")


@require_capability(Capability.EDIT)
@require_POST
def document_delete(request: HttpRequest, pk: int, document_id: int) -> HttpResponse:
    prop = selectors.property_get(user=request.user, pk=pk)  # type: ignore[arg-type]
    doc = get_object_or_404(PropertyDocument, pk=document_id, property=prop)
    services.property_document_delete(document=doc, acting_user=request.user)  # type: ignore[arg-type]
    messages.success(request, _("Document deleted."))
    return redirect(reverse("properties:detail", args=[prop.pk]) + "#documents")


@require_capability(Capability.VIEW)
@require_GET
def document_file(request: HttpRequest, document_id: int) -> FileResponse:
    doc = get_object_or_404(PropertyDocument, pk=document_id)
    selectors.property_get(user=request.user, pk=doc.property_id)  # type: ignore[arg-type]
    try:
        return FileResponse(
            doc.file.open("rb"),
            as_attachment=True,
            filename=doc.file.name.rsplit("/", 1)[-1].split("_", 1)[-1],
        )
    except FileNotFoundError as exc:
        raise Http404 from exc


# --- contact roles --------------------------------------------------------------------------------


@require_capability(Capability.EDIT)
@require_POST
def property_contact_add(request: HttpRequest, pk: int) -> HttpResponse:
    prop = selectors.property_get(user=request.user, pk=pk)  # type: ignore[arg-type]
    form = PropertyContactForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            contact = selectors.contact_get(user=request.user, pk=data["contact"])  # type: ignore[arg-type]
            services.property_contact_set(
                prop=prop, contact=contact, acting_user=request.user, role=data["role"],  # type: ignore[arg-type]
                interest_status=data["interest_status"], note=data["note"],
            )  # fmt: skip
        except Http404:
            messages.error(request, _("Unknown contact."))
        except (ApplicationError, ValidationError) as exc:
            messages.error(request, getattr(exc, "message", None) or "; ".join(exc.messages))  # type: ignore[union-attr]
        else:
            messages.success(request, _("Contact role saved."))
    else:
        messages.error(request, _("Choose a contact and a role."))
    return redirect(reverse("properties:detail", args=[prop.pk]) + "#contacts")


@require_capability(Capability.EDIT)
@require_POST
def property_contact_delete(request: HttpRequest, pk: int, link_id: int) -> HttpResponse:
    prop = selectors.property_get(user=request.user, pk=pk)  # type: ignore[arg-type]
    link = get_object_or_404(PropertyContact, pk=link_id, property=prop)
    services.property_contact_delete(link=link, acting_user=request.user)  # type: ignore[arg-type]
    messages.success(request, _("Contact role removed."))
    return redirect(reverse("properties:detail", args=[prop.pk]) + "#contacts")


@require_capability(Capability.VIEW)
@require_GET
def contact_search(request: HttpRequest) -> JsonResponse:
    """Contacts of the office for the contact picker (Tom Select)."""
    from django.db.models import Q

    from maklerwerk.contacts.models import Contact

    q = (request.GET.get("q") or "").strip()
    qs = Contact.objects.filter(office_id=request.user.office_id)  # type: ignore[union-attr]
    for word in q.split()[:3]:
        qs = qs.filter(
            Q(last_name__icontains=word) | Q(first_name__icontains=word) | Q(company_name__icontains=word)
        )
    items = [
        {"value": c.pk, "text": f"{c.display_name}{' · ' + c.city if c.city else ''}"}
        for c in qs.order_by("last_name", "first_name")[:20]
    ]
    return JsonResponse({"items": items})


# --- contact tab, search profiles -----------------------------------------------------------------


def contact_tab_context(request: HttpRequest, contact: Any) -> dict[str, Any]:
    """Context of the "Immobilien" tab on the contact page (a tab registered in core.tabs.TABS)."""
    user = request.user
    profiles = list(selectors.search_profile_list(user=user, contact_id=contact.pk))  # type: ignore[arg-type]
    sections = []
    for profile in profiles:
        rows = selectors.matches_for_profile(user=user, profile_id=profile.pk)  # type: ignore[arg-type]
        sections.append({"profile": profile, "groups": selectors.group_matches(rows), "count": len(rows)})
    roles = PropertyContact.objects.filter(
        contact=contact, property__in=Property.objects.visible_to(user)
    ).select_related("property")
    return {
        "contact": contact,
        "profile_sections": sections,
        "roles": roles,
        "can_edit": user.can(Capability.EDIT),  # type: ignore[union-attr]
        "can_delete": user.can(Capability.DELETE),  # type: ignore[union-attr]
        "self_service_links": list(selectors.self_service_link_list(user=user, contact_id=contact.pk)[:20]),  # type: ignore[arg-type]
        "self_service_url": request.session.pop(f"self_service_{contact.pk}", None)
        if hasattr(request, "session")
        else None,
    }


@require_capability(Capability.VIEW)
@require_GET
def contact_tab(request: HttpRequest, contact_id: int) -> HttpResponse:
    contact = selectors.contact_get(user=request.user, pk=contact_id)  # type: ignore[arg-type]
    context = contact_tab_context(request, contact)
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "properties/_contact_tab.html", context)
    return render(request, "properties/contact_tab_page.html", context)


def _contact_tab_url(contact_id: int) -> str:
    """Back where the agent was: the contact's page on its "Immobilien" tab (not the bare tab page)."""
    try:
        return reverse("contacts:detail", args=[contact_id]) + "#properties"
    except NoReverseMatch:  # the contacts page is another app's; our own page always works
        return reverse("properties:contact_tab", args=[contact_id])


@require_capability(Capability.EDIT)
@require_http_methods(["GET", "POST"])
def profile_create(request: HttpRequest, contact_id: int) -> HttpResponse:
    contact = selectors.contact_get(user=request.user, pk=contact_id)  # type: ignore[arg-type]
    form = SearchProfileForm(
        request.POST or None, instance=SearchProfile(office_id=contact.office_id, contact=contact)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.search_profile_create(contact=contact, acting_user=request.user, data=form.cleaned_data)  # type: ignore[arg-type]
        except (ApplicationError, ValidationError) as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Search profile saved."))
            return redirect(_contact_tab_url(contact.pk))
    return render(
        request, "properties/profile_form.html", {"form": form, "contact": contact, "profile": None}
    )


@require_capability(Capability.EDIT)
@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest, pk: int) -> HttpResponse:
    profile = selectors.search_profile_get(user=request.user, pk=pk)  # type: ignore[arg-type]
    form = SearchProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        try:
            services.search_profile_update(profile=profile, acting_user=request.user, data=form.cleaned_data)  # type: ignore[arg-type]
        except (ApplicationError, ValidationError) as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Search profile saved."))
            return redirect(_contact_tab_url(profile.contact_id))
    context = {
        "form": form,
        "contact": profile.contact,
        "profile": profile,
        "history": _history_rows(profile),
    }
    return render(request, "properties/profile_form.html", context)


@require_capability(Capability.VIEW)
@require_GET
def profile_list(request: HttpRequest) -> HttpResponse:
    """Suchprofile: every search profile of the office, active first, searchable by name or contact."""
    q = request.GET.get("q", "").strip()[:100]
    state = request.GET.get("state", "active")
    qs = selectors.search_profile_list(user=request.user)  # type: ignore[arg-type]
    if state == "active":
        qs = qs.filter(active=True)
    elif state == "inactive":
        qs = qs.filter(active=False)
    for word in q.split()[:3]:
        qs = qs.filter(
            Q(name__icontains=word)
            | Q(contact__last_name__istartswith=word)
            | Q(contact__first_name__istartswith=word)
            | Q(contact__company_name__istartswith=word)
            | Q(cities__icontains=word)
        )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    context = {"page": page, "q": q, "state": state, "can_edit": request.user.can(Capability.EDIT)}  # type: ignore[union-attr]
    template = "properties/profile_list.html"
    if request.htmx and request.htmx.target == "profile-results":  # type: ignore[attr-defined]
        template += "#results"
    return render(request, template, context)


@require_capability(Capability.DELETE)
@require_POST
def profile_delete(request: HttpRequest, pk: int) -> HttpResponse:
    profile = selectors.search_profile_get(user=request.user, pk=pk)  # type: ignore[arg-type]
    contact_id = profile.contact_id
    services.search_profile_delete(profile=profile, acting_user=request.user)  # type: ignore[arg-type]
    messages.success(request, _("Search profile deleted."))
    return redirect(_contact_tab_url(contact_id))


@require_capability(Capability.EDIT)
@require_POST
def self_service_link_create(request: HttpRequest, contact_id: int) -> HttpResponse:
    contact = selectors.contact_get(user=request.user, pk=contact_id)  # type: ignore[arg-type]
    profile = None
    if request.POST.get("profile"):
        profile_id = parse_id(request.POST["profile"])
        if profile_id is None:
            raise Http404
        profile = get_object_or_404(SearchProfile, pk=profile_id, contact=contact)
    _link, token = services.self_service_link_create(
        contact=contact, acting_user=request.user, profile=profile
    )  # type: ignore[arg-type]
    request.session[f"self_service_{contact.pk}"] = absolute_url(
        reverse("properties:self_service", args=[token]), office=contact.office_id
    )
    messages.success(request, _("Personal link created. Copy it now: it is shown only once."))
    return redirect(_contact_tab_url(contact.pk))


@require_capability(Capability.EDIT)
@require_POST
def self_service_link_revoke(request: HttpRequest, contact_id: int, link_id: int) -> HttpResponse:
    link = selectors.self_service_link_get(user=request.user, pk=link_id)  # type: ignore[arg-type]
    if link.contact_id != contact_id:
        raise Http404
    services.self_service_link_revoke(link=link, acting_user=request.user)  # type: ignore[arg-type]
    messages.success(request, _("The personal link was revoked; it no longer opens the form."))
    return redirect(_contact_tab_url(contact_id))


# --- public self-service form ---------------------------------------------------------------------


@login_not_required
@never_cache
@ratelimit(key="ip", rate="30/m", block=False)
@require_http_methods(["GET", "POST"])
def self_service(request: HttpRequest, token: str) -> HttpResponse:
    if getattr(request, "limited", False):
        # Without django-ratelimit's middleware a blocked request would be a bare 403; answer 429.
        from maklerwerk.core.views import rate_limited

        return rate_limited(request, Exception("rate limited"))
    link = services.self_service_link_resolve(token)
    if link is None:
        return render(request, "properties/self_service_invalid.html", status=404)
    form = SelfServiceForm(
        request.POST or None,
        instance=link.profile or SearchProfile(office_id=link.office_id, contact=link.contact),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.self_service_submit(link=link, data=form.cleaned_data)
        except (ApplicationError, ValidationError) as exc:
            _apply_errors(form, exc)
        else:
            return render(
                request, "properties/self_service_done.html", {"office": link.office, "contact": link.contact}
            )
    return render(
        request,
        "properties/self_service.html",
        {"form": form, "office": link.office, "contact": link.contact, "expires_at": link.expires_at},
    )


# --- dashboard widget, notifications, settings ----------------------------------------------------


def _widget(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "new_matches": selectors.new_matches_for(user=user),  # type: ignore[arg-type]
        "notifications": selectors.notifications_for(user=user),  # type: ignore[arg-type]
        "expired": selectors.expired_profiles(user=user)[:10],  # type: ignore[arg-type]
    }
    return render(request, "properties/_new_matches_widget.html", context)


@require_capability(Capability.VIEW)
@require_GET
def new_matches_widget(request: HttpRequest) -> HttpResponse:
    """Partial for the dashboard: the user's "Neue Treffer", open notifications and expired profiles."""
    return _widget(request)


@require_capability(Capability.VIEW)
@require_POST
def new_matches_seen(request: HttpRequest) -> HttpResponse:
    ids = parse_ids(request.POST.getlist("id")) or None
    services.new_matches_mark_seen(user=request.user, ids=ids)  # type: ignore[arg-type]
    if request.htmx:  # type: ignore[attr-defined]
        return _widget(request)
    return redirect("properties:new_matches")


@require_capability(Capability.VIEW)
@require_POST
def notification_done(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.notification_done(user=request.user, pk=pk)  # type: ignore[arg-type]
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("properties:new_matches")


@require_capability(Capability.VIEW)
@require_GET
def new_matches_page(request: HttpRequest) -> HttpResponse:
    return render(request, "properties/new_matches.html")


@require_capability(Capability.VIEW)
@require_http_methods(["GET", "POST"])
def match_settings(request: HttpRequest) -> HttpResponse:
    office = request.office  # type: ignore[attr-defined]
    can_manage = request.user.can(Capability.MANAGE_OFFICE)  # type: ignore[union-attr]
    current = MatchSettings.objects.filter(office=office).first() or MatchSettings(office=office)
    form = MatchSettingsForm(request.POST or None, instance=current)
    if request.method == "POST":
        if not can_manage:
            messages.error(request, _("Your role may not change the office settings."))
            return redirect("properties:settings")
        if form.is_valid():
            services.match_settings_update(office=office, acting_user=request.user, data=form.cleaned_data)  # type: ignore[arg-type]
            messages.success(request, _("Matching settings saved."))
            return redirect("properties:settings")
    return render(request, "properties/settings.html", {"form": form, "can_manage": can_manage})
