"""The public tour page (no login): open rooms and the registration form, the personal page of a
grant, and the beacon endpoint. Rate-limited per IP; the token or page key is the only key."""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.sharing.views_public import private, public_view
from maklerwerk.sharing.visits import consent_texts
from maklerwerk.tours import services, tracking
from maklerwerk.tours.models import Grant, Tour


def beacon_rate(group: str, request: HttpRequest) -> str:
    """Beacons per IP (TOURS_BEACON_RATE, default 30/m: a page sends one every 15 s)."""
    return getattr(settings, "TOURS_BEACON_RATE", None) or os.environ.get("TOURS_BEACON_RATE") or "30/m"


def _tour(page_key: str) -> Tour | None:
    if not page_key or len(page_key) > 40:
        return None
    return Tour.objects.select_related("property", "office").filter(page_key=page_key).first()


def _invalid(request: HttpRequest, status: int = 404) -> HttpResponse:
    with translation.override("de"):
        return private(render(request, "tours/public_invalid.html", {"ended": status == 410}, status=status))


def _frame_csp(response: HttpResponse, url: str) -> HttpResponse:
    """Allow exactly the tour's embed origin in a frame on this page."""
    parts = urlsplit(url)
    if parts.scheme in ("http", "https") and parts.netloc:
        config = dict(settings.SECURE_CSP)
        config["frame-src"] = [f"{parts.scheme}://{parts.netloc}"]
        response._csp_config = config  # type: ignore[attr-defined]  # read by Django's CSP middleware
    return response


def _page(
    request: HttpRequest, tour: Tour, key: str, grant: Grant | None, extra: dict[str, Any] | None = None
) -> HttpResponse:
    full = grant is not None
    embed = (
        (tour.restricted_url or tour.embed_url or tour.open_url)
        if full
        else (tour.embed_url or tour.open_url)
    )
    rooms = tour.rooms if full else tour.open_rooms()
    context = {
        "office": tour.office,
        "tour": tour,
        "property": tour.property,
        "grant": grant,
        "embed_url": embed,
        "embed_origin": "{0.scheme}://{0.netloc}".format(urlsplit(embed)) if embed else "",
        "rooms": rooms,
        "locked_rooms": [] if full else [r for r in tour.rooms if r.get("restricted")],
        "visit_id": tracking.visit_id_issue(key),
        "beacon_url": request.path.rstrip("/") + "/beacon/",
        "texts": consent_texts(tour.office),
        "form": {},
        "error": "",
        "registered": False,
        **(extra or {}),
    }
    with translation.override("de"):
        response = render(request, "tours/public.html", context, status=400 if context["error"] else 200)
    return private(_frame_csp(response, embed))


@public_view
def page(request: HttpRequest, page_key: str) -> HttpResponse:
    """The restricted link: the open rooms, and the registration form when the tour is gated."""
    tour = _tour(page_key)
    if tour is None:
        return _invalid(request)
    if request.method != "POST":
        return _page(request, tour, tour.page_key, None)
    form = {k: request.POST.get(k, "").strip() for k in ("name", "email", "phone")}
    accepted = request.POST.get("accept_notice") == "1"
    with translation.override("de"):
        if not (form["name"] and form["email"]) or not accepted:
            error = _("Please give your name and e-mail address and accept the texts.")
            return _page(request, tour, tour.page_key, None, {"form": form, "error": error})
        try:
            services.registration_create(
                tour=tour,
                name=form["name"],
                email=form["email"],
                phone=form["phone"],
                consent_version=request.POST.get("consent_version", ""),
            )
        except services.AlreadyRegistered:
            return _page(request, tour, tour.page_key, None, {"registered": True, "already": True})
        except ApplicationError as exc:
            return _page(request, tour, tour.page_key, None, {"form": form, "error": exc.message})
        except Exception as exc:  # ValidationError from full_clean: one German line
            messages = getattr(exc, "messages", None)
            if not messages:
                raise
            return _page(request, tour, tour.page_key, None, {"form": form, "error": " ".join(messages)})
    return _page(request, tour, tour.page_key, None, {"registered": True})


@public_view
def personal(request: HttpRequest, token: str) -> HttpResponse:
    """A granted prospect's personal link: all rooms; ended or revoked → a clear page."""
    grant = services.grant_resolve(token)
    if grant is None:
        return _invalid(request)
    if not grant.active:
        return _invalid(request, status=410)
    return _page(request, grant.tour, token, grant)


def _beacon(request: HttpRequest, tour: Tour | None, key: str, grant: Grant | None) -> HttpResponse:
    if getattr(request, "limited", False):
        return JsonResponse({"detail": "Zu viele Anfragen."}, status=429)
    if tour is None:
        return JsonResponse({"detail": "Unbekannter Rundgang."}, status=404)
    try:
        beacon = tracking.beacon_parse(request.body[:4000])
        visit = tracking.beacon_record(tour=tour, key=key, grant=grant, beacon=beacon)
    except tracking.BeaconRefused as exc:
        return JsonResponse({"detail": exc.message}, status=400)
    return JsonResponse({"counted": visit is not None}, status=200)


def _beacon_view(fn: Any) -> Any:
    return login_not_required(
        csrf_exempt(never_cache(require_POST(ratelimit(key="ip", rate=beacon_rate, block=False)(fn))))
    )


@_beacon_view
def page_beacon(request: HttpRequest, page_key: str) -> HttpResponse:
    tour = _tour(page_key)
    return _beacon(request, tour, page_key, None)


@_beacon_view
def personal_beacon(request: HttpRequest, token: str) -> HttpResponse:
    grant = services.grant_resolve(token)
    if grant is not None and not grant.active:
        return JsonResponse({"detail": "Zugang beendet."}, status=410)
    return _beacon(request, grant.tour if grant else None, token, grant)
