"""RFC 9457 problem details: the one error shape of the API."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse

PROBLEM_CONTENT_TYPE = "application/problem+json"

TITLES = {
    400: "Bad request",
    401: "Authentication required",
    403: "Permission denied",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Request body too large",
    415: "Unsupported media type",
    422: "Validation failed",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
}


def problem_type(status: int) -> str:
    return f"urn:maklerwerk:problem:{status}"


def problem_response(
    request: HttpRequest | None,
    status: int,
    detail: str,
    *,
    errors: list[dict[str, Any]] | None = None,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JsonResponse:
    body: dict[str, Any] = {
        "type": problem_type(status),
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    if request is not None:
        body["instance"] = request.path
    if errors is not None:
        body["errors"] = errors
    if extra:
        body.update(extra)
    response = JsonResponse(
        body, status=status, content_type=PROBLEM_CONTENT_TYPE, json_dumps_params={"ensure_ascii": False}
    )
    for key, value in (headers or {}).items():
        response[key] = value
    return response


_SOURCES = {"body", "query", "path", "header", "cookie", "form", "file"}


def field_errors(raw_errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Turn pydantic/ninja error dicts into `{field, message, code, location}`."""
    out = []
    for err in raw_errors:
        loc = [str(p) for p in err.get("loc", [])]
        location = loc.pop(0) if loc and loc[0] in _SOURCES else "body"
        # Ninja puts the view's parameter name first for JSON bodies ("payload"); users never see it.
        if location == "body" and len(loc) > 1:
            loc = loc[1:]
        message = str(err.get("msg", "invalid"))
        code = str(err.get("type", "invalid"))
        if code == "extra_forbidden":
            message = "Unknown field"
        out.append({"field": ".".join(loc), "message": message, "code": code, "location": location})
    return out
