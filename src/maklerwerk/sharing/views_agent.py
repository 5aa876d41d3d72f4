"""Document sharing, agents' side: the preview of a link, the tabs on the property and contact pages,
creating, mailing and ending links, the property's cloud and personal files, the office settings."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from maklerwerk.accounts.http import AuthedRequest
from maklerwerk.accounts.permissions import require_capability
from maklerwerk.accounts.roles import Capability
from maklerwerk.contacts.models import Contact
from maklerwerk.contacts.selectors import contact_get
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.properties.models import Property, PropertyDocument
from maklerwerk.properties.selectors import property_get
from maklerwerk.sharing import selectors, services
from maklerwerk.sharing.models import CloudFile, CloudFolder
from maklerwerk.sharing.views_public import page_context, private

TRACKING_ROWS = 50


# --- preview --------------------------------------------------------------------------------------


@require_capability(Capability.VIEW)
@require_GET
def link_preview(request: AuthedRequest, pk: int) -> HttpResponse:
    """The exact page the contact sees, with downloads disabled and nothing tracked."""
    link = selectors.share_link_get(user=request.user, pk=pk)
    with translation.override("de"):
        context = page_context(
            request,
            office=link.office,
            prop=link.property,
            entries=selectors.link_entries(link),
            preview=True,
            preview_of=str(link.contact),
        )
        return private(render(request, "sharing/public.html", context))


@require_capability(Capability.VIEW)
@require_GET
def cloud_preview(request: AuthedRequest, property_id: int) -> HttpResponse:
    cloud = selectors.cloud_get(user=request.user, property_id=property_id)
    with translation.override("de"):
        context = page_context(
            request,
            office=cloud.office,
            prop=cloud.property,
            entries=selectors.cloud_entries(cloud),
            preview=True,
        )
        return private(render(request, "sharing/public.html", context))


# --- tabs -----------------------------------------------------------------------------------------


def _links_rows(links: Any, deactivated: set[int]) -> list[dict[str, Any]]:
    rows = []
    for link in links:
        state = selectors.link_state(link, deactivated)
        url = ""
        if state == "active":
            try:
                url = services.share_link_public_url(link)
            except ApplicationError:
                url = ""
        rows.append({"link": link, "state": state, "url": url})
    return rows


def property_tab_context(request: AuthedRequest, prop: Any) -> dict[str, Any]:
    user = request.user
    cloud = services.cloud_for(prop)
    off = selectors.deactivated_contacts(cloud.pk)
    links = selectors.share_links(user=user, property_id=prop.pk)

    candidates = (
        Contact.objects.filter(office_id=prop.office_id, property_roles__property=prop)
        .distinct()
        .order_by("last_name", "first_name")[:200]
    )
    return {
        "property": prop,
        "cloud": cloud,
        "candidates": candidates,
        "protected_documents": PropertyDocument.objects.filter(property=prop, protected=True),
        "folders": list(CloudFolder.objects.filter(cloud=cloud)),
        "cloud_files": CloudFile.objects.filter(cloud=cloud).select_related("folder"),
        "access_rows": selectors.access_overview(cloud),
        "link_rows": _links_rows(links, off),
        "events": selectors.access_events(user=user, property_id=prop.pk)[:TRACKING_ROWS],
        "default_expiry": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
        "can_edit": user.can(Capability.EDIT),
        "can_delete": user.can(Capability.DELETE),
        "can_manage": user.can(Capability.MANAGE_OFFICE),
        "settings": services.sharing_settings_for(prop.office),
        # The tab's key on the property page ("Dokumentenfreigabe"), not the page's own "Dokumente" tab.
        "next_url": _next_for(
            request, reverse("sharing:property_tab", args=[prop.pk]), "ext-document-sharing"
        ),
    }


def contact_tab_context(request: AuthedRequest, contact: Any) -> dict[str, Any]:
    """Context of the "Geschützte Dokumente" tab on the contact page (a tab registered in core.tabs.TABS)."""

    user = request.user
    links = list(selectors.share_links(user=user, contact_id=contact.pk))
    off_by_cloud = {
        cloud_id: selectors.deactivated_contacts(cloud_id) for cloud_id in {lk.cloud_id for lk in links}
    }
    rows = []
    for row in _links_rows(links, set()):
        if row["state"] == "active" and contact.pk in off_by_cloud.get(row["link"].cloud_id, set()):
            row["state"] = "deactivated"
        rows.append(row)
    properties = Property.objects.visible_to(user).filter(office=user.office_id).order_by("external_id")
    return {
        "contact": contact,
        "link_rows": rows,
        "properties": properties.only("pk", "external_id", "title")[:500],
        "personal_files": selectors.personal_files_for_contact(user=user, contact_id=contact.pk),
        "consents": selectors.consents_for_contact(user=user, contact_id=contact.pk),
        "events": selectors.access_events(user=user, contact_id=contact.pk)[:TRACKING_ROWS],
        "default_expiry": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
        "can_edit": user.can(Capability.EDIT),
        "can_delete": user.can(Capability.DELETE),
        "can_manage": user.can(Capability.MANAGE_OFFICE),
        "next_url": _next_for(request, _contact_url(contact.pk), "protected-documents"),
    }


def _contact_url(contact_id: int) -> str:
    try:
        return reverse("contacts:detail", args=[contact_id])
    except Exception:  # the contacts page is another app's; our own page always works
        return reverse("sharing:contact_tab", args=[contact_id])


def _next_for(request: AuthedRequest, fallback: str, anchor: str) -> str:
    """Where forms in a tab come back to: the page the tab is shown on."""
    htmx = getattr(request, "htmx", None)
    current = str(htmx.current_url) if htmx and htmx.current_url else ""
    if current and url_has_allowed_host_and_scheme(current, {request.get_host()}):
        return current.split("#", 1)[0] + "#" + anchor
    if request.resolver_match and request.resolver_match.namespace == "sharing":
        return fallback
    return request.get_full_path().split("#", 1)[0] + "#" + anchor


@require_capability(Capability.VIEW)
@require_GET
def property_tab(request: AuthedRequest, pk: int) -> HttpResponse:

    prop = property_get(user=request.user, pk=pk)
    context = property_tab_context(request, prop)
    template = (
        "sharing/_property_tab.html" if getattr(request, "htmx", False) else "sharing/property_page.html"
    )
    return render(request, template, context)


@require_capability(Capability.VIEW)
@require_GET
def contact_tab(request: AuthedRequest, pk: int) -> HttpResponse:

    contact = contact_get(user=request.user, pk=pk)
    context = contact_tab_context(request, contact)
    template = "sharing/_contact_tab.html" if getattr(request, "htmx", False) else "sharing/contact_page.html"
    return render(request, template, context)


# --- actions --------------------------------------------------------------------------------------


def _back(request: AuthedRequest, fallback: str) -> HttpResponseRedirect:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    return HttpResponseRedirect(fallback)


def _parse_expiry(raw: str) -> dt.datetime | None:
    """A date from the form means "valid through that day" (end of day, Berlin time)."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        try:
            day = dt.datetime.strptime(raw, "%d.%m.%Y").date()  # noqa: DTZ007 - a calendar date
        except ValueError as exc:
            raise ApplicationError(_("Please enter a valid date.")) from exc
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))


