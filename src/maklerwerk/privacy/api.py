import datetime as dt
from typing import TYPE_CHECKING, Any, Literal

from ninja import Field, Router, Schema, Status

from maklerwerk.accounts.http import ApiRequest
from maklerwerk.accounts.roles import Capability
from maklerwerk.api.auth import require
from maklerwerk.api.schemas import InputSchema
from maklerwerk.contacts.selectors import contact_get
from maklerwerk.core.api import JobOut
from maklerwerk.privacy import selectors, services
from maklerwerk.privacy.consent import consent_record
from maklerwerk.privacy.models import RetentionKind, SubjectRequest
from maklerwerk.privacy.rules import rules_for
from maklerwerk.privacy.subject_requests import (
    subject_request_complete,
    subject_request_create,
    subject_request_refuse,
)

router = Router(tags=["data protection"])

if TYPE_CHECKING:
    Kind = str
else:
    Kind = Literal[tuple(RetentionKind.values)]


class ErasureRequestIn(InputSchema):
    requested_by: str = Field("", max_length=200, description="Who asked (default: the person)")
    requested_at: dt.datetime | None = None
    channel: str = Field("", max_length=100, description="E-mail, letter, phone ...")


class ErasureRequestOut(Schema):
    id: int
    contact_id: int | None
    requested_by: str
    requested_at: dt.datetime
    channel: str
    status: str
    decision: str
    decided_at: dt.datetime | None
    held_until: dt.date | None
    result: dict[str, Any]


class ExecuteIn(InputSchema):
    decision: str = Field("", max_length=2000)


class HeldOut(Schema):
    record: str
    reason: str
    until: dt.date | None


class ErasureResultOut(Schema):
    deleted: list[str]
    anonymised: list[str]
    held: list[HeldOut]


class RetentionMarkIn(InputSchema):
    section: str = Field(..., max_length=50, description="A personal-data section, e.g. files")
    object_id: int
    kind: Kind
    document_date: dt.date


class RuleOut(Schema):
    kind: str
    label: str
    years: int
    legal_basis: str
    custom: bool


@router.post(
    "/contacts/{contact_id}/data-export",
    response={202: JobOut},
    summary="Start the Datenauskunft (Art. 15/20 GDPR): a job whose result is the ZIP",
)
def data_export_api(request: ApiRequest, contact_id: int) -> Any:
    user = require(request, Capability.PRIVACY)
    contact = contact_get(user=user, pk=contact_id)
    return Status(202, services.data_export_start(contact=contact, acting_user=user))


@router.post(
    "/contacts/{contact_id}/erasure-requests",
    response={201: ErasureRequestOut},
    summary="Record a request for erasure (Art. 17 GDPR)",
)
def erasure_request_create_api(request: ApiRequest, contact_id: int, body: ErasureRequestIn) -> Any:
    user = require(request, Capability.PRIVACY)
    contact = contact_get(user=user, pk=contact_id)
    created = services.erasure_request_create(contact=contact, acting_user=user, **body.dict())
    return Status(201, created)


@router.get("/erasure-requests/{request_id}", response=ErasureRequestOut, summary="An erasure request")
def erasure_request_get_api(request: ApiRequest, request_id: int) -> Any:
    user = require(request, Capability.PRIVACY)
    return selectors.erasure_request_get(user=user, pk=request_id)


@router.post(
    "/erasure-requests/{request_id}/execute",
    response=ErasureResultOut,
    summary="Execute an erasure: delete or anonymise what is free, restrict what retention duties hold",
)
def erasure_request_execute_api(request: ApiRequest, request_id: int, body: ExecuteIn) -> Any:
    user = require(request, Capability.PRIVACY)
    erasure = selectors.erasure_request_get(user=user, pk=request_id)
    return services.erasure_request_execute(request=erasure, acting_user=user, decision=body.decision)


@router.post(
    "/contacts/{contact_id}/retention-marks",
    response={201: dict[str, Any]},
    summary="Mark a record of the contact as kept by a retention duty (e.g. a file that is an invoice)",
)
def retention_mark_api(request: ApiRequest, contact_id: int, body: RetentionMarkIn) -> Any:
    user = require(request, Capability.PRIVACY)
    contact = contact_get(user=user, pk=contact_id)
    mark = services.retention_mark_create(contact=contact, acting_user=user, **body.dict())
    return Status(201, {"id": mark.pk})


@router.get("/retention-rules", response=list[RuleOut], summary="The office's retention rules")
def retention_rules_api(request: ApiRequest) -> Any:
    require(request, Capability.PRIVACY)
    return [
        RuleOut(kind=r.kind, label=r.label, years=r.years, legal_basis=r.legal_basis, custom=r.custom)
        for r in rules_for(request.office.pk).values()
    ]


