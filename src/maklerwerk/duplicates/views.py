from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse

from maklerwerk.accounts.permissions import require_capability
from maklerwerk.accounts.roles import Capability


@require_capability(Capability.DELETE)
def merge(request: HttpRequest, a: int, b: int) -> HttpResponse:
    """Merge contact `b` into contact `a` (the duplicates issue implements this page)."""
    raise Http404
