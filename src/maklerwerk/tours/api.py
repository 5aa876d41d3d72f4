import datetime as dt
from typing import Any

from django.http import Http404
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from maklerwerk.accounts.http import ApiRequest
from maklerwerk.accounts.roles import Capability
from maklerwerk.api.auth import require
from maklerwerk.api.schemas import InputSchema, Page
from maklerwerk.contacts.selectors import contact_get
from maklerwerk.properties.selectors import property_by_reference, property_get, property_visible
from maklerwerk.tours import selectors, services, tracking
from maklerwerk.tours.models import Tour

router = Router(tags=["virtual tours"])


class RoomIO(Schema):
    key: str = Field("", max_length=60)
    name: str = Field(..., max_length=100)
    restricted: bool = False


class TourOut(Schema):
    id: int
    property_id: int
    provider: str
    external_id: str
    title: str
    open_url: str
    restricted_url: str = Field(
        ..., description="The provider's full-tour link (shown only to granted prospects)"
    )
    page_url: str = Field(..., description="Maklerwerk's gated tour page (open rooms, registration)")
    embed_url: str
    requires_registration: bool
    rooms: list[RoomIO]
    published: bool
    channels_off: list[str]
    created_at: dt.datetime

    @staticmethod
    def resolve_page_url(obj: Tour) -> str:
        return services.page_url(obj)


class TourCreatedOut(TourOut):
    webhook_secret: str = Field(..., description="Shown only in this answer")


class TourIn(InputSchema):
    link: str = Field(
        "", max_length=1000, description="A pasted link or id; the provider is recognised from it"
    )
    provider: str = Field("", max_length=20)
    external_id: str = Field("", max_length=200)
    title: str = Field("", max_length=200)
    open_url: str = Field("", max_length=1000, description="Same as link")
    restricted_url: str = Field("", max_length=1000)
    embed_url: str = Field("", max_length=1000)
    requires_registration: bool = False
    rooms: list[RoomIO] = Field(default_factory=list, max_length=100)


class TourByKennungIn(TourIn):
    property_external_id: str = Field(..., max_length=100, description="The property's Kennung")


class PublishIn(InputSchema):
    published: bool
    channels_off: list[str] | None = Field(
        None,
        description='Channels left out: "expose", "openimmo" (every OpenImmo feed), "is24", '
        'or one portal "portal:<id>"',
    )


class GrantIn(InputSchema):
    contact_id: int
    days: int = Field(30, ge=1, le=365)
    send: bool = Field(True, description="Send the personal link with the template tour_access")


class GrantOut(Schema):
    id: int
    contact_id: int
    expires_at: dt.datetime
    revoked_at: dt.datetime | None
    active: bool
    url: str | None = Field(None, description="The personal link; only in the answer that creates it")


class VisitOut(Schema):
    id: int
    contact_id: int | None
    source: str
    started_at: dt.datetime
    last_seen_at: dt.datetime
    closed_at: dt.datetime | None
    rooms: dict[str, dict[str, Any]]
    total_seconds: int
    activity_id: int | None


def _data(payload: TourIn) -> services.TourData:
    return services.TourData(
        link=payload.link or payload.open_url,
        provider=payload.provider,
        external_id=payload.external_id,
        title=payload.title,
        restricted_url=payload.restricted_url,
        embed_url=payload.embed_url,
        requires_registration=payload.requires_registration,
        rooms=tuple(r.dict() for r in payload.rooms),
    )


def _created(tour: Tour, secret: str) -> Any:
    tour.webhook_secret = secret  # type: ignore[attr-defined]  # answered once, never stored in clear
    return Status(201, tour)


@router.get("/properties/{property_id}/tours", response=list[TourOut])
def tour_list(request: ApiRequest, property_id: int) -> Any:
    user = require(request, Capability.VIEW)
    prop = property_get(user=user, pk=property_id)
    return list(selectors.tours_for_property(user=user, property_id=prop.pk))


@router.post("/properties/{property_id}/tours", response={201: TourCreatedOut})
def tour_create(request: ApiRequest, property_id: int, payload: TourIn) -> Any:
    user = require(request, Capability.EDIT)
    prop = property_get(user=user, pk=property_id)
    return _created(*services.tour_create(prop=prop, data=_data(payload), acting_user=user))


def _property_tour(request: ApiRequest, capability: Capability, property_id: int, tour_id: int) -> Any:
    user = require(request, capability)
    tour = selectors.tour_get(user=user, pk=tour_id)
    if tour.property_id != property_id:
        raise Http404
    return user, tour


@router.get("/properties/{property_id}/tours/{tour_id}", response=TourOut)
def property_tour_detail(request: ApiRequest, property_id: int, tour_id: int) -> Any:
    return _property_tour(request, Capability.VIEW, property_id, tour_id)[1]


@router.put("/properties/{property_id}/tours/{tour_id}", response=TourOut)
def property_tour_update(request: ApiRequest, property_id: int, tour_id: int, payload: TourIn) -> Any:
    user, tour = _property_tour(request, Capability.EDIT, property_id, tour_id)
    return services.tour_update(tour=tour, data=_data(payload), acting_user=user)


