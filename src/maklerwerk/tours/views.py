"""The agents' pages: the "Rundgang" tab of a property, linking, publishing, grants, statistics."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from maklerwerk.accounts.http import AuthedRequest
from maklerwerk.accounts.permissions import require_capability
from maklerwerk.accounts.roles import Capability
from maklerwerk.contacts.selectors import contact_get
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.core.ids import parse_id
from maklerwerk.inquiries.selectors import inquiry_get
from maklerwerk.portals.selectors import portal_names
from maklerwerk.properties.media import portal_channel
from maklerwerk.properties.selectors import property_get
from maklerwerk.tours import pdf, providers, selectors, services
from maklerwerk.tours.models import Tour
from maklerwerk.tours.publishing import goes_to

TAB_ANCHOR = "ext-tours"


def _property_url(property_id: int) -> str:
    return reverse("properties:detail", args=[property_id]) + "#" + TAB_ANCHOR


def _error_text(exc: Exception) -> str:
    if isinstance(exc, ApplicationError):
        return exc.message
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    raise exc


def property_tab_context(request: AuthedRequest, prop: Any) -> dict[str, Any]:
    user = request.user
    rows = []
    portals = portal_names(office_id=prop.office_id)
    for tour in selectors.tours_for_property(user=user, property_id=prop.pk):
        rows.append(
            {
                "tour": tour,
                "portals": [
                    {
                        "pk": pk,
                        "name": name,
                        "on": goes_to(tour, portal_channel("is24" if kind == "is24" else "openimmo", pk)),
                    }
                    for pk, name, kind in portals
                ],
                "page_url": services.page_url(tour),
                "registrations": list(selectors.registrations_for_tour(tour)[:50]),
                "grants": list(selectors.grants_for_tour(tour)[:50]),
                "visits": tour.visits.count(),
            }
        )
    return {
        "property": prop,
        "rows": rows,
        "providers": providers.CHOICES,
        "can_edit": user.can(Capability.EDIT),
        "can_delete": user.can(Capability.DELETE),
    }


@require_capability(Capability.VIEW)
@require_GET
def property_tab(request: AuthedRequest, pk: int) -> HttpResponse:
    prop = property_get(user=request.user, pk=pk)
    template = "tours/_property_tab.html" if getattr(request, "htmx", False) else "tours/property_page.html"
    return render(request, template, property_tab_context(request, prop))


def tour_data(post: Any) -> services.TourData:
    return services.TourData(
        link=post.get("link", "").strip(),
        provider=post.get("provider", "").strip(),
        external_id=post.get("external_id", "").strip(),
        title=post.get("title", "").strip(),
        restricted_url=post.get("restricted_url", "").strip(),
        embed_url=post.get("embed_url", "").strip(),
        requires_registration=post.get("requires_registration") == "1",
        rooms=tuple(services.rooms_parse(post.get("rooms", ""))),
    )


@require_capability(Capability.EDIT)
@require_POST
def tour_create(request: AuthedRequest, pk: int) -> HttpResponse:
    prop = property_get(user=request.user, pk=pk)
    try:
        tour, secret = services.tour_create(prop=prop, data=tour_data(request.POST), acting_user=request.user)
    except (ApplicationError, ValidationError) as exc:
        messages.error(request, _error_text(exc))
        return redirect(_property_url(prop.pk))
    messages.success(
        request,
        _("Tour linked (%(provider)s). Webhook secret for the provider, shown only now: %(secret)s")
        % {"provider": tour.provider_label, "secret": secret},
    )
    return redirect(_property_url(prop.pk))


@require_capability(Capability.EDIT)
@require_POST
def tour_publish(request: AuthedRequest, pk: int) -> HttpResponse:
    tour = selectors.tour_get(user=request.user, pk=pk)
    off = ["expose"] if request.POST.get("channel_expose") != "1" else []
    off += [
        f"portal:{pk}"
        for pk, _name, _kind in portal_names(office_id=tour.office_id)
        if request.POST.get(f"portal_{pk}") != "1"
    ]
    try:
        services.tour_publish(
            tour=tour,
            published=request.POST.get("published") == "1",
            channels_off=off,
            acting_user=request.user,
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("The tour is published with the next transfer.")
            if tour.published
            else _("The tour is withdrawn with the next transfer."),
        )
    return redirect(_property_url(tour.property_id))


@require_capability(Capability.DELETE)
@require_POST
def tour_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    tour = selectors.tour_get(user=request.user, pk=pk)
    property_id = tour.property_id
    services.tour_delete(tour=tour, acting_user=request.user)
    messages.success(request, _("The tour was removed."))
    return redirect(_property_url(property_id))


def _grant(request: AuthedRequest, tour: Tour, contact_id: int | None, **kwargs: Any) -> HttpResponseRedirect:
    if contact_id is None:
        messages.error(
            request,
            _(
                "The inquiry has no contact yet (waiting for confirmation or a duplicate check): "
                "please finish it first."
            ),
        )
        return redirect(_property_url(tour.property_id))
    contact = contact_get(user=request.user, pk=contact_id)
    try:
        grant, _token = services.grant_create(tour=tour, contact=contact, acting_user=request.user, **kwargs)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("Access granted to %(contact)s until %(date)s; the personal link was sent by e-mail.")
            % {"contact": contact, "date": grant.expires_at.strftime("%d.%m.%Y")},
        )
    return redirect(request.POST.get("next") or _property_url(tour.property_id))


@require_capability(Capability.VIEW)
@require_http_methods(["GET", "POST"])
def registration_grant(request: AuthedRequest, pk: int) -> HttpResponse:
    """ "Zugriff gestatten" from the agent's notification mail (GET asks, POST grants)."""
    reg = selectors.registration_get(user=request.user, pk=pk)
    if request.method == "POST":
        return _grant(request, reg.tour, services.registration_contact_id(reg), registration=reg)
    return render(
        request,
        "tours/grant_confirm.html",
        {
            "reg": reg,
            "tour": reg.tour,
            "property": reg.tour.property,
            "contact_id": services.registration_contact_id(reg),
        },
    )


