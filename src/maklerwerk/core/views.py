from __future__ import annotations

import logging
from pathlib import Path

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from maklerwerk.accounts.http import AuthedRequest
from maklerwerk.accounts.models import Office
from maklerwerk.accounts.permissions import require_capability
from maklerwerk.accounts.roles import Capability
from maklerwerk.core import selectors
from maklerwerk.core.dashboard import COUNTERS, WIDGETS
from maklerwerk.core.export import export_open
from maklerwerk.core.search import KIND_LABELS, MIN_LENGTH, global_search

logger = logging.getLogger(__name__)


@login_not_required
@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    # Browsers ask for /favicon.ico on every page that names none (public pages, files, the API docs).
    return redirect(static("maklerwerk/favicon.svg"), permanent=True)


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database and the job storage answer, else 503 with what failed."""
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception as exc:
        logger.warning("health check: database failed: %s", exc)
        checks["database"] = "error"
    try:
        from huey.contrib.djhuey import HUEY

        HUEY.storage.queue_size()
        checks["jobs"] = "ok"
    except Exception as exc:
        logger.warning("health check: job storage failed: %s", exc)
        checks["jobs"] = "error"
    healthy = all(v == "ok" for v in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks, "database": connection.vendor},
        status=200 if healthy else 503,
    )


@require_capability(Capability.VIEW)
@require_GET
def dashboard(request: AuthedRequest) -> HttpResponse:
    recent = selectors.activity_list(user=request.user)[:10]
    if request.htmx and request.htmx.target == "recent-activities":
        return render(request, "core/dashboard.html#recent", {"recent_activities": recent})
    counters = [{"counter": c, "value": c.value_for(request.user)} for c in COUNTERS]
    context = {
        "counters": counters,
        "recent_activities": recent,
        "widgets": list(WIDGETS),
        "can_edit": request.user.can(Capability.EDIT),
    }
    return render(request, "core/dashboard.html", context)


@require_capability(Capability.VIEW)
@require_GET
def search(request: AuthedRequest) -> HttpResponse:
    """The header search: a dropdown while typing (htmx), a page after Enter."""

    q = request.GET.get("q", "").strip()[:100]
    hits = global_search(user=request.user, q=q, limit=6 if request.htmx else 25)
    context = {"q": q, "hits": hits, "kinds": KIND_LABELS, "too_short": 0 < len(q) < MIN_LENGTH}
    if request.htmx:
        return render(request, "core/search.html#results", context)
    return render(request, "core/search.html", context)


@require_capability(Capability.VIEW)
@require_GET
def job_progress(request: AuthedRequest, job_id: str) -> HttpResponse:
    """The progress partial; htmx polls it and stops when we answer 286."""
    job = selectors.job_get(user=request.user, pk=job_id)
    response = render(request, "core/_job_progress.html", {"job": job})
    if job.is_finished and request.htmx:
        response.status_code = 286
        # A job whose result has its own page (e.g. the vCard preview) leads there when done.
        redirect_to = job.result.get("redirect") if job.state == job.State.SUCCEEDED else None
        if isinstance(redirect_to, str) and redirect_to.startswith("/"):
            response["HX-Redirect"] = redirect_to
    return response


@require_capability(Capability.MANAGE_OFFICE)
@require_GET
def job_download(request: AuthedRequest, job_id: str) -> FileResponse:
    job = selectors.job_get(user=request.user, pk=job_id)
    name = str(job.result.get("file") or "")
    fh = export_open(name, stored=bool(job.result.get("stored"))) if "/" not in name and name else None
    if fh is None:
        raise Http404
    # Exports are ZIP files since version 2 (data plus files); older ones were plain JSON.
    return FileResponse(
        fh, as_attachment=True, filename=f"maklerwerk-export-{job.created_at:%Y%m%d-%H%M}{Path(name).suffix}"
    )


@login_not_required
@require_GET
def office_logo(request: HttpRequest, office_id: int) -> FileResponse:
    """The office logo; public, because shared-document pages and exposés show it too."""

    office = Office.objects.filter(pk=office_id).first()
    if office is None or not office.logo:
        raise Http404
    try:
        handle = office.logo.open("rb")
    except OSError as exc:
        raise Http404 from exc
    response = FileResponse(handle)
    response["Cache-Control"] = "public, max-age=3600"
    return response


@login_not_required
def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A German explanation instead of Django's technical CSRF page; nothing was saved."""
    return render(request, "403_csrf.html", status=403)


@login_not_required
def rate_limited(request: HttpRequest, exception: Exception) -> HttpResponse:
    """What django-ratelimit shows when a public page is asked too often (HTTP 429)."""
    return render(request, "429.html", status=429)
