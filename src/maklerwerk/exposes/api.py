import datetime as dt
from typing import Any, Literal
from uuid import UUID

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from ninja import Field, Router, Schema, Status

from maklerwerk.accounts.http import ApiRequest
from maklerwerk.accounts.roles import Capability
from maklerwerk.api.auth import require
from maklerwerk.api.schemas import InputSchema
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.core.jobs import job_check
from maklerwerk.exposes import selectors, services
from maklerwerk.exposes.evidence import evidence_pdf
from maklerwerk.exposes.models import Offer
from maklerwerk.exposes.render import ExposePdfExporter
from maklerwerk.mailing import selectors as mailing_selectors

router = Router(tags=["exposés and offers"])


@router.get(
    "/properties/{property_id}/expose.pdf",
    summary="The property's exposé as PDF",
    response={200: None},
    openapi_extra={"responses": {200: {"content": {"application/pdf": {}}}}},
)
def expose_pdf(
    request: ApiRequest, property_id: int, template: int | None = None, language: Literal["de", "en"] = "de"
) -> HttpResponse:
    user = require(request, Capability.VIEW)
    prop = selectors.property_get(user=user, pk=property_id)
    layout = selectors.expose_template_get(user=user, pk=template)
    name, mimetype, content = ExposePdfExporter().render(prop, template=layout, language=language)
    response = HttpResponse(content, content_type=mimetype)
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@router.get(
    "/contacts/{contact_id}/properties/{property_id}/evidence.pdf",
    summary="Evidence record (Nachweis) for a contact and a property, as PDF",
    response={200: None},
    openapi_extra={"responses": {200: {"content": {"application/pdf": {}}}}},
)
def evidence(request: ApiRequest, contact_id: int, property_id: int) -> HttpResponse:
    user = require(request, Capability.VIEW)
    contact = selectors.contact_get(user=user, pk=contact_id)
    prop = selectors.property_get(user=user, pk=property_id)
    name, pdf = evidence_pdf(contact=contact, prop=prop, acting_user=user)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


class OfferIn(InputSchema):
    contacts: list[int] = Field(..., min_length=1, max_length=5000)
    properties: list[int] = Field(..., min_length=1, max_length=50)
    template: int
    attach_expose: bool = True
    expose_template: int | None = None
    language: Literal["de", "en"] = "de"
    documents: list[int] = []
    extras: list[str] = Field(
        [],
        max_length=10,
        description='Further attachments per mail, e.g. "tour_pdf" (the virtual tour\'s PDF)',
    )


class RecipientOut(Schema):
    id: int
    contact_id: int
    property_id: int
    email: str
    status: str
    reason: str
    message_id: str
    attempts: int
    sent_at: dt.datetime | None


class OfferJobOut(Schema):
    id: UUID
    state: str
    percent: int
    message: str


class OfferOut(Schema):
    id: int
    subject: str
    created_at: dt.datetime
    counts: dict[str, int]
    job: OfferJobOut | None
    recipients: list[RecipientOut]


def _out(offer: Offer) -> OfferOut:
    job = offer.last_job
    if job is not None:
        job.refresh_from_db()
        job_check(job)  # a job whose worker died is declared so (and resumed) on read
        offer.refresh_from_db(fields=["last_job"])
        job = offer.last_job
    return OfferOut(
        id=offer.pk,
        subject=offer.subject,
        created_at=offer.created_at,
        counts=selectors.offer_counts(offer=offer),
        job=OfferJobOut(id=job.pk, state=job.state, percent=job.percent, message=job.message)
        if job
        else None,
        recipients=[
            RecipientOut.model_validate(r, from_attributes=True)
            for r in selectors.offer_recipients(offer=offer)
        ],
    )


@router.post("/offers", response={201: OfferOut}, summary="Start an offer: one mail per contact and property")
def offer_create(request: ApiRequest, payload: OfferIn) -> Any:
    user = require(request, Capability.EDIT)
    contacts = selectors.contacts_for_ids(user=user, ids=payload.contacts)
    properties = selectors.properties_for_ids(user=user, ids=payload.properties)
    if len(contacts) != len(set(payload.contacts)) or len(properties) != len(set(payload.properties)):
        raise ApplicationError("Unknown contact or property.", extra={"field": "contacts"})
    offer = services.offer_create(
        office=request.office,
        acting_user=user,
        contacts=contacts,
        properties=properties,
        mail_template=mailing_selectors.template_get(user=user, pk=payload.template),
        attach_expose=payload.attach_expose,
        expose_template=selectors.expose_template_get(user=user, pk=payload.expose_template),
        expose_language=payload.language,
        document_ids=payload.documents,
        extras=payload.extras,
    )
    if offer.recipients.filter(status__in=services.RETRYABLE).exists():
        services.offer_send_start(offer=offer, acting_user=user)
    return Status(201, _out(offer))


@router.get(
    "/offers/{offer_id}", response=OfferOut, summary="An offer with progress and per-recipient results"
)
def offer_get(request: ApiRequest, offer_id: int) -> OfferOut:
    user = require(request, Capability.VIEW)
    return _out(selectors.offer_get(user=user, pk=offer_id))


@router.post("/offers/{offer_id}/retry", response=OfferOut, summary="Send to the recipients still missing")
def offer_retry(request: ApiRequest, offer_id: int) -> OfferOut:
    user = require(request, Capability.EDIT)
    offer = selectors.offer_get(user=user, pk=offer_id)
    services.offer_send_start(offer=offer, acting_user=user)
    return _out(offer)


class RecipientDecisionIn(InputSchema):
    decision: Literal["delivered", "resend"]


@router.post(
    "/offers/{offer_id}/recipients/{recipient_id}/resolve",
    response=OfferOut,
    summary="Decide on a mail whose delivery is unclear: delivered, or send it again",
)
def offer_recipient_resolve(
    request: ApiRequest, offer_id: int, recipient_id: int, payload: RecipientDecisionIn
) -> OfferOut:
    user = require(request, Capability.EDIT)
    offer = selectors.offer_get(user=user, pk=offer_id)
    services.recipient_unclear_resolve(
        offer=offer, recipient_id=recipient_id, delivered=payload.decision == "delivered", acting_user=user
    )
    offer.refresh_from_db()
    return _out(offer)