class ConsentIn(InputSchema):
    purpose: Literal["general_contact", "property_contact", "newsletter"]
    status: Literal["granted", "pending", "withdrawn"]
    channel: Literal["form", "mail", "phone", "in_person", "import"]
    text: str = Field("", max_length=5000, description="The consent text the person saw (stored as SHA-256)")
    text_version: str = Field("", max_length=64)
    evidence: dict[str, Any] = Field(default_factory=dict, description="confirmed_at, ip (coarse) ...")


class ConsentOut(Schema):
    id: int
    purpose: str
    status: str
    channel: str
    text_version: str
    text_hash: str
    evidence: dict[str, Any]
    recorded_by_id: int | None
    recorded_at: dt.datetime
    withdrawn_at: dt.datetime | None


@router.get(
    "/contacts/{contact_id}/consents", response=list[ConsentOut], summary="The contact's consent records"
)
def consent_list_api(request: ApiRequest, contact_id: int) -> Any:
    user = require(request, Capability.VIEW)
    contact = contact_get(user=user, pk=contact_id)
    return list(selectors.consents(user=user, contact_id=contact.pk))


@router.post(
    "/contacts/{contact_id}/consents",
    response={201: ConsentOut},
    summary="Record a consent, a pending double opt-in or a withdrawal",
)
def consent_create_api(request: ApiRequest, contact_id: int, body: ConsentIn) -> Any:
    user = require(request, Capability.EDIT)
    contact = contact_get(user=user, pk=contact_id)
    return Status(201, consent_record(contact=contact, acting_user=user, **body.dict()))


if TYPE_CHECKING:
    RequestKind = str
    ObjectionScope = str
else:
    RequestKind = Literal[tuple(SubjectRequest.Kind.values)]
    ObjectionScope = Literal[("", *SubjectRequest.Scope.values)]


class SubjectRequestIn(InputSchema):
    kind: RequestKind = Field(..., description="rectification (Art. 16) or objection (Art. 21)")
    scope: ObjectionScope = Field(
        "", description="objection only: marketing (takes effect at once) or all (needs a decision)"
    )
    requested_by: str = Field("", max_length=200, description="Who asked (default: the person)")
    requested_at: dt.datetime | None = None
    channel: str = Field("", max_length=100)
    details: str = Field(
        "", max_length=5000, description="What the person asks; required for a rectification"
    )


class SubjectRequestOut(Schema):
    id: int
    contact_id: int | None
    kind: str
    scope: str
    requested_by: str
    requested_at: dt.datetime
    channel: str
    details: str
    due_on: dt.date
    status: str
    result: str
    decided_at: dt.datetime | None


class SubjectRequestDecisionIn(InputSchema):
    action: Literal["complete", "refuse"]
    result: str = Field(..., max_length=5000, description="What was done, or the reason for refusing")
    block: bool = Field(False, description="complete only: also block the contact (Kontakt sperren)")


@router.post(
    "/contacts/{contact_id}/subject-requests",
    response={201: SubjectRequestOut},
    summary="Record a rectification (Art. 16) or objection (Art. 21 GDPR) request",
)
def subject_request_create_api(request: ApiRequest, contact_id: int, body: SubjectRequestIn) -> Any:
    user = require(request, Capability.PRIVACY)
    contact = contact_get(user=user, pk=contact_id)
    return Status(201, subject_request_create(contact=contact, acting_user=user, **body.dict()))


@router.get(
    "/subject-requests",
    response=list[SubjectRequestOut],
    summary="Open rectification and objection requests, the nearest deadline first",
)
def subject_request_list_api(request: ApiRequest) -> Any:
    user = require(request, Capability.PRIVACY)
    return list(selectors.subject_requests_open(user=user)[:500])


@router.get(
    "/subject-requests/{request_id}", response=SubjectRequestOut, summary="A rectification or objection"
)
def subject_request_get_api(request: ApiRequest, request_id: int) -> Any:
    user = require(request, Capability.PRIVACY)
    return selectors.subject_request_get(user=user, pk=request_id)


@router.post(
    "/subject-requests/{request_id}/decide",
    response=SubjectRequestOut,
    summary="Complete (with the result) or refuse (with the reason) a rectification or objection",
)
def subject_request_decide_api(request: ApiRequest, request_id: int, body: SubjectRequestDecisionIn) -> Any:
    user = require(request, Capability.PRIVACY)
    item = selectors.subject_request_get(user=user, pk=request_id)
    if body.action == "refuse":
        return subject_request_refuse(request=item, acting_user=user, result=body.result)
    return subject_request_complete(request=item, acting_user=user, result=body.result, block=body.block)