@require_capability(Capability.EDIT)
@require_http_methods(["GET", "POST"])
def inquiry_grant(request: AuthedRequest, pk: int) -> HttpResponse:
    """ "Zugriff gestatten" on an inquiry: the prospect gets the personal link to a tour of the
    inquiry's property (GET asks which tour, POST grants)."""
    inquiry = inquiry_get(user=request.user, pk=pk)
    tours = list(selectors.tours_for_property(user=request.user, property_id=inquiry.property_id or 0))
    back = reverse("inquiries:detail", args=[inquiry.pk])
    if not tours or inquiry.contact_id is None:
        messages.error(
            request,
            _("The inquiry's property has no virtual tour.")
            if not tours
            else _(
                "The inquiry has no contact yet (waiting for confirmation or a duplicate check): "
                "please finish it first."
            ),
        )
        return redirect(back)
    if request.method == "POST":
        tour = next((t for t in tours if t.pk == parse_id(request.POST.get("tour_id"))), None)
        if tour is None:
            messages.error(request, _("Please choose a virtual tour."))
            return redirect(request.path)
        return _grant(request, tour, inquiry.contact_id)
    return render(
        request,
        "tours/inquiry_grant.html",
        {"inquiry": inquiry, "tours": tours, "property": inquiry.property, "next_url": back},
    )


@require_capability(Capability.EDIT)
@require_POST
def contact_grant(request: AuthedRequest, pk: int) -> HttpResponse:
    """The button on the contact: access to a tour for this contact."""
    tour = selectors.tour_get(user=request.user, pk=parse_id(request.POST.get("tour_id")) or 0)
    return _grant(request, tour, contact_get(user=request.user, pk=pk).pk)


@require_capability(Capability.EDIT)
@require_POST
def grant_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    grant = selectors.grant_get(user=request.user, pk=pk)
    services.grant_revoke(grant=grant, acting_user=request.user)
    messages.success(request, _("Access of %(contact)s revoked.") % {"contact": grant.contact})
    return redirect(request.POST.get("next") or _property_url(grant.tour.property_id))


@require_capability(Capability.VIEW)
@require_GET
def tour_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    """The tour PDF with the open link and its QR code (to attach to an offer or print)."""
    tour = selectors.tour_get(user=request.user, pk=pk)
    if not tour.open_url:
        messages.error(request, _("The tour has no open link to publish."))
        return redirect(_property_url(tour.property_id))
    response = HttpResponse(pdf.tour_pdf(tour), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, pdf.filename(tour))
    return response


@require_capability(Capability.VIEW)
@require_GET
def tour_stats(request: AuthedRequest, pk: int) -> HttpResponse:
    tour = selectors.tour_get(user=request.user, pk=pk)
    stats = selectors.tour_stats(tour)
    contacts = [
        {"name": name, "pk": cid, "cells": [rooms.get(key, 0) for key, _n in stats.room_keys]}
        for name, cid, rooms in stats.contacts
    ]
    bars = [{"name": n, "seconds": s, "pct": round(100 * s / stats.max_room)} for n, s in stats.rooms]
    return render(
        request,
        "tours/stats.html",
        {"tour": tour, "property": tour.property, "stats": stats, "bars": bars, "contacts": contacts},
    )


def contact_tab_context(request: AuthedRequest, contact: Any) -> dict[str, Any]:
    regs, grants = selectors.for_contact(user=request.user, contact_id=contact.pk)
    return {
        "contact": contact,
        "tour_registrations": list(regs[:50]),
        "tour_grants": list(grants[:50]),
        "tours": list(
            selectors.tours(user=request.user)
            .filter(property__contact_roles__contact=contact)
            .distinct()[:50]
        ),
        "can_edit": request.user.can(Capability.EDIT),
        "next_url": reverse("contacts:detail", args=[contact.pk]) + "#ext-tours",
    }