@require_capability(Capability.EDIT)
@require_POST
def link_create(request: AuthedRequest) -> HttpResponse:

    user = request.user
    try:
        contact = contact_get(user=user, pk=int(request.POST.get("contact_id", "")))
        prop = property_get(user=user, pk=int(request.POST.get("property_id", "")))
    except ValueError as exc:
        raise Http404 from exc
    fallback = reverse("sharing:contact_tab", args=[contact.pk])
    try:
        link = services.share_link_create(
            office=request.office,
            contact=contact,
            property=prop,
            acting_user=user,
            expires_at=_parse_expiry(request.POST.get("expires_at", "")),
            consent_required=request.POST.get("consent_required", "1") == "1",
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return _back(request, fallback)
    messages.success(
        request,
        _("Link for %(contact)s created, valid until %(date)s.")
        % {"contact": contact, "date": timezone.localtime(link.expires_at).strftime("%d.%m.%Y")},
    )
    return _back(request, fallback)


@require_capability(Capability.DELETE)
@require_POST
def link_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    link = selectors.share_link_get(user=request.user, pk=pk)
    services.share_link_delete(link=link, acting_user=request.user)
    messages.success(request, _("The link was deleted; it no longer opens."))
    return _back(request, reverse("sharing:contact_tab", args=[link.contact_id]))


@require_capability(Capability.EDIT)
@require_POST
def link_email(request: AuthedRequest, pk: int) -> HttpResponse:
    link = selectors.share_link_get(user=request.user, pk=pk)
    try:
        address = services.share_link_send_email(link=link, acting_user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The link was sent to %(email)s.") % {"email": address})
    return _back(request, reverse("sharing:contact_tab", args=[link.contact_id]))


@require_capability(Capability.EDIT)
@require_POST
def access_toggle(request: AuthedRequest, property_id: int, contact_id: int) -> HttpResponse:

    cloud = selectors.cloud_get(user=request.user, property_id=property_id)
    contact = contact_get(user=request.user, pk=contact_id)
    active = request.POST.get("active") == "1"
    services.access_set(cloud=cloud, contact=contact, active=active, acting_user=request.user)
    if active:
        messages.success(request, _("Access for %(contact)s is active again.") % {"contact": contact})
    else:
        messages.success(request, _("Access for %(contact)s was deactivated.") % {"contact": contact})
    return _back(request, reverse("sharing:property_tab", args=[property_id]))


@require_capability(Capability.EDIT)
@require_POST
def cloud_upload(request: AuthedRequest, property_id: int) -> HttpResponse:
    cloud = selectors.cloud_get(user=request.user, property_id=property_id)
    folder = None
    folder_id = request.POST.get("folder_id", "")
    if folder_id.isdigit():
        folder = CloudFolder.objects.filter(cloud=cloud, pk=int(folder_id)).first()
    uploads = request.FILES.getlist("files")
    if not uploads:
        messages.error(request, _("Please choose a file."))
    try:
        for upload in uploads:
            services.cloud_file_add(cloud=cloud, upload=upload, folder=folder, acting_user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        if uploads:
            messages.success(request, _("%(n)s file(s) added to the document cloud.") % {"n": len(uploads)})
    return _back(request, reverse("sharing:property_tab", args=[property_id]))


@require_capability(Capability.EDIT)
@require_POST
def folder_create(request: AuthedRequest, property_id: int) -> HttpResponse:
    cloud = selectors.cloud_get(user=request.user, property_id=property_id)
    try:
        services.cloud_folder_create(cloud=cloud, name=request.POST.get("name", ""), acting_user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return _back(request, reverse("sharing:property_tab", args=[property_id]))


@require_capability(Capability.DELETE)
@require_POST
def folder_delete(request: AuthedRequest, property_id: int, folder_id: int) -> HttpResponse:
    cloud = selectors.cloud_get(user=request.user, property_id=property_id)
    folder = CloudFolder.objects.filter(cloud=cloud, pk=folder_id).first()
    if folder is None:
        raise Http404
    services.cloud_folder_delete(folder=folder, acting_user=request.user)
    return _back(request, reverse("sharing:property_tab", args=[property_id]))


@require_capability(Capability.DELETE)
@require_POST
def cloud_file_delete(request: AuthedRequest, property_id: int, file_id: int) -> HttpResponse:
    cloud = selectors.cloud_get(user=request.user, property_id=property_id)
    obj = CloudFile.objects.filter(cloud=cloud, pk=file_id).first()
    if obj is None:
        raise Http404
    services.cloud_file_delete(obj=obj, acting_user=request.user)
    return _back(request, reverse("sharing:property_tab", args=[property_id]))


@require_capability(Capability.EDIT)
@require_POST
def personal_upload(request: AuthedRequest, contact_id: int) -> HttpResponse:

    contact = contact_get(user=request.user, pk=contact_id)
    prop_id = request.POST.get("property_id", "")
    if not prop_id.isdigit():
        raise Http404
    cloud = selectors.cloud_get(user=request.user, property_id=int(prop_id))
    uploads = request.FILES.getlist("files")
    if not uploads:
        messages.error(request, _("Please choose a file."))
    try:
        for upload in uploads:
            services.personal_file_add(cloud=cloud, contact=contact, upload=upload, acting_user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return _back(request, reverse("sharing:contact_tab", args=[contact_id]))


@require_capability(Capability.DELETE)
@require_POST
def personal_delete(request: AuthedRequest, contact_id: int, file_id: int) -> HttpResponse:
    obj = (
        selectors.personal_files_for_contact(user=request.user, contact_id=contact_id)
        .filter(pk=file_id)
        .first()
    )
    if obj is None:
        raise Http404
    services.cloud_file_delete(obj=obj, acting_user=request.user)
    return _back(request, reverse("sharing:contact_tab", args=[contact_id]))


@require_capability(Capability.VIEW)
@require_GET
def agent_file(request: AuthedRequest, source: str, pk: int) -> HttpResponseBase:
    """The agent opens a cloud or personal file (not tracked: tracking is for the prospect's access)."""
    obj = selectors.agent_file_get(user=request.user, source=source, pk=pk)
    name = selectors._download_name(obj.name, obj.file.name)
    try:
        return FileResponse(obj.file.open("rb"), as_attachment=True, filename=name)
    except OSError as exc:
        raise Http404 from exc


@require_capability(Capability.MANAGE_OFFICE)
@require_http_methods(["GET", "POST"])
def settings_view(request: AuthedRequest) -> HttpResponse:
    office = request.office
    if request.method == "POST":
        services.sharing_settings_update(
            office=office,
            acting_user=request.user,
            consent_gate=request.POST.get("consent_gate") == "1",
            require_terms=request.POST.get("require_terms") == "1",
        )
        messages.success(request, _("Settings saved."))
        return _back(request, reverse("sharing:settings"))
    return render(
        request,
        "sharing/settings.html",
        {"settings": services.sharing_settings_for(office), "office": office},
    )
