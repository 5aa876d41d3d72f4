import datetime as dt
from typing import TYPE_CHECKING, Any, Literal

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from maklerwerk.accounts.http import ApiRequest
from maklerwerk.accounts.roles import Capability
from maklerwerk.api.auth import require
from maklerwerk.api.schemas import InputSchema, Page
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.davsync import selectors, services
from maklerwerk.davsync.models import DavAccount

router = Router(tags=["sync"])

if TYPE_CHECKING:
    Kind = str
    Scope = str
    Rule = str
else:
    Kind = Literal[tuple(DavAccount.Kind.values)]
    Scope = Literal[tuple(DavAccount.Scope.values)]
    Rule = Literal[tuple(DavAccount.ConflictRule.values)]


class DavAccountOut(Schema):
    id: int
    kind: str
    url: str
    username: str
    password_set: bool
    scope: str
    tag_name: str
    conflict_rule: str
    state: str
    state_message: str
    last_sync_at: dt.datetime | None


class DavAccountIn(InputSchema):
    kind: Kind = "carddav"
    url: str = Field(..., max_length=500, description="The address book or calendar collection")
    username: str = Field("", max_length=200)
    password: str = Field("", max_length=500, description="Write-only; stored encrypted")
    scope: Scope = "flagged"
    tag_name: str = Field("", max_length=50, description="For scope `tag`")
    conflict_rule: Rule = "maklerwerk_wins"


class DavAccountPatchIn(InputSchema):
    kind: Kind | None = None
    url: str | None = Field(None, max_length=500)
    username: str | None = Field(None, max_length=200)
    password: str | None = Field(None, max_length=500, description="Empty: keep the stored one")
    scope: Scope | None = None
    tag_name: str | None = Field(None, max_length=50)
    conflict_rule: Rule | None = None


class DavSyncIn(InputSchema):
    dry_run: bool = Field(False, description="Only decide and report (the first sync's preview)")


class DavSyncJobOut(Schema):
    id: str
    state: str
    percent: int
    url: str


class SyncEventOut(Schema):
    id: int
    created_at: dt.datetime
    level: str
    message: str
    contact_id: int | None = Field(None, alias="contact_id_ref")
    dry_run: bool


@router.get("/me/dav-accounts", response=list[DavAccountOut], summary="My address book and calendar accounts")
def dav_account_list(request: ApiRequest) -> Any:
    user = require(request, Capability.VIEW)
    return list(selectors.dav_accounts(user=user))


@router.post("/me/dav-accounts", response={201: DavAccountOut}, summary="Connect an address book or calendar")
def dav_account_create(request: ApiRequest, payload: DavAccountIn) -> Any:
    user = require(request, Capability.VIEW)
    return Status(201, services.dav_account_create(user=user, data=payload.model_dump()))


@router.get("/me/dav-accounts/{account_id}", response=DavAccountOut, summary="One account")
def dav_account_detail(request: ApiRequest, account_id: int) -> Any:
    user = require(request, Capability.VIEW)
    return selectors.dav_account_get(user=user, pk=account_id)


@router.patch("/me/dav-accounts/{account_id}", response=DavAccountOut, summary="Change an account")
def dav_account_patch(request: ApiRequest, account_id: int, payload: DavAccountPatchIn) -> Any:
    user = require(request, Capability.VIEW)
    account = selectors.dav_account_get(user=user, pk=account_id)
    return services.dav_account_update(account=account, data=payload.model_dump(exclude_unset=True))


@router.delete("/me/dav-accounts/{account_id}", response={204: None}, summary="Disconnect an account")
def dav_account_delete(request: ApiRequest, account_id: int) -> Any:
    user = require(request, Capability.VIEW)
    services.dav_account_delete(account=selectors.dav_account_get(user=user, pk=account_id))
    return Status(204, None)


@router.post(
    "/me/dav-accounts/{account_id}/sync", response={202: DavSyncJobOut}, summary="Sync now (or preview)"
)
def dav_account_sync(request: ApiRequest, account_id: int, payload: DavSyncIn) -> Any:
    """Starts a background job; its result holds the counts and, for a dry run, one row per card."""
    user = require(request, Capability.VIEW)
    account = selectors.dav_account_get(user=user, pk=account_id)
    job = services.dav_sync_start(account=account, user=user, dry_run=payload.dry_run)
    return Status(
        202, {"id": str(job.pk), "state": job.state, "percent": job.percent, "url": f"/api/v1/jobs/{job.pk}"}
    )


@router.get("/me/dav-accounts/{account_id}/events", response=list[SyncEventOut], summary="The sync log")
@paginate(Page)
def dav_account_events(request: ApiRequest, account_id: int) -> Any:
    user = require(request, Capability.VIEW)
    return selectors.sync_events(account=selectors.dav_account_get(user=user, pk=account_id))


class DavContactsIn(InputSchema):
    """Contacts to mark for the address book (the "flagged" scope): by id, or every contact of a tag."""

    contact_ids: list[int] = Field(default_factory=list, max_length=10_000)
    tag: str = Field("", max_length=100)
    enabled: bool = True


class DavContactsOut(Schema):
    marked: int


@router.post(
    "/me/dav-accounts/{account_id}/contacts",
    response=DavContactsOut,
    summary="Mark contacts for the address book (or unmark them with enabled=false)",
)
def dav_account_contacts(request: ApiRequest, account_id: int, payload: DavContactsIn) -> Any:
    """The same service as the account page's card: only contacts of the user's office count."""
    user = require(request, Capability.VIEW)
    account = selectors.dav_account_get(user=user, pk=account_id)
    if payload.tag:
        n = services.sync_flags_set_by_tag(account=account, tag=payload.tag, enabled=payload.enabled)
    elif payload.contact_ids:
        n = services.sync_flags_set(account=account, contact_ids=payload.contact_ids, enabled=payload.enabled)
    else:
        raise ApplicationError(_("Choose at least one contact."))
    return {"marked": n}
