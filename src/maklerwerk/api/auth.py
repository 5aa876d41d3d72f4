from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.errors import AuthorizationError
from ninja.security import HttpBearer, SessionAuth

from maklerwerk.accounts.models import User
from maklerwerk.accounts.roles import Capability
from maklerwerk.accounts.services import api_token_authenticate


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>` with a personal API token (Einstellungen → API-Tokens)."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
            request.office = user.office  # type: ignore[attr-defined]
        return user


class OfficeSessionAuth(SessionAuth):
    """The browser's session; unsafe methods need the CSRF token, as on every form."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


AUTH = [TokenAuth(), OfficeSessionAuth()]


def require(request: HttpRequest, capability: Capability) -> User:
    """The authenticated user, if their role grants `capability`; else a 403 problem."""
    user: User = request.auth  # type: ignore[attr-defined]
    if user.office_id is None:
        raise AuthorizationError(
            message=f"Your user belongs to no office; run `maklerwerk assign_office {user.username}`."
        )
    if not user.can(capability):
        raise AuthorizationError(message=f"Your role does not allow '{capability}'.")
    return user
