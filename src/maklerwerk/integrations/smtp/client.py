"""Outgoing mail over SMTP through Django's mailers (Django 6.1 `MAILERS`).

Small typed functions, no domain logic. Every failure becomes an `SmtpError` whose `permanent`
flag tells the caller whether retrying later can help (5xx answers) or not yet (4xx, timeouts,
dropped or refused connections).
"""

from __future__ import annotations

import smtplib
import socket
import ssl
import time
from dataclasses import dataclass
from typing import Any

from django.core.mail import EmailMessage, mailers
from django.core.mail.backends.base import BaseEmailBackend
from django.utils.module_loading import import_string

SMTP_BACKEND = "maklerwerk.integrations.smtp.backend.EmailBackend"


class SmtpError(Exception):
    """Sending failed. `permanent`: the server rejected it for good (5xx); else retry later."""

    def __init__(
        self, message: str, *, permanent: bool, code: int | None = None, kind: str = "other"
    ) -> None:
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.code = code
        # refused_recipient, rejected, auth, disconnected, timeout, connection_refused, tls, network,
        # invalid_address, other: callers show their own (translated) text per kind
        self.kind = kind


@dataclass(frozen=True)
class SmtpAccount:
    """A user's own SMTP account (instead of the office's `EMAIL_URL`)."""

    host: str
    port: int
    security: str  # "none", "starttls", "ssl"
    username: str = ""
    password: str = ""
    timeout: float = 30.0


def mailer_open(account: SmtpAccount | None = None) -> BaseEmailBackend:
    """A mailer: the configured default (`MAILERS["default"]`), or one for `account`.

    Reference: https://docs.djangoproject.com/en/6.1/topics/email/#mailers
    """
    if account is None:
        return mailers.default
    backend_class = import_string(SMTP_BACKEND)
    return backend_class(
        alias="user-smtp",
        host=account.host,
        port=account.port,
        username=account.username,
        password=account.password,
        use_tls=account.security == "starttls",
        use_ssl=account.security == "ssl",
        timeout=account.timeout,
    )


def _classify(exc: BaseException) -> SmtpError:
    if isinstance(exc, SmtpError):
        return exc
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, reply = next(iter(exc.recipients.values()), (550, b""))
        text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
        return SmtpError(
            f"Recipient refused: {code} {text}".strip(),
            permanent=code >= 500,
            code=code,
            kind="refused_recipient",
        )
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return SmtpError(
            f"Login to the mail server failed: {exc.smtp_code}",
            permanent=True,
            code=exc.smtp_code,
            kind="auth",
        )
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        if "timed out" in str(exc):
            return SmtpError("The mail server did not answer in time.", permanent=False, kind="timeout")
        return SmtpError(
            f"The mail server closed the connection: {exc}", permanent=False, kind="disconnected"
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        text = (
            exc.smtp_error.decode("utf-8", "replace")
            if isinstance(exc.smtp_error, bytes)
            else str(exc.smtp_error)
        )
        return SmtpError(
            f"{exc.smtp_code} {text}".strip(),
            permanent=exc.smtp_code >= 500,
            code=exc.smtp_code,
            kind="rejected",
        )
    if isinstance(exc, (TimeoutError, socket.timeout)):
        return SmtpError("The mail server did not answer in time.", permanent=False, kind="timeout")
    if isinstance(exc, ConnectionRefusedError):
        return SmtpError(
            "The mail server refused the connection.", permanent=False, kind="connection_refused"
        )
    if isinstance(exc, ssl.SSLError):
        return SmtpError(f"TLS with the mail server failed: {exc}", permanent=False, kind="tls")
    if isinstance(exc, OSError):
        return SmtpError(f"Connection to the mail server failed: {exc}", permanent=False, kind="network")
    if isinstance(exc, smtplib.SMTPException):
        return SmtpError(str(exc) or type(exc).__name__, permanent=False)
    if isinstance(exc, ValueError):  # invalid address (Django's prep_address)
        return SmtpError(f"Invalid address: {exc}", permanent=True, kind="invalid_address")
    raise exc


def message_send(message: EmailMessage, *, mailer: BaseEmailBackend) -> float:
    """Send one message over `mailer` (opened if needed); returns seconds spent talking SMTP.

    On any failure the mailer is closed (the next call reconnects) and an `SmtpError` is raised.
    Reference: RFC 5321 (reply codes 4xx transient, 5xx permanent).
    """
    started = time.perf_counter()
    try:
        mailer.open()
        sent = mailer.send_messages([message])
    except Exception as exc:
        error = _classify(exc)
        _close_quietly(mailer)
        raise error from exc
    if not sent:
        raise SmtpError("The mail server did not accept the message.", permanent=False, kind="rejected")
    return time.perf_counter() - started


def _close_quietly(mailer: BaseEmailBackend) -> None:
    try:
        mailer.close()
    except Exception:
        connection: Any = getattr(mailer, "connection", None)
        if connection is not None:
            mailer.connection = None  # type: ignore[attr-defined]  # the SMTP backend's, checked above


def connection_check(account: SmtpAccount) -> None:
    """Connect and log in once (the "test connection" button); raises `SmtpError`."""
    mailer = mailer_open(account)
    try:
        mailer.open()
    except Exception as exc:
        raise _classify(exc) from exc
    finally:
        _close_quietly(mailer)
