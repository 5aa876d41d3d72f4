import datetime as dt
from typing import Any, Literal

from ninja import Field, Router, Schema, Status

from maklerwerk.accounts import services
from maklerwerk.accounts.http import ApiRequest
from maklerwerk.accounts.models import ApiToken, User
from maklerwerk.accounts.roles import ROLE_CAPABILITIES, Capability
from maklerwerk.api.auth import require
from maklerwerk.api.schemas import InputSchema

router = Router(tags=["account"])


class MeOut(Schema):
    id: int
    username: str
    first_name: str
    last_name: str
    email: str
    role: str
    office_id: int | None
    office_name: str | None
    capabilities: list[str]


class ApiTokenOut(Schema):
    id: int
    name: str
    prefix: str
    scope: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class ApiTokenCreateIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=100)
    scope: Literal["full", "inquiries:create"] = Field(
        "full", description="'inquiries:create': the token may only create inquiries (website form)"
    )


class ApiTokenCreatedOut(ApiTokenOut):
    token: str = Field(..., description="The token itself; shown only in this response")


@router.get("/me", response=MeOut, summary="The authenticated user")
def me_api(request: ApiRequest) -> dict[str, Any]:
    user: User = require(request, Capability.VIEW)
    return {
        "id": user.pk,
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "role": user.effective_role,
        "office_id": user.office_id,
        "office_name": user.office.name if user.office else None,
        "capabilities": sorted(str(c) for c in ROLE_CAPABILITIES[user.effective_role]),
    }


@router.get("/tokens", response=list[ApiTokenOut], summary="Your API tokens")
def token_list_api(request: ApiRequest) -> Any:
    user = require(request, Capability.VIEW)
    return ApiToken.objects.filter(user=user)


@router.post("/tokens", response={201: ApiTokenCreatedOut}, summary="Create an API token")
def token_create_api(request: ApiRequest, payload: ApiTokenCreateIn) -> Status[dict[str, Any]]:
    user = require(request, Capability.VIEW)
    token, plain = services.api_token_create(user=user, name=payload.name, scope=payload.scope)
    data = ApiTokenOut.from_orm(token).dict()
    return Status(201, {**data, "token": plain})


@router.delete("/tokens/{token_id}", response={204: None}, summary="Revoke an API token")
def token_revoke_api(request: ApiRequest, token_id: int) -> Status:
    from django.http import Http404

    user = require(request, Capability.VIEW)
    if not services.api_token_revoke(user=user, token_id=token_id):
        raise Http404
    return Status(204, None)
