"""XOAUTH2 access tokens that renew themselves (Microsoft 365, Google refuse passwords for IMAP).

An account with a refresh token, a token endpoint and a client ID gets a fresh access token from
the provider (RFC 6749 section 6, through requests-oauthlib) when the stored one has run out or
will within a minute; the new access token (and a rotated refresh token) are stored encrypted. A
refused refresh becomes a German `ImapError` on the account: the user connects again.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from oauthlib.oauth2 import OAuth2Error
from requests import RequestException
from requests_oauthlib import OAuth2Session

from maklerwerk.integrations.imap.client import ImapError
from maklerwerk.mailsync.models import MailAccount

MARGIN = dt.timedelta(seconds=60)
TIMEOUT = 20


def needs_refresh(account: MailAccount) -> bool:
    return (
        account.auth == MailAccount.Auth.XOAUTH2
        and bool(account.refresh_token_encrypted and account.oauth_token_url)
        and (account.token_expires_at is None or account.token_expires_at <= timezone.now() + MARGIN)
    )


def access_token_refresh(account: MailAccount) -> None:
    """Renew the access token at the token endpoint and store it; ImapError (German) when refused."""
    session = OAuth2Session(client_id=account.oauth_client_id or None)
    try:
        # Reference: https://datatracker.ietf.org/doc/html/rfc6749#section-6
        token = session.refresh_token(
            account.oauth_token_url,
            refresh_token=account.get_refresh_token(),
            client_id=account.oauth_client_id or None,
            timeout=TIMEOUT,
        )
    except OAuth2Error as exc:
        raise ImapError(
            f"Der Zugriff wurde vom Anbieter nicht erneuert ({exc.error}); bitte das Postfach neu verbinden.",
            permanent=True,
        ) from exc
    except (RequestException, ValueError) as exc:
        raise ImapError(
            f"Der Anmeldedienst des Anbieters ist nicht erreichbar ({type(exc).__name__}).", permanent=False
        ) from exc
    access = str(token.get("access_token") or "")
    if not access:
        raise ImapError("Der Anbieter hat kein Zugriffstoken geliefert.", permanent=True)
    account.set_password(access)
    if token.get("refresh_token"):
        account.set_refresh_token(str(token["refresh_token"]))
    expires_in = int(token.get("expires_in") or 3600)
    account.token_expires_at = timezone.now() + dt.timedelta(seconds=expires_in)
    MailAccount.objects.filter(pk=account.pk).update(
        password_encrypted=account.password_encrypted,
        refresh_token_encrypted=account.refresh_token_encrypted,
        token_expires_at=account.token_expires_at,
    )
