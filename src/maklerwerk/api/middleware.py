from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from maklerwerk.api.problems import problem_response
from maklerwerk.api.schemas import MAX_INT


class ApiBodyLimitMiddleware:
    """Refuse oversized API bodies before anything reads them, with a 413 problem.

    Ninja would otherwise report Django's RequestDataTooBig as an unparsable body (400).
    Uploads (multipart) have their own per-file limit and are not counted here.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/") and not (request.content_type or "").startswith("multipart/"):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            if limit is not None and length > limit:
                return problem_response(request, 413, f"The request body exceeds the limit of {limit} bytes.")
        return self.get_response(request)


class ApiNumberRangeMiddleware:
    """Refuse whole numbers beyond 64 bits in an API query string with a 422 problem (in the path: 404).

    Filters like `?property_id=` reach the database as they are; a larger number overflows it
    (SQLite: "too large to convert", PostgreSQL: "out of range"), a 500 otherwise. Request
    bodies are checked by `api.schemas.InputSchema`.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/") and any(map(_too_large, request.path.split("/"))):
            # An id in the path beyond 64 bits names no record (and would overflow the database).
            return problem_response(request, 404, "Not Found")
        if request.path.startswith("/api/") and request.GET:
            fields = sorted({key for key, values in request.GET.lists() if any(map(_too_large, values))})
            if fields:
                message = str(_("This number is too large."))
                errors = [
                    {"field": f, "message": message, "code": "number_too_large", "location": "query"}
                    for f in fields
                ]
                return problem_response(request, 422, "The request has invalid fields.", errors=errors)
        return self.get_response(request)


def _too_large(value: str) -> bool:
    digits = value.strip().lstrip("+-")
    return digits.isascii() and digits.isdigit() and int(digits) > MAX_INT
