"""HTML views of matching: search profiles, the contact's "Immobilien" tab, new matches and
notifications, and the public self-service form behind a personal link."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from maklerwerk.accounts.http import AuthedRequest
from maklerwerk.accounts.permissions import require_capability
from maklerwerk.accounts.roles import Capability
from maklerwerk.core.baseurl import absolute_url
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.core.form_errors import apply_errors
from maklerwerk.core.history_display import history_context, history_more
from maklerwerk.core.ids import parse_id, parse_ids
from maklerwerk.core.pagination import CappedPaginator
from maklerwerk.core.views import rate_limited
from maklerwerk.matching import selectors, services
from maklerwerk.matching.forms import SearchProfileForm, SelfServiceForm
from maklerwerk.matching.models import SearchProfile
from maklerwerk.properties.selectors import contact_get, contact_roles


def contact_tab_context(request: AuthedRequest, contact: Any) -> dict[str, Any]:
    """Context of the "Immobilien" tab on the contact page (a tab registered in core.tabs.TABS)."""
    user = request.user
    profiles = list(selectors.search_profile_list(user=user, contact_id=contact.pk))
    sections = []
    for profile in profiles:
        rows = selectors.matches_for_profile(user=user, profile_id=profile.pk)
        sections.append({"profile": profile, "groups": selectors.group_matches(rows), "count": len(rows)})
    roles = contact_roles(user=user, contact_id=contact.pk)
    return {
        "contact": contact,
        "profile_sections": sections,
        "roles": roles,
        "can_edit": user.can(Capability.EDIT),
        "can_delete": user.can(Capability.DELETE),
        "self_service_links": list(selectors.self_service_link_list(user=user, contact_id=contact.pk)[:20]),
        "self_service_url": request.session.pop(f"self_service_{contact.pk}", None)
        if hasattr(request, "session")
        else None,
    }


@require_capability(Capability.VIEW)
@require_GET
def contact_tab(request: AuthedRequest, contact_id: int) -> HttpResponse:
    contact = contact_get(user=request.user, pk=contact_id)
    context = contact_tab_context(request, contact)
    if request.htmx:
        return render(request, "matching/_contact_tab.html", context)
    return render(request, "matching/contact_tab_page.html", context)


def _contact_tab_url(contact_id: int) -> str:
    """Back where the agent was: the contact's page on its "Immobilien" tab (not the bare tab page)."""
    try:
        return reverse("contacts:detail", args=[contact_id]) + "#properties"
    except NoReverseMatch:  # the contacts page is another app's; our own page always works
        return reverse("properties:contact_tab", args=[contact_id])


