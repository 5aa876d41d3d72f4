"""Portal pages: Einstellungen → Portale, the transfer log, and the "Portale" tab on a property."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from maklerwerk.accounts.http import AuthedRequest
from maklerwerk.accounts.permissions import require_capability
from maklerwerk.accounts.roles import Capability
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.core.ids import parse_ids
from maklerwerk.portals import selectors, services
from maklerwerk.portals.forms import PortalAssignForm, PortalForm
from maklerwerk.portals.models import Portal
from maklerwerk.properties.models import Property
from maklerwerk.properties.selectors import property_get

RUNS_SHOWN = 100


def _back(request: AuthedRequest, fallback: str) -> HttpResponseRedirect:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    return HttpResponseRedirect(fallback)


@require_capability(Capability.VIEW)
@require_GET
def index(request: AuthedRequest) -> HttpResponse:
    portals = list(selectors.portals_for(user=request.user))
    last_runs = {run.portal_id: run for run in selectors.runs_for(user=request.user).order_by("created_at")}
    own = set(selectors.is24_connected_portals(user=request.user))
    rows = [{"portal": p, "run": last_runs.get(p.pk), "own_is24": p.pk in own} for p in portals]
    can_manage = request.user.can(Capability.MANAGE_OFFICE)
    return render(request, "portals/index.html", {"rows": rows, "can_manage": can_manage})


def _save(request: AuthedRequest, form: PortalForm, portal: Portal | None) -> HttpResponse | None:
    data = dict(form.cleaned_data)
    try:
        if portal is None:
            portal = services.portal_create(office=request.office, acting_user=request.user, data=data)
        else:
            services.portal_update(portal=portal, acting_user=request.user, data=data)
    except ValidationError as exc:
        for field, errs in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errs)
        return None
    messages.success(request, _("Portal saved."))
    return redirect("portals:index")


@require_capability(Capability.MANAGE_OFFICE)
@require_http_methods(["GET", "POST"])
def portal_create(request: AuthedRequest) -> HttpResponse:
    form = PortalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = _save(request, form, None)
        if done is not None:
            return done
    return render(request, "portals/form.html", {"form": form, "portal": None})


@require_capability(Capability.MANAGE_OFFICE)
@require_http_methods(["GET", "POST"])
def portal_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    portal = selectors.portal_get(user=request.user, pk=pk)
    form = PortalForm(request.POST or None, instance=portal)
    if request.method == "POST" and form.is_valid():
        done = _save(request, form, portal)
        if done is not None:
            return done
    feed_url = request.session.pop(FEED_URL_SESSION, "")  # shown once, right after it was made
    return render(request, "portals/form.html", {"form": form, "portal": portal, "feed_url": feed_url})


FEED_URL_SESSION = "portals_feed_url"


@require_capability(Capability.MANAGE_OFFICE)
@require_POST
def portal_feed_token(request: AuthedRequest, pk: int) -> HttpResponse:
    """A new pull URL for the own website; shown once (only its hash is stored)."""
    portal = selectors.portal_get(user=request.user, pk=pk)
    try:
        token = services.portal_feed_token_new(portal=portal, acting_user=request.user)
    except ApplicationError as exc:
        messages.error(request, str(exc))
        return redirect("portals:edit", portal.pk)
    request.session[FEED_URL_SESSION] = request.build_absolute_uri(reverse("portals:feed", args=[token]))
    messages.success(
        request, _("New pull URL for the website (shown only now; the old one no longer works).")
    )
    return redirect("portals:edit", portal.pk)


IS24_SESSION = "portals_is24_connect"


@require_capability(Capability.EDIT)
@require_POST
def is24_connect(request: AuthedRequest, pk: int) -> HttpResponse:
    """ "Mein IS24-Konto verbinden": to IS24's confirmation page, back to `is24_callback`."""
    portal = selectors.portal_get(user=request.user, pk=pk)
    callback = request.build_absolute_uri(reverse("portals:is24_callback", args=[portal.pk]))
    try:
        token, secret, url = services.is24_connect_start(portal=portal, user=request.user, callback=callback)
    except ApplicationError as exc:
        messages.error(request, str(exc))
        return redirect("portals:index")
    request.session[IS24_SESSION] = {"portal": portal.pk, "token": token, "secret": secret}
    return HttpResponseRedirect(url)