@router.delete("/properties/{property_id}/tours/{tour_id}", response={204: None})
def property_tour_delete(request: ApiRequest, property_id: int, tour_id: int) -> Any:
    user, tour = _property_tour(request, Capability.DELETE, property_id, tour_id)
    services.tour_delete(tour=tour, acting_user=user)
    return Status(204, None)


@router.post("/tours", response={201: TourCreatedOut})
def tour_create_by_kennung(request: ApiRequest, payload: TourByKennungIn) -> Any:
    """For providers that push tours: link a tour by the property's Kennung."""
    user = require(request, Capability.EDIT)
    prop = property_by_reference(office_id=user.office_id, external_id=payload.property_external_id)  # type: ignore[arg-type]  # require() checked the office
    if prop is None or not property_visible(user, prop.pk):
        raise Http404
    return _created(*services.tour_create(prop=prop, data=_data(payload), acting_user=user))


@router.get("/tours/{tour_id}", response=TourOut)
def tour_detail(request: ApiRequest, tour_id: int) -> Any:
    return selectors.tour_get(user=require(request, Capability.VIEW), pk=tour_id)


@router.put("/tours/{tour_id}", response=TourOut)
def tour_update(request: ApiRequest, tour_id: int, payload: TourIn) -> Any:
    user = require(request, Capability.EDIT)
    tour = selectors.tour_get(user=user, pk=tour_id)
    return services.tour_update(tour=tour, data=_data(payload), acting_user=user)


@router.delete("/tours/{tour_id}", response={204: None})
def tour_delete(request: ApiRequest, tour_id: int) -> Any:
    user = require(request, Capability.DELETE)
    services.tour_delete(tour=selectors.tour_get(user=user, pk=tour_id), acting_user=user)
    return Status(204, None)


@router.post("/tours/{tour_id}/publish", response=TourOut)
def tour_publish(request: ApiRequest, tour_id: int, payload: PublishIn) -> Any:
    user = require(request, Capability.EDIT)
    tour = selectors.tour_get(user=user, pk=tour_id)
    return services.tour_publish(
        tour=tour, published=payload.published, channels_off=payload.channels_off, acting_user=user
    )


@router.get("/tours/{tour_id}/grants", response=list[GrantOut])
def grant_list(request: ApiRequest, tour_id: int) -> Any:
    user = require(request, Capability.VIEW)
    return list(selectors.grants_for_tour(selectors.tour_get(user=user, pk=tour_id)))


@router.post("/tours/{tour_id}/grants", response={201: GrantOut})
def grant_create(request: ApiRequest, tour_id: int, payload: GrantIn) -> Any:
    user = require(request, Capability.EDIT)
    tour = selectors.tour_get(user=user, pk=tour_id)
    contact = contact_get(user=user, pk=payload.contact_id)
    grant, token = services.grant_create(
        tour=tour, contact=contact, acting_user=user, days=payload.days, send=payload.send
    )
    grant.url = services.grant_url(token, office_id=grant.office_id)  # type: ignore[attr-defined]  # only now
    return Status(201, grant)


@router.post("/tours/{tour_id}/grants/{grant_id}/revoke", response=GrantOut)
def grant_revoke(request: ApiRequest, tour_id: int, grant_id: int) -> Any:
    user = require(request, Capability.EDIT)
    grant = selectors.grant_get(user=user, pk=grant_id)
    if grant.tour_id != tour_id:
        raise Http404
    return services.grant_revoke(grant=grant, acting_user=user)


@router.get("/tours/{tour_id}/visits", response=list[VisitOut])
@paginate(Page)
def visit_list(request: ApiRequest, tour_id: int) -> Any:
    user = require(request, Capability.VIEW)
    return selectors.visits_for_tour(selectors.tour_get(user=user, pk=tour_id)).order_by("-started_at", "-pk")


@router.post("/tour-webhooks/{tour_id}", auth=None, response={200: dict[str, Any], 201: dict[str, Any]})
def tour_webhook(request: ApiRequest, tour_id: int) -> Any:
    """A provider reports a visit. Signed: `X-Maklerwerk-Signature: sha256=<hex HMAC-SHA256 of
    "{timestamp}.{raw body}">` with the tour's secret, `X-Maklerwerk-Timestamp` (Unix seconds, at
    most five minutes old). The same `visit_id` again answers 200 and changes nothing."""
    tour = Tour.objects.select_related("office").filter(pk=tour_id).first()
    if tour is None:
        raise tracking.WebhookRefused("Unbekannter Rundgang oder ungültige Signatur.")
    tracking.webhook_verify(
        tour=tour,
        timestamp=request.headers.get("X-Maklerwerk-Timestamp", ""),
        signature=request.headers.get("X-Maklerwerk-Signature", ""),
        body=request.body,
    )
    visit, created = tracking.webhook_receive(tour=tour, report=tracking.webhook_parse(request.body, tour))
    answer = {"visit": visit.pk, "created": created, "activity_id": visit.activity_id}
    return Status(201 if created else 200, answer)
