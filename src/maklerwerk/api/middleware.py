from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from maklerwerk.api.problems import problem_response


class ApiBodyLimitMiddleware:
    """Refuse oversized API bodies before anything reads them, with a 413 problem.

    Ninja would otherwise report Django's RequestDataTooBig as an unparsable body (400).
    Uploads (multipart) have their own per-file limit and are not counted here.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/") and not request.content_type.startswith("multipart/"):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            if limit is not None and length > limit:
                return problem_response(request, 413, f"The request body exceeds the limit of {limit} bytes.")
        return self.get_response(request)
