from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from maklerwerk.api.problems import problem_response


class LanguageMiddleware:
    """German unless the user chose English (language cookie set by the switcher).

    Unlike Django's LocaleMiddleware we ignore the browser's Accept-Language: an office's UI
    should not change language because one colleague's browser is set to English.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.languages = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if language not in self.languages:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class UploadLimitMiddleware:
    """Refuses an upload with too many bytes or files before a view (or CSRF) reads it.

    The size comes from Content-Length, so an oversized body is never spooled; the file count
    (Django's DATA_UPLOAD_MAX_NUMBER_FILES) is checked while parsing, which stops at the limit. The
    API answers 413 problem+json; a form is sent back to its page with a German message.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in {"POST", "PUT", "PATCH"} and (request.content_type or "").startswith(
            "multipart/"
        ):
            from django.core.exceptions import TooManyFilesSent
            from django.template.defaultfilters import filesizeformat
            from django.utils.translation import gettext as _

            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            limit = settings.MAX_UPLOAD_REQUEST_BYTES
            if length > limit:
                return self._refuse(
                    request,
                    _("The upload is too large (%(size)s); at most %(limit)s can be uploaded at once.")
                    % {"size": filesizeformat(length), "limit": filesizeformat(limit)},
                )
            try:
                request.FILES  # noqa: B018  (parse now: the size is within the limit)
            except TooManyFilesSent:
                return self._refuse(
                    request,
                    _("Too many files at once: please upload at most %(n)s files per step.")
                    % {"n": settings.DATA_UPLOAD_MAX_NUMBER_FILES},
                )
        return self.get_response(request)

    @staticmethod
    def _refuse(request: HttpRequest, message: str) -> HttpResponse:
        from django.contrib import messages
        from django.shortcuts import redirect, render
        from django.utils.http import url_has_allowed_host_and_scheme

        if request.path.startswith("/api/"):
            return problem_response(request, 413, message)
        back = request.META.get("HTTP_REFERER", "")
        if back and url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
            messages.error(request, message)
            return redirect(back)
        return render(request, "413.html", {"message": message}, status=413)
