from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.errors import AuthorizationError
from ninja.security import HttpBearer, SessionAuth

from maklerwerk.accounts.http import ApiRequest
from maklerwerk.accounts.models import ApiToken, User
from maklerwerk.accounts.roles import Capability
from maklerwerk.accounts.services import api_token_lookup
from maklerwerk.accounts.twofactor import session_verdict

# What a narrowed token may call: (method, route below /api/v1/). Everything else answers 403.
SCOPE_OPERATIONS: dict[str, set[tuple[str, str]]] = {
    ApiToken.Scope.INQUIRIES_CREATE: {("POST", "inquiries")},
}


class TokenAuth(HttpBearer):
    """`Authorization: Bearer <token>` with a personal API token (Einstellungen → API-Tokens)."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        found = api_token_lookup(token)
        if found is None:
            return None
        if found.scope != ApiToken.Scope.FULL:
            route = (request.resolver_match.route if request.resolver_match else "").removeprefix("api/v1/")
            if (request.method, route) not in SCOPE_OPERATIONS.get(found.scope, set()):
                raise AuthorizationError(
                    message=f"This token is limited to the scope '{found.scope}' and may not do this."
                )
        user = found.user
        request.user = user
        request.office = user.office  # type: ignore[attr-defined]  # sets what ApiRequest declares
        return user


class OfficeSessionAuth(SessionAuth):
    """The browser's session; unsafe methods need the CSRF token, as on every form.

    A request that sends `Authorization` chose token authentication: when its token is not valid,
    it gets 401 (not the session's CSRF 403, which would send the client looking in the wrong place).
    """

    def __call__(self, request: HttpRequest) -> Any:
        if "authorization" in request.headers:
            return None
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        if user is None or not user.is_active:
            return None
        # A session that must still give or set up its second factor reaches the API as little as a page.
        return user if session_verdict(request) == "ok" else None


AUTH = [TokenAuth(), OfficeSessionAuth()]


def require(request: ApiRequest, capability: Capability) -> User:
    """The authenticated user, if their role grants `capability`; else a 403 problem."""
    user = request.auth
    if user.office_id is None:
        raise AuthorizationError(
            message=f"Your user belongs to no office; run `maklerwerk assign_office {user.username}`."
        )
    if not user.can(capability):
        raise AuthorizationError(message=f"Your role does not allow '{capability}'.")
    return user