@require_capability(Capability.EDIT)
@require_GET
def is24_callback(request: AuthedRequest, pk: int) -> HttpResponse:
    portal = selectors.portal_get(user=request.user, pk=pk)
    pending = request.session.pop(IS24_SESSION, None) or {}
    token, verifier = request.GET.get("oauth_token", ""), request.GET.get("oauth_verifier", "")
    if pending.get("portal") != portal.pk or not token or token != pending.get("token") or not verifier:
        messages.error(
            request, _("The connection with ImmobilienScout24 was not confirmed. Please try again.")
        )
        return redirect("portals:index")
    try:
        services.is24_connect_finish(
            portal=portal, user=request.user, token=token, secret=pending["secret"], verifier=verifier
        )
    except ApplicationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Your ImmobilienScout24 account is connected: your listings go there."))
    return redirect("portals:index")


@require_capability(Capability.EDIT)
@require_POST
def is24_disconnect(request: AuthedRequest, pk: int) -> HttpResponse:
    portal = selectors.portal_get(user=request.user, pk=pk)
    if services.is24_disconnect(portal=portal, user=request.user):
        messages.success(request, _("Your ImmobilienScout24 account is no longer connected."))
    return redirect("portals:index")


@login_not_required
@never_cache
@require_GET
def feed(request: HttpRequest, token: str) -> FileResponse:
    """The own website fetches the current OpenImmo package (VOLL) here; the secret is the key."""
    run = selectors.feed_package(token=token)
    if run is None:
        raise Http404
    return FileResponse(run.package.open("rb"), as_attachment=True, filename=run.package_name)


@require_capability(Capability.MANAGE_OFFICE)
@require_POST
def portal_check(request: AuthedRequest, pk: int) -> HttpResponse:
    portal = selectors.portal_get(user=request.user, pk=pk)
    status = services.portal_check(portal=portal, acting_user=request.user)
    (messages.success if status.startswith("OK") else messages.error)(request, status)
    return redirect("portals:index")


@require_capability(Capability.EDIT)
@require_POST
def portal_transfer(request: AuthedRequest, pk: int) -> HttpResponse:
    portal = selectors.portal_get(user=request.user, pk=pk)
    if not portal.active:
        messages.error(request, _("The portal is not active."))
        return _back(request, reverse("portals:index"))
    full = request.POST.get("full") == "1"
    services.transfer_start(portal=portal, full=full, acting_user=request.user)
    messages.success(request, _("Transfer to %(portal)s started.") % {"portal": portal.name})
    return _back(request, reverse("portals:runs", args=[portal.pk]))


@require_capability(Capability.MANAGE_OFFICE)
@require_POST
def portal_withdraw_all(request: AuthedRequest, pk: int) -> HttpResponse:
    portal = selectors.portal_get(user=request.user, pk=pk)
    services.portal_withdraw_all(portal=portal, acting_user=request.user)
    messages.success(
        request, _("All listings on %(portal)s are being taken offline.") % {"portal": portal.name}
    )
    return redirect("portals:runs", portal.pk)


@require_capability(Capability.VIEW)
@require_GET
def runs(request: AuthedRequest, pk: int) -> HttpResponse:
    portal = selectors.portal_get(user=request.user, pk=pk)
    rows = list(selectors.runs_for(user=request.user, portal_id=portal.pk)[:RUNS_SHOWN])
    only_errors = request.GET.get("errors") == "1"
    if only_errors:
        rows = [r for r in rows if r.state == "failed" or any(e.result == "error" for e in r.entries.all())]
    return render(request, "portals/runs.html", {"portal": portal, "runs": rows, "only_errors": only_errors})


