"""Start-up checks that refuse a production set-up which would lose work silently."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Warning, register
from django.core.exceptions import ImproperlyConfigured

from maklerwerk.core.baseurl import port_mismatch_warning, runserver_port

MAIL_MISSING = (
    "EMAIL_URL is not set. In production (DEBUG=0) Maklerwerk needs a mail server for offers, "
    "confirmations and share links. / EMAIL_URL ist nicht gesetzt. Im Produktivbetrieb (DEBUG=0) "
    "braucht Maklerwerk einen Mailserver für Angebote, Bestätigungen und Freigabelinks."
)
MAIL_HINT = (
    "Set EMAIL_URL=smtp+tls://user:password@smtp.example.de:587 (see docs/deploy.md), or DEBUG=1 "
    "for development. / Setzen Sie EMAIL_URL=smtp+tls://benutzer:passwort@smtp.example.de:587 "
    "(siehe docs/deploy.md), oder DEBUG=1 für die Entwicklung."
)


def mail_problems() -> list[Error]:
    # `EMAIL_URL=console://` is still allowed: then printing mails is the operator's explicit choice.
    if settings.DEBUG or settings.EMAIL_URL:
        return []
    return [Error(MAIL_MISSING, hint=MAIL_HINT, id="maklerwerk.E001")]


@register()
def check_mail_server(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """`check`, `migrate`, `run_huey`, … refuse to run in production without a mail server."""
    return mail_problems()


def refuse_to_serve_without_mail() -> None:
    """gunicorn runs no system checks: the WSGI module calls this so the web server refuses too."""
    problems = mail_problems()
    if problems:
        raise ImproperlyConfigured(f"{problems[0].msg} {problems[0].hint}")


@register()
def check_base_url_port(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    """`runserver` on another port than MAKLERWERK_BASE_URL names: links in e-mails would not open."""
    import sys

    listen = runserver_port(sys.argv)
    warning = listen and port_mismatch_warning(host=listen[0], port=listen[1])
    return [Warning(warning, id="maklerwerk.W001")] if warning else []
