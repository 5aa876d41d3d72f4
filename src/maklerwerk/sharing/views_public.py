"""Document sharing, public side: the page of a link (no login), its consent gate and downloads.

The token is the only key; file ids are opaque per link. The agents' pages are in `views_agent`;
they show a link's page as its recipient sees it through `page_context` and `private`.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django_ratelimit.decorators import ratelimit

from maklerwerk.core.net import client_ip
from maklerwerk.core.views import rate_limited
from maklerwerk.properties.selectors import property_visible
from maklerwerk.sharing import selectors, services, visits
from maklerwerk.sharing.models import AccessEvent, ShareLink
from maklerwerk.sharing.rendering import files_html
from maklerwerk.sharing.zipstream import unique_names, zip_stream

logger = logging.getLogger(__name__)


def public_rate(group: str, request: HttpRequest) -> str:
    """Requests per IP on the public pages: the SHARING_RATE_LIMIT setting (from the environment,
    default 120/m), read per request so a changed setting applies at once."""
    return str(settings.SHARING_RATE_LIMIT)


def public_view(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """No login, never cached, rate-limited per IP with a German 429 page."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if getattr(request, "limited", False):
            with translation.override("de"):
                return private(rate_limited(request, Exception("rate limited")))
        return view(request, *args, **kwargs)

    return login_not_required(never_cache(ratelimit(key="ip", rate=public_rate, block=False)(wrapped)))


def _ip(request: HttpRequest) -> str:

    return client_ip(request)


def _ua(request: HttpRequest) -> str:
    return request.META.get("HTTP_USER_AGENT", "")


def private[R: HttpResponseBase](response: R) -> R:
    # "Cache-Control: private, no-store" comes from never_cache in public_view, on every answer.
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "same-origin"  # the token never leaves in a Referer
    return response


def _staff_of(request: HttpRequest, link: ShareLink) -> bool:
    """Is the visitor a logged-in user of the link's office (not the prospect the link is for)?"""
    user = getattr(request, "user", None)
    return bool(
        user is not None
        and user.is_authenticated
        and getattr(user, "office_id", None) is not None
        and user.office_id == link.office_id
    )


def _staff_may_see(request: HttpRequest, link: ShareLink) -> bool:

    return property_visible(request.user, link.property_id)


def _invalid(request: HttpRequest) -> HttpResponse:
    """One answer for unknown, expired, deleted and deactivated links: nothing tells them apart."""
    with translation.override("de"):
        return private(render(request, "sharing/public_invalid.html", status=404))


VIEWS = ("list", "tiles")  # the first is the default
SORTS = ("name", "-name", "size", "-size")


def _page_params(request: HttpRequest) -> dict[str, str]:
    view, sort = request.GET.get("view"), request.GET.get("sort")
    return {
        "q": request.GET.get("q", "").strip()[:100],
        "view": view if view in VIEWS else VIEWS[0],
        "sort": sort if sort in SORTS else SORTS[0],
    }


def page_context(
    request: HttpRequest,
    *,
    office: Any,
    prop: Any,
    entries: list[selectors.Entry],
    preview: bool,
    token: str = "",
    preview_of: str = "",
) -> dict[str, Any]:
    params = _page_params(request)
    shown = selectors.filter_entries(entries, params["q"], params["sort"])

    def url_with(**changes: str) -> str:
        return "?" + urlencode({**params, **changes})

    zip_url = ""
    if token and not preview:
        zip_url = reverse("sharing:public_zip", args=[token]) + "?" + urlencode({"q": params["q"]})
    groups = selectors.group_by_folder(shown)
    return {
        "office": office,
        "property": prop,
        "groups": groups,
        "files_html": files_html(groups, view=params["view"], token=token, preview=preview),
        "shown_count": len(shown),
        "total_count": len(entries),
        "total_size": sum(e.size for e in shown),
        "params": params,
        "list_url": url_with(view="list"),
        "tiles_url": url_with(view="tiles"),
        "sort_options": [
            ("name", _("Name (A–Z)")),
            ("-name", _("Name (Z–A)")),
            ("size", _("Size (smallest first)")),
            ("-size", _("Size (largest first)")),
        ],
        "preview": preview,
        "preview_of": preview_of,
        "zip_url": zip_url,
    }


# --- public pages (no login) ------------------------------------------------------------------------


@public_view
@require_GET
def public(request: HttpRequest, token: str) -> HttpResponse:
    link = services.share_link_resolve(token)
    if link is None:
        return _invalid(request)
    if _staff_of(request, link):
        # A colleague opening the prospect's link: the untracked preview, and only if they may see
        # the property (never recorded as the prospect's visit, never a way around "restricted").
        if not _staff_may_see(request, link):
            return _invalid(request)
        return redirect("sharing:link_preview", pk=link.pk)
    with translation.override("de"):
        if visits.consent_needed(link):
            return private(_consent_page(request, link, token))
        context = page_context(
            request,
            office=link.office,
            prop=link.property,
            entries=selectors.link_entries(link),
            preview=False,
            token=token,
        )
        visits.access_record(link=link, kind=AccessEvent.Kind.VIEW, ip=_ip(request), user_agent=_ua(request))
        return private(render(request, "sharing/public.html", context))