@require_capability(Capability.EDIT)
@require_POST
def portal_feedback(request: AuthedRequest, pk: int) -> HttpResponse:
    """Upload of the portal's import log (OpenImmo-Feedback XML): its errors join the log."""
    portal = selectors.portal_get(user=request.user, pk=pk)
    upload = request.FILES.get("feedback")
    if upload is None:
        messages.error(request, _("Please choose the portal's feedback file (XML)."))
        return redirect("portals:runs", portal.pk)
    try:
        _run, errors, matched = services.feedback_attach(
            portal=portal, data=upload.read(), acting_user=request.user
        )
    except ApplicationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Portal feedback read: %(errors)s errors, %(matched)s of them on properties.")
            % {"errors": errors, "matched": matched},
        )
    return redirect("portals:runs", portal.pk)


@require_capability(Capability.VIEW)
@require_GET
def run_package(request: AuthedRequest, pk: int, run_id: int) -> FileResponse:
    run = selectors.run_get(user=request.user, portal_id=pk, run_id=run_id)
    if not run.package or not selectors.run_package_allowed(user=request.user, run=run):
        raise Http404
    return FileResponse(run.package.open("rb"), as_attachment=True, filename=run.package_name)


def property_tab_context(request: AuthedRequest, prop: Property) -> dict[str, Any]:
    office_id = prop.office_id
    portals = list(selectors.portals_for(user=request.user))
    assignments = selectors.assignments_for_property(office_id=office_id, property_id=prop.pk)
    by_portal = {a.portal_id: a for a in assignments}
    rows = []
    for p in portals:
        a = by_portal.get(p.pk)
        unsent = bool(a and a.state == "online" and a.last_sent_at and prop.updated_at > a.last_sent_at)
        rows.append({"portal": p, "assignment": a, "unsent": unsent})
    return {
        "property": prop,
        "rows": rows,
        "unsent": any(r["unsent"] for r in rows),
        "entries": selectors.entries_for_property(office_id=office_id, property_id=prop.pk),
        "can_edit": request.user.can(Capability.EDIT),
        "next_url": reverse("properties:detail", args=[prop.pk]) + "#ext-portals",
    }


@require_capability(Capability.VIEW)
@require_GET
def property_tab(request: AuthedRequest, pk: int) -> HttpResponse:
    prop = property_get(user=request.user, pk=pk)
    template = (
        "portals/_property_tab.html" if getattr(request, "htmx", False) else "portals/property_page.html"
    )
    return render(request, template, property_tab_context(request, prop))


@require_capability(Capability.EDIT)
@require_POST
def property_assign(request: AuthedRequest, pk: int) -> HttpResponse:
    prop = property_get(user=request.user, pk=pk)
    portals = list(selectors.portals_for(user=request.user))
    form = PortalAssignForm(request.POST, portals=portals)
    fallback = reverse("properties:detail", args=[prop.pk]) + "#ext-portals"
    if not form.is_valid():
        messages.error(request, _("Please choose portals of your office."))
        return _back(request, fallback)
    try:
        services.property_portals_set(
            prop=prop,
            portal_ids=parse_ids(form.cleaned_data["portal_ids"]),
            acting_user=request.user,
        )
    except ApplicationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Portals saved; the transfer has started."))
    return _back(request, fallback)


@require_capability(Capability.EDIT)
@require_POST
def property_transfer(request: AuthedRequest, pk: int) -> HttpResponse:
    """ "Jetzt übertragen": the property's portals get a transfer now (instead of the next tick)."""
    prop = property_get(user=request.user, pk=pk)
    started = services.property_transfer_now(prop=prop, acting_user=request.user)
    if started:
        messages.success(request, _("Transfer started: %(portals)s.") % {"portals": ", ".join(started)})
    else:
        messages.error(request, _("The property is not assigned to an active portal."))
    return _back(request, reverse("properties:detail", args=[prop.pk]) + "#ext-portals")
