"""/me/mail-accounts: the caller's own mailboxes (the password is write-only) and their archive job."""

import datetime as dt
from typing import Any, Literal

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.responses import Status

from maklerwerk.accounts.http import ApiRequest
from maklerwerk.accounts.roles import Capability
from maklerwerk.api.auth import require
from maklerwerk.api.schemas import InputSchema
from maklerwerk.core.exceptions import ConflictError
from maklerwerk.mailsync import selectors, services
from maklerwerk.mailsync.tasks import account_sync_start

router = Router(tags=["mail accounts"])


class MailAccountIn(InputSchema):
    email: str
    host: str
    port: int = Field(993, ge=1, le=65535)
    security: Literal["none", "starttls", "ssl"] = "ssl"
    username: str = Field("", description="Defaults to `email`")
    auth: Literal["login", "xoauth2"] = Field("login", description="xoauth2: `password` is the access token")
    password: str = Field("", description="Write-only: stored encrypted, never returned")
    refresh_token: str = Field(
        "", description="Write-only (xoauth2): renews the access token at `oauth_token_url`"
    )
    oauth_token_url: str = Field("", max_length=500, description="The provider's OAuth 2.0 token endpoint")
    oauth_client_id: str = Field("", max_length=300)
    folders: list[str] = Field(default_factory=list, description="Folders besides INBOX and Sent")
    sent_folder: str = Field("", description="Empty: found by the \\Sent flag or the usual names")
    append_sent: bool = True
    active: bool = True


class MailAccountPatch(InputSchema):
    email: str | None = None
    host: str | None = None
    port: int | None = Field(None, ge=1, le=65535)
    security: Literal["none", "starttls", "ssl"] | None = None
    username: str | None = None
    auth: Literal["login", "xoauth2"] | None = None
    password: str | None = Field(None, description="Write-only; omitted or empty keeps the stored one")
    refresh_token: str | None = Field(None, description="Write-only; omitted or empty keeps the stored one")
    oauth_token_url: str | None = Field(None, max_length=500)
    oauth_client_id: str | None = Field(None, max_length=300)
    folders: list[str] | None = None
    sent_folder: str | None = None
    append_sent: bool | None = None
    active: bool | None = None


class MailAccountOut(Schema):
    id: int
    email: str
    host: str
    port: int
    security: str
    username: str
    auth: str
    oauth_token_url: str
    oauth_client_id: str
    refresh_token_set: bool
    token_expires_at: dt.datetime | None
    folders: list[str]
    sent_folder: str
    append_sent: bool
    active: bool
    last_status: str
    last_error: str
    last_summary: str
    last_run_at: Any = None


class MailSyncIn(InputSchema):
    dry_run: bool = False


class MailSyncJobOut(Schema):
    id: str
    state: str
    url: str


@router.get("/me/mail-accounts", response=list[MailAccountOut], summary="My mail accounts")
def account_list_api(request: ApiRequest) -> Any:
    user = require(request, Capability.VIEW)
    return list(selectors.account_list(user=user))


@router.post("/me/mail-accounts", response={201: MailAccountOut}, summary="Connect a mailbox")
def account_create_api(request: ApiRequest, payload: MailAccountIn) -> Any:
    user = require(request, Capability.EDIT)
    return Status(201, services.mail_account_create(user=user, data=payload.model_dump()))


@router.get("/me/mail-accounts/{account_id}", response=MailAccountOut)
def account_get_api(request: ApiRequest, account_id: int) -> Any:
    user = require(request, Capability.VIEW)
    return selectors.account_get(user=user, pk=account_id)


@router.patch("/me/mail-accounts/{account_id}", response=MailAccountOut)
def account_update_api(request: ApiRequest, account_id: int, payload: MailAccountPatch) -> Any:
    user = require(request, Capability.EDIT)
    account = selectors.account_get(user=user, pk=account_id)
    data = payload.model_dump(exclude_unset=True)
    return services.mail_account_update(account=account, user=user, data=data)


@router.delete("/me/mail-accounts/{account_id}", response={204: None}, summary="Disconnect (archive stays)")
def account_delete_api(request: ApiRequest, account_id: int) -> Any:
    user = require(request, Capability.EDIT)
    services.mail_account_delete(account=selectors.account_get(user=user, pk=account_id), user=user)
    return Status(204, None)


@router.post(
    "/me/mail-accounts/{account_id}/sync",
    response={202: MailSyncJobOut},
    summary="Archive the mailbox now (a job; `dry_run` reports without writing)",
)
def account_sync_api(request: ApiRequest, account_id: int, payload: MailSyncIn | None = None) -> Any:
    user = require(request, Capability.EDIT)
    account = selectors.account_get(user=user, pk=account_id)
    job = account_sync_start(account, dry_run=bool(payload and payload.dry_run))
    if job is None:
        raise ConflictError(_("This mailbox is being archived right now."))
    return Status(202, {"id": str(job.pk), "state": job.state, "url": f"/api/v1/jobs/{job.pk}"})
