import datetime as dt
from typing import Any, Literal

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from maklerwerk.accounts.http import ApiRequest
from maklerwerk.accounts.roles import Capability
from maklerwerk.api.auth import require
from maklerwerk.api.schemas import InputSchema, Page
from maklerwerk.contacts.selectors import contact_get
from maklerwerk.mailing import selectors, services
from maklerwerk.mailing.letters import letter_pdf as make_letter
from maklerwerk.mailing.placeholders import CATALOGUE
from maklerwerk.properties.selectors import property_get

router = Router(tags=["mail templates"])


class MailTemplateOut(Schema):
    id: int
    name: str
    kind: str
    key: str
    language: str
    subject: str
    body: str
    updated_at: dt.datetime


class MailTemplateIn(InputSchema):
    name: str
    body: str
    subject: str = ""
    kind: Literal["mail", "letter"] = "mail"
    language: Literal["de", "en"] = "de"


class MailTemplatePatch(InputSchema):
    name: str | None = None
    body: str | None = None
    subject: str | None = None
    kind: Literal["mail", "letter"] | None = None
    language: Literal["de", "en"] | None = None


class FieldOut(Schema):
    name: str
    label: str
    group: str
    example: str


class CheckIn(InputSchema):
    subject: str = ""
    body: str


class ProblemOut(Schema):
    field: str
    line: int
    reason: str


class CheckOut(Schema):
    ok: bool
    problems: list[ProblemOut]


@router.get("/mail-templates", response=list[MailTemplateOut], summary="List mail and letter templates")
@paginate(Page)
def template_list(request: ApiRequest) -> Any:
    user = require(request, Capability.VIEW)
    return selectors.template_list(user=user)


@router.get("/mail-templates/fields", response=list[FieldOut], summary="The placeholder catalogue")
def template_fields(request: ApiRequest) -> list[FieldOut]:
    require(request, Capability.VIEW)
    return [
        FieldOut(name=p.name, label=str(p.label), group=str(p.group), example=p.example) for p in CATALOGUE
    ]


@router.post(
    "/mail-templates/check", response=CheckOut, summary="Check a template: line and reason per problem"
)
def template_check(request: ApiRequest, payload: CheckIn) -> CheckOut:
    require(request, Capability.EDIT)  # only who may write templates needs the check
    problems = services.template_check(subject=payload.subject, body=payload.body)
    return CheckOut(
        ok=not problems, problems=[ProblemOut(field=p.field, line=p.line, reason=p.reason) for p in problems]
    )


@router.post("/mail-templates", response={201: MailTemplateOut}, summary="Create a template")
def template_create(request: ApiRequest, payload: MailTemplateIn) -> Any:
    user = require(request, Capability.EDIT)
    template = services.template_create(office=request.office, acting_user=user, **payload.dict())
    return Status(201, template)


@router.get("/mail-templates/{template_id}", response=MailTemplateOut, summary="One template")
def template_get(request: ApiRequest, template_id: int) -> Any:
    user = require(request, Capability.VIEW)
    return selectors.template_get(user=user, pk=template_id)


@router.patch("/mail-templates/{template_id}", response=MailTemplateOut, summary="Change a template")
def template_update(request: ApiRequest, template_id: int, payload: MailTemplatePatch) -> Any:
    user = require(request, Capability.EDIT)
    template = selectors.template_get(user=user, pk=template_id)
    return services.template_update(
        template=template, acting_user=user, data=payload.dict(exclude_unset=True)
    )


@router.delete("/mail-templates/{template_id}", response={204: None}, summary="Delete a template")
def template_delete(request: ApiRequest, template_id: int) -> Any:
    user = require(request, Capability.DELETE)
    services.template_delete(template=selectors.template_get(user=user, pk=template_id), acting_user=user)
    return Status(204, None)


class LetterIn(InputSchema):
    template: int  # a letter template of the office
    property: int | None = None  # one the letter is about (fills the objekt.* fields)


@router.post(
    "/contacts/{contact_id}/letter.pdf",
    summary="A letter to the contact from a letter template, as DIN 5008 PDF (logged as an activity)",
    response={200: None},
    openapi_extra={"responses": {200: {"content": {"application/pdf": {}}}}},
)
def letter_pdf(request: ApiRequest, contact_id: int, payload: LetterIn) -> HttpResponse:

    user = require(request, Capability.EDIT)
    contact = contact_get(user=user, pk=contact_id)
    template = selectors.template_get(user=user, pk=payload.template)
    prop = property_get(user=user, pk=payload.property) if payload.property is not None else None
    name, pdf = make_letter(template=template, contact=contact, prop=prop, acting_user=user)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response
