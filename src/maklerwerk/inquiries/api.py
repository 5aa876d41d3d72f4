"""Inquiry manager API: mailboxes, inquiries (incl. the website form), process manager."""

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import ValidationError
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from maklerwerk.accounts.http import ApiRequest
from maklerwerk.accounts.roles import Capability
from maklerwerk.api.auth import require
from maklerwerk.api.schemas import InputSchema, Page
from maklerwerk.inquiries import selectors, services
from maklerwerk.inquiries.automation import automation_start
from maklerwerk.inquiries.handler import imap_settings
from maklerwerk.inquiries.handler import mailbox_fetch as fetch
from maklerwerk.inquiries.models import (
    Inquiry,
    InquiryStep,
    Mailbox,
    ProcessDefinition,
    ProcessInstance,
    ProcessStep,
    ProcessStepRun,
)
from maklerwerk.inquiries.processes import definition_create as create
from maklerwerk.inquiries.processes import instance_cancel as cancel
from maklerwerk.inquiries.processes import processes_install_defaults
from maklerwerk.integrations.imap.client import ImapError, check_connection

router = Router(tags=["inquiries"])

StatusName = Literal[
    "received",
    "new",
    "waiting_for_confirmation",
    "completed",
    "aborted",
    "unrecognized",
    "ignored",
    "address_only",
]


class MailboxIn(InputSchema):
    name: str = ""
    host: str
    port: int = Field(993, ge=1, le=65535)
    security: Literal["none", "starttls", "ssl"] = "ssl"
    username: str
    password: str = Field(..., description="Write-only: stored encrypted, never returned")
    folder: str = "INBOX"
    action: Literal["flag", "move"] = "flag"
    move_to: str = "Maklerwerk/Verarbeitet"
    main_user_id: int | None = Field(None, description="Defaults to the caller")
    test: bool = Field(True, description="Log in once and report the result in `last_status`")


class MailboxOut(Schema):
    id: int
    name: str
    host: str
    port: int
    security: str
    username: str
    folder: str
    action: str
    move_to: str
    main_user_id: int
    active: bool
    last_status: str
    last_error: str
    last_fetch_at: dt.datetime | None


class FetchOut(Schema):
    mailbox_id: int
    fetched: int
    taken_in: int
    already_known: int
    failed: int
    error: str
    last_status: str


class StepOut(Schema):
    at: dt.datetime
    kind: str
    text: str
    ok: bool


class InquiryOut(Schema):
    id: int
    status: str
    reason: str
    source: str
    received_at: dt.datetime
    subject: str
    first_name: str
    last_name: str
    email: str
    phone: str
    street: str
    house_number: str
    postal_code: str
    city: str
    message: str
    property_external_id: str
    portal_property_id: str
    property_id: int | None
    contact_id: int | None
    duplicate_of_id: int | None
    mailbox_id: int | None
    expose_sent_at: dt.datetime | None
    confirmed_at: dt.datetime | None
    steps: list[StepOut]

    @staticmethod
    def resolve_steps(obj: Inquiry) -> list[InquiryStep]:
        return list(obj.steps.all())


class InquiryFormIn(InputSchema):
    """What the office's website form sends."""

    email: str
    property_external_id: str = ""
    portal_property_id: str = ""
    salutation: Literal["", "herr", "frau", "divers"] = ""
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    street: str = ""
    house_number: str = ""
    postal_code: str = ""
    city: str = ""
    message: str = Field("", max_length=20000)


class ProcessStepIn(InputSchema):
    kind: Literal["wait", "send_mail", "create_task", "set_interest_status", "add_tag"]
    params: dict = Field(default_factory=dict)


class ProcessDefinitionIn(InputSchema):
    name: str
    trigger: Literal["contact_created", "expose_sent"]
    active: bool = True
    steps: list[ProcessStepIn]


class ProcessStepOut(Schema):
    position: int
    kind: str
    params: dict


class ProcessDefinitionOut(Schema):
    id: int
    name: str
    trigger: str
    active: bool
    steps: list[ProcessStepOut]

    @staticmethod
    def resolve_steps(obj: ProcessDefinition) -> list[ProcessStep]:
        return list(obj.steps.all())


class StepRunOut(Schema):
    position: int
    kind: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    ok: bool
    result: str


class ProcessInstanceOut(Schema):
    id: int
    definition_id: int
    name: str
    contact_id: int
    property_id: int | None
    inquiry_id: int | None
    status: str
    position: int
    next_run_at: dt.datetime
    started_at: dt.datetime
    runs: list[StepRunOut]

    @staticmethod
    def resolve_name(obj: ProcessInstance) -> str:
        return obj.definition.name

    @staticmethod
    def resolve_runs(obj: ProcessInstance) -> list[ProcessStepRun]:
        return list(obj.runs.all())


