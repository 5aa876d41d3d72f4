from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from maklerwerk.api.problems import field_errors, problem_response
from maklerwerk.core.exceptions import ApplicationError

if TYPE_CHECKING:
    from ninja import NinjaAPI

logger = logging.getLogger(__name__)


def install_problem_handlers(api: NinjaAPI) -> None:
    """Every error the API can produce answers as application/problem+json."""

    @api.exception_handler(ValidationError)
    def _validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return problem_response(
            request, 422, "The request has invalid fields.", errors=field_errors(exc.errors)
        )

    @api.exception_handler(DjangoValidationError)
    def _model_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        if hasattr(exc, "error_dict"):
            errors = [
                {
                    "field": field,
                    "message": str(msg),
                    "code": getattr(e, "code", None) or "invalid",
                    "location": "body",
                }
                for field, errs in exc.error_dict.items()
                for e in errs
                for msg in e.messages
            ]
        else:
            errors = [
                {"field": "", "message": m, "code": "invalid", "location": "body"} for m in exc.messages
            ]
        return problem_response(request, 422, "The request has invalid fields.", errors=errors)

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return problem_response(
            request,
            401,
            "Send a valid API token as 'Authorization: Bearer <token>' or log in.",
            headers={"WWW-Authenticate": 'Bearer realm="maklerwerk"'},
        )

    @api.exception_handler(Throttled)
    def _throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
        headers = {"Retry-After": str(exc.wait)} if exc.wait else None
        return problem_response(request, 429, "Too many requests; try again later.", headers=headers)

    @api.exception_handler(HttpError)
    def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        status = exc.status_code
        detail = str(exc)
        if status == 400 and detail.startswith("Cannot parse request body"):
            cause = exc.__cause__
            if isinstance(cause, RequestDataTooBig):
                return _too_big(request)
            detail = "The request body is not valid JSON."
        return problem_response(request, status, detail)

    @api.exception_handler(PermissionDenied)
    def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return problem_response(request, 403, str(exc) or "Your role does not allow this.")

    @api.exception_handler(Http404)
    def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return problem_response(request, 404, "No such record.")

    @api.exception_handler(ApplicationError)
    def _application(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
        return problem_response(request, exc.status_code, exc.message, extra=exc.extra)

    @api.exception_handler(RequestDataTooBig)
    def _too_big_handler(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return _too_big(request)

    @api.exception_handler(Exception)
    def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("unhandled API error on %s", request.path)
        return problem_response(request, 500, "Something went wrong on our side; it has been logged.")


def _too_big(request: HttpRequest) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return problem_response(request, 413, f"The request body exceeds the limit of {limit} bytes.")