def _consent_page(request: HttpRequest, link: ShareLink, token: str, error: str = "") -> HttpResponse:
    return render(
        request,
        "sharing/public_consent.html",
        {
            "office": link.office,
            "property": link.property,
            "texts": visits.consent_texts(link.office),
            "token": token,
            "error": error,
        },
        status=400 if error else 200,
    )


@public_view
@require_POST
def public_consent(request: HttpRequest, token: str) -> HttpResponse:
    link = services.share_link_resolve(token)
    if link is None:
        return _invalid(request)
    if _staff_of(request, link):
        # Only the prospect accepts the texts; a colleague's click is not their consent.
        if not _staff_may_see(request, link):
            return _invalid(request)
        return redirect("sharing:link_preview", pk=link.pk)
    with translation.override("de"):
        texts = visits.consent_texts(link.office)
        accepted = request.POST.get("accept_notice") == "1" and (
            not texts.terms or request.POST.get("accept_terms") == "1"
        )
        if not accepted:
            return private(
                _consent_page(request, link, token, error=_("Please confirm that you accept the texts."))
            )
        if visits.consent_needed(link):
            visits.consent_accept(link=link, ip=_ip(request), user_agent=_ua(request))
    return redirect("sharing:public", token=token)


def _entry_for(link: ShareLink, key: str) -> selectors.Entry | None:
    found = None
    for entry in selectors.link_entries(link):
        if hmac.compare_digest(entry.key.encode(), key.encode()):
            found = entry
    return found


@public_view
@require_GET
def public_download(request: HttpRequest, token: str, key: str) -> HttpResponseBase:
    link = services.share_link_resolve(token)
    if link is None:
        return _invalid(request)
    staff = _staff_of(request, link)
    if staff and not _staff_may_see(request, link):
        return _invalid(request)
    if not staff and visits.consent_needed(link):
        return redirect("sharing:public", token=token)
    entry = _entry_for(link, key)
    if entry is None:
        return _invalid(request)
    try:
        handle = entry.file.open("rb")
    except (OSError, ValueError):
        logger.warning("shared file missing in storage: %s %s", entry.source, entry.id)
        return _invalid(request)
    if not staff:  # tracking is the prospect's access, not a colleague's
        visits.access_record(
            link=link,
            kind=AccessEvent.Kind.DOWNLOAD,
            ip=_ip(request),
            user_agent=_ua(request),
            files=[entry.tracked()],
        )
    response = FileResponse(handle, as_attachment=True, filename=entry.filename)
    response["X-Content-Type-Options"] = "nosniff"
    return private(response)


@public_view
@require_GET
def public_zip(request: HttpRequest, token: str) -> HttpResponseBase:
    """Everything the page shows for this search, as one ZIP streamed while it is written."""
    link = services.share_link_resolve(token)
    if link is None:
        return _invalid(request)
    staff = _staff_of(request, link)
    if staff and not _staff_may_see(request, link):
        return _invalid(request)
    if not staff and visits.consent_needed(link):
        return redirect("sharing:public", token=token)
    params = _page_params(request)
    shown = selectors.filter_entries(selectors.link_entries(link), params["q"], "name")
    if not shown:
        return redirect(reverse("sharing:public", args=[token]) + "?" + urlencode(params))
    grouped = [e for _folder, entries in selectors.group_by_folder(shown) for e in entries]
    names = unique_names(
        [f"{services.safe_file_name(e.folder)}/{e.filename}" if e.folder else e.filename for e in grouped]
    )
    if not staff:
        visits.access_record(
            link=link,
            kind=AccessEvent.Kind.ZIP,
            ip=_ip(request),
            user_agent=_ua(request),
            files=[e.tracked() for e in grouped],
        )

    def opener(entry: selectors.Entry) -> Any:
        return lambda: entry.file.open("rb")

    members = [(name, e.size, opener(e)) for name, e in zip(names, grouped, strict=True)]
    response = StreamingHttpResponse(
        zip_stream(members, on_member_error=lambda n, exc: logger.warning("zip: %s missing: %s", n, exc)),
        content_type="application/zip",
    )
    archive = services.safe_file_name(f"Unterlagen {link.property.external_id}".strip()) or "Unterlagen"
    response["Content-Disposition"] = f'attachment; filename="{_ascii(archive)}.zip"'
    response["X-Content-Type-Options"] = "nosniff"
    return private(response)


def _ascii(name: str) -> str:
    return "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in name)