# --- mailboxes ---------------------------------------------------------------------------------


@router.get("/mailboxes", response=list[MailboxOut])
@paginate(Page)
def mailbox_list(request: ApiRequest) -> Any:
    user = require(request, Capability.VIEW)
    return selectors.mailbox_list(user=user)


@router.post("/mailboxes", response={201: MailboxOut})
def mailbox_create(request: ApiRequest, payload: MailboxIn) -> Any:

    user = require(request, Capability.MANAGE_OFFICE)
    data = payload.dict()
    test = data.pop("test")
    mailbox = services.mailbox_create(office=request.office, acting_user=user, data=data)
    if test:
        try:
            check_connection(imap_settings(mailbox))
        except ImapError as exc:
            Mailbox.objects.filter(pk=mailbox.pk).update(last_status="error", last_error=exc.message[:500])
        else:
            Mailbox.objects.filter(pk=mailbox.pk).update(last_status="ok", last_error="")
        mailbox.refresh_from_db()
    return Status(201, mailbox)


@router.get("/mailboxes/{mailbox_id}", response=MailboxOut)
def mailbox_get(request: ApiRequest, mailbox_id: int) -> Any:
    user = require(request, Capability.VIEW)
    return selectors.mailbox_get(user=user, pk=mailbox_id)


@router.post("/mailboxes/{mailbox_id}/fetch", response=FetchOut)
def mailbox_fetch(request: ApiRequest, mailbox_id: int) -> Any:

    user = require(request, Capability.EDIT)
    mailbox = selectors.mailbox_get(user=user, pk=mailbox_id)
    result = fetch(mailbox)
    return {**result.as_dict(), "last_status": mailbox.last_status}


# --- inquiries ---------------------------------------------------------------------------------


@router.get("/inquiries", response=list[InquiryOut])
@paginate(Page)
def inquiry_list(request: ApiRequest, status: StatusName | None = None, source: str | None = None) -> Any:
    user = require(request, Capability.VIEW)
    return selectors.inquiry_list(user=user, status=status, source=source).prefetch_related("steps")


@router.get("/inquiries/{inquiry_id}", response=InquiryOut)
def inquiry_get(request: ApiRequest, inquiry_id: int) -> Any:
    user = require(request, Capability.VIEW)
    return selectors.inquiry_get(user=user, pk=inquiry_id)


@router.post("/inquiries", response={201: InquiryOut})
def inquiry_create(request: ApiRequest, payload: InquiryFormIn) -> Any:
    """The website form: the inquiry is stored and its automation (double opt-in, exposé) runs as its
    own job, as for mailed inquiries: the visitor's request never waits for a PDF or a mail server."""

    user = require(request, Capability.EDIT)
    inquiry = services.inquiry_create_from_form(office=request.office, acting_user=user, data=payload.dict())
    automation_start(inquiry.office_id, [inquiry.pk])
    return Status(201, selectors.inquiry_for_creator(user=user, pk=inquiry.pk))


# --- process manager ---------------------------------------------------------------------------


@router.get("/process-definitions", response=list[ProcessDefinitionOut])
@paginate(Page)
def definition_list(request: ApiRequest) -> Any:

    user = require(request, Capability.VIEW)
    processes_install_defaults(office=request.office)
    return selectors.definition_list(user=user)


@router.post("/process-definitions", response={201: ProcessDefinitionOut})
def definition_create(request: ApiRequest, payload: ProcessDefinitionIn) -> Any:

    user = require(request, Capability.MANAGE_OFFICE)
    return Status(201, create(office=request.office, acting_user=user, data=payload.dict()))


@router.get("/process-instances", response=list[ProcessInstanceOut])
@paginate(Page)
def instance_list(
    request: ApiRequest,
    contact_id: int | None = None,
    status: Literal["running", "done", "cancelled", "failed"] | None = None,
) -> Any:
    user = require(request, Capability.VIEW)
    return selectors.instance_list(user=user, contact_id=contact_id, status=status)


@router.post("/process-instances/{instance_id}/cancel", response=ProcessInstanceOut)
def instance_cancel(request: ApiRequest, instance_id: int) -> Any:

    user = require(request, Capability.EDIT)
    instance = selectors.instance_get(user=user, pk=instance_id)
    cancel(instance=instance, acting_user=user)
    return selectors.instance_get(user=user, pk=instance_id)


__all__ = ["ValidationError", "router"]