@require_capability(Capability.EDIT)
@require_http_methods(["GET", "POST"])
def profile_create(request: AuthedRequest, contact_id: int) -> HttpResponse:
    contact = contact_get(user=request.user, pk=contact_id)
    form = SearchProfileForm(
        request.POST or None, instance=SearchProfile(office_id=contact.office_id, contact=contact)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.search_profile_create(contact=contact, acting_user=request.user, data=form.cleaned_data)
        except (ApplicationError, ValidationError) as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Search profile saved."))
            return redirect(_contact_tab_url(contact.pk))
    return render(request, "matching/profile_form.html", {"form": form, "contact": contact, "profile": None})


@require_capability(Capability.EDIT)
@require_http_methods(["GET", "POST"])
def profile_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    profile = selectors.search_profile_get(user=request.user, pk=pk)
    form = SearchProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        try:
            services.search_profile_update(profile=profile, acting_user=request.user, data=form.cleaned_data)
        except (ApplicationError, ValidationError) as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Search profile saved."))
            return redirect(_contact_tab_url(profile.contact_id))
    context = {
        "form": form,
        "contact": profile.contact,
        "profile": profile,
        **history_context(profile, "properties:profile_history"),
    }
    return render(request, "matching/profile_form.html", context)


@require_capability(Capability.VIEW)
@require_GET
def profile_history(request: AuthedRequest, pk: int) -> HttpResponse:
    """A further (older) page of a search profile's history, as table rows for htmx."""
    profile = selectors.search_profile_get(user=request.user, pk=pk)
    return history_more(request, profile, "properties:profile_history")


@require_capability(Capability.VIEW)
@require_GET
def profile_list(request: AuthedRequest) -> HttpResponse:
    """Suchprofile: every search profile of the office, active first, searchable by name or contact."""
    q = request.GET.get("q", "").strip()[:100]
    state = request.GET.get("state", "active")
    qs = selectors.search_profile_list(user=request.user)
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
    page = CappedPaginator(qs, 50).get_page(request.GET.get("page"))
    context = {"page": page, "q": q, "state": state, "can_edit": request.user.can(Capability.EDIT)}
    template = "matching/profile_list.html"
    if request.htmx and request.htmx.target == "profile-results":
        template += "#results"
    return render(request, template, context)


@require_capability(Capability.DELETE)
@require_POST
def profile_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    profile = selectors.search_profile_get(user=request.user, pk=pk)
    contact_id = profile.contact_id
    services.search_profile_delete(profile=profile, acting_user=request.user)
    messages.success(request, _("Search profile deleted."))
    return redirect(_contact_tab_url(contact_id))


@require_capability(Capability.EDIT)
@require_POST
def self_service_link_create(request: AuthedRequest, contact_id: int) -> HttpResponse:
    contact = contact_get(user=request.user, pk=contact_id)
    profile = None
    if request.POST.get("profile"):
        profile_id = parse_id(request.POST["profile"])
        if profile_id is None:
            raise Http404
        profile = get_object_or_404(SearchProfile, pk=profile_id, contact=contact)
    _link, token = services.self_service_link_create(
        contact=contact, acting_user=request.user, profile=profile
    )
    request.session[f"self_service_{contact.pk}"] = absolute_url(
        reverse("properties:self_service", args=[token]), office=contact.office_id
    )
    messages.success(request, _("Personal link created. Copy it now: it is shown only once."))
    return redirect(_contact_tab_url(contact.pk))


@require_capability(Capability.EDIT)
@require_POST
def self_service_link_revoke(request: AuthedRequest, contact_id: int, link_id: int) -> HttpResponse:
    link = selectors.self_service_link_get(user=request.user, pk=link_id)
    if link.contact_id != contact_id:
        raise Http404
    services.self_service_link_revoke(link=link, acting_user=request.user)
    messages.success(request, _("The personal link was revoked; it no longer opens the form."))
    return redirect(_contact_tab_url(contact_id))


@login_not_required
@never_cache
@ratelimit(key="ip", rate="30/m", block=False)
@require_http_methods(["GET", "POST"])
def self_service(request: HttpRequest, token: str) -> HttpResponse:
    if getattr(request, "limited", False):
        # Without django-ratelimit's middleware a blocked request would be a bare 403; answer 429.

        return rate_limited(request, Exception("rate limited"))
    link = services.self_service_link_resolve(token)
    if link is None:
        return render(request, "matching/self_service_invalid.html", status=404)
    form = SelfServiceForm(
        request.POST or None,
        instance=link.profile or SearchProfile(office_id=link.office_id, contact=link.contact),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.self_service_submit(link=link, data=form.cleaned_data)
        except (ApplicationError, ValidationError) as exc:
            apply_errors(form, exc)
        else:
            return render(
                request, "matching/self_service_done.html", {"office": link.office, "contact": link.contact}
            )
    return render(
        request,
        "matching/self_service.html",
        {"form": form, "office": link.office, "contact": link.contact, "expires_at": link.expires_at},
    )


def _widget(request: AuthedRequest) -> HttpResponse:
    user = request.user
    context = {
        "new_matches": selectors.new_matches_for(user=user),
        "notifications": selectors.notifications_for(user=user),
        "expired": selectors.expired_profiles(user=user)[:10],
    }
    return render(request, "matching/_new_matches_widget.html", context)


@require_capability(Capability.VIEW)
@require_GET
def new_matches_widget(request: AuthedRequest) -> HttpResponse:
    """Partial for the dashboard: the user's "Neue Treffer", open notifications and expired profiles."""
    return _widget(request)


@require_capability(Capability.VIEW)
@require_POST
def new_matches_seen(request: AuthedRequest) -> HttpResponse:
    ids = parse_ids(request.POST.getlist("id")) or None
    services.new_matches_mark_seen(user=request.user, ids=ids)
    if request.htmx:
        return _widget(request)
    return redirect("properties:new_matches")


@require_capability(Capability.VIEW)
@require_POST
def notification_done(request: AuthedRequest, pk: int) -> HttpResponse:
    try:
        services.notification_done(user=request.user, pk=pk)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("properties:new_matches")


@require_capability(Capability.VIEW)
@require_GET
def new_matches_page(request: AuthedRequest) -> HttpResponse:
    return render(request, "matching/new_matches.html")
