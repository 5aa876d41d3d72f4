import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from maklerwerk.accounts.models import User
from maklerwerk.accounts.roles import Capability
from maklerwerk.api.auth import require
from maklerwerk.api.schemas import InputSchema, Page, apply_ordering
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.properties import selectors, services
from maklerwerk.properties.models import (
    Condition,
    EnergyCarrier,
    EnergyCertificateType,
    EnergyClass,
    Feature,
    HeatingType,
    MarketingType,
    ObjectKind,
    Property,
    PropertyContact,
    PropertyDocument,
    PropertyImage,
    SearchProfile,
    Usage,
    Vacancy,
)

router = Router(tags=["properties and search profiles"])

KindCode = Literal[tuple(ObjectKind.values)]  # type: ignore[valid-type]
MarketingCode = Literal[tuple(MarketingType.values)]  # type: ignore[valid-type]
UsageCode = Literal[tuple(Usage.values)]  # type: ignore[valid-type]
StatusCode = Literal[tuple(Property.Status.values)]  # type: ignore[valid-type]
FeatureCode = Literal[tuple(Feature.values)]  # type: ignore[valid-type]
ConditionCode = Literal[tuple(["", *Condition.values])]  # type: ignore[valid-type]
EnergyClassCode = Literal[tuple(["", *EnergyClass.values])]  # type: ignore[valid-type]
EnergyTypeCode = Literal[tuple(["", *EnergyCertificateType.values])]  # type: ignore[valid-type]
EnergyCarrierCode = Literal[tuple(["", *EnergyCarrier.values])]  # type: ignore[valid-type]
HeatingCode = Literal[tuple(["", *HeatingType.values])]  # type: ignore[valid-type]
VacancyCode = Literal[tuple(["", *Vacancy.values])]  # type: ignore[valid-type]
VisibilityCode = Literal[tuple(Property.Visibility.values)]  # type: ignore[valid-type]
ImageKindCode = Literal[tuple(PropertyImage.Kind.values)]  # type: ignore[valid-type]
DocumentKindCode = Literal[tuple(PropertyDocument.Kind.values)]  # type: ignore[valid-type]
RoleCode = Literal[tuple(PropertyContact.Role.values)]  # type: ignore[valid-type]
InterestCode = Literal[tuple(["", *PropertyContact.InterestStatus.values])]  # type: ignore[valid-type]

Money = Decimal | None
Lat = Field(None, ge=-90, le=90)
Lon = Field(None, ge=-180, le=180)


def _num(value: Any) -> float | None:
    return None if value is None else float(value)


# --- schemas --------------------------------------------------------------------------------------


class ImageOut(Schema):
    id: int
    position: int
    kind: str
    caption: str
    width: int
    height: int
    url: str
    thumbnail_url: str

    @staticmethod
    def resolve_url(obj: PropertyImage) -> str:
        return f"/properties/images/{obj.pk}/full/"

    @staticmethod
    def resolve_thumbnail_url(obj: PropertyImage) -> str:
        return f"/properties/images/{obj.pk}/thumb/"


class DocumentOut(Schema):
    id: int
    title: str
    kind: str
    protected: bool
    size: int
    url: str

    @staticmethod
    def resolve_url(obj: PropertyDocument) -> str:
        return f"/properties/documents/{obj.pk}/"


class PropertyOut(Schema):
    id: int
    external_id: str
    title: str
    object_kind: str
    object_subtype: str
    marketing_type: str
    usage: str
    status: str
    responsible_agent_id: int | None
    visibility: str
    street: str
    house_number: str
    postal_code: str
    city: str
    district: str
    country: str
    latitude: float | None
    longitude: float | None
    show_address: bool
    purchase_price: float | None
    cold_rent: float | None
    warm_rent: float | None
    service_charges: float | None
    deposit: float | None
    hausgeld: float | None
    buyer_commission_text: str
    buyer_commission_percent: float | None
    commission_free: bool
    living_area: float | None
    usable_area: float | None
    plot_area: float | None
    rooms: float | None
    bedrooms: int | None
    bathrooms: int | None
    floor: int | None
    floors_total: int | None
    parking_spaces: int | None
    year_built: int | None
    condition: str
    vacancy: str
    vacant_from: dt.date | None
    features: list[str]
    energy_certificate_type: str
    energy_value: float | None
    energy_class: str
    heating_type: str
    energy_carrier: str
    energy_building_year: int | None
    energy_issue_date: dt.date | None
    energy_valid_until: dt.date | None
    description: str
    location_text: str
    features_text: str
    other_text: str
    images: list[ImageOut]
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_images(obj: Property) -> list[PropertyImage]:
        return list(obj.images.all())


class PropertyFields(InputSchema):
    title: str = Field("", max_length=300)
    object_kind: KindCode = "wohnung"  # type: ignore[valid-type]
    object_subtype: str = Field("", max_length=40)
    marketing_type: MarketingCode = "kauf"  # type: ignore[valid-type]
    usage: UsageCode = "wohnen"  # type: ignore[valid-type]
    status: StatusCode = "preparation"  # type: ignore[valid-type]
    responsible_agent_id: int | None = None
    visibility: VisibilityCode = "office"  # type: ignore[valid-type]
    viewer_ids: list[int] | None = Field(None, description="Users who may see a restricted property")
    street: str = Field("", max_length=200)
    house_number: str = Field("", max_length=20)
    postal_code: str = Field("", max_length=10)
    city: str = Field("", max_length=100)
    district: str = Field("", max_length=100)
    country: str = Field(
        "DEU", min_length=2, max_length=3, description="ISO 3166-1 alpha-2 or alpha-3 (DE or DEU)"
    )
    latitude: float | None = Lat
    longitude: float | None = Lon
    show_address: bool = False
    purchase_price: Money = Field(None, ge=0)
    cold_rent: Money = Field(None, ge=0)
    warm_rent: Money = Field(None, ge=0)
    service_charges: Money = Field(None, ge=0)
    deposit: Money = Field(None, ge=0)
    hausgeld: Money = Field(None, ge=0, description="Monthly owners' fee (Hausgeld)")
    buyer_commission_text: str = Field("", max_length=200)
    buyer_commission_percent: Decimal | None = Field(None, ge=0, le=100)
    commission_free: bool = False
    living_area: Decimal | None = Field(None, ge=0)
    usable_area: Decimal | None = Field(None, ge=0)
    plot_area: Decimal | None = Field(None, ge=0)
    rooms: Decimal | None = Field(None, ge=0, le=999)
    bedrooms: int | None = Field(None, ge=0, le=999)
    bathrooms: int | None = Field(None, ge=0, le=999)
    floor: int | None = Field(None, ge=-10, le=200)
    floors_total: int | None = Field(None, ge=0, le=300)
    parking_spaces: int | None = Field(None, ge=0, le=10000)
    year_built: int | None = Field(None, ge=1000, le=2100)
    condition: ConditionCode = ""  # type: ignore[valid-type]
    vacancy: VacancyCode = Field("", description="sofort, nach_vereinbarung or datum (with vacant_from)")  # type: ignore[valid-type]
    vacant_from: dt.date | None = None
    features: list[FeatureCode] = Field(default_factory=list)  # type: ignore[valid-type]
    energy_certificate_type: EnergyTypeCode = ""  # type: ignore[valid-type]
    energy_value: Decimal | None = Field(None, ge=0)
    energy_class: EnergyClassCode = ""  # type: ignore[valid-type]
    heating_type: HeatingCode = ""  # type: ignore[valid-type]
    energy_carrier: EnergyCarrierCode = ""  # type: ignore[valid-type]
    energy_building_year: int | None = Field(None, ge=1000, le=2100)
    energy_issue_date: dt.date | None = None
    energy_valid_until: dt.date | None = None
    description: str = ""
    location_text: str = ""
    features_text: str = ""
    other_text: str = ""


class PropertyCreateIn(PropertyFields):
    external_id: str = Field(
        "", max_length=50, description="Empty: the next id by the office's pattern (e.g. MW-0021)"
    )


class PropertyUpdateIn(PropertyFields):
    external_id: str = Field(None, min_length=1, max_length=50)


class PropertyFilter(Schema):
    q: str | None = Field(None, description="Text in title, external id, street, city or postal code")
    status: StatusCode | None = None  # type: ignore[valid-type]
    object_kind: KindCode | None = None  # type: ignore[valid-type]
    marketing_type: MarketingCode | None = None  # type: ignore[valid-type]
    city: str | None = None
    price_max: Decimal | None = Field(None, ge=0)
    rooms_min: Decimal | None = Field(None, ge=0)
    ordering: str | None = Field(
        None, description="updated_at, created_at, external_id, price, living_area, rooms"
    )


class MustIn(InputSchema):
    object_kind: bool | None = None
    price: bool | None = None
    living_area: bool | None = None
    rooms: bool | None = None
    plot_area: bool | None = None
    features: bool | None = None
    year_built: bool | None = None
    energy_class: bool | None = None


class SearchProfileFields(InputSchema):
    name: str = Field("", max_length=200)
    marketing_type: MarketingCode = "kauf"  # type: ignore[valid-type]
    object_kinds: list[KindCode] = Field(default_factory=list)  # type: ignore[valid-type]
    price_min: Money = Field(None, ge=0)
    price_max: Money = Field(None, ge=0)
    living_area_min: Decimal | None = Field(None, ge=0)
    living_area_max: Decimal | None = Field(None, ge=0)
    rooms_min: Decimal | None = Field(None, ge=0, le=999)
    rooms_max: Decimal | None = Field(None, ge=0, le=999)
    plot_area_min: Decimal | None = Field(None, ge=0)
    postal_codes: list[str] = Field(default_factory=list)
    cities: list[str] = Field(default_factory=list)
    radius_km: Decimal | None = Field(None, gt=0, le=500)
    latitude: float | None = Lat
    longitude: float | None = Lon
    features: list[FeatureCode] = Field(default_factory=list)  # type: ignore[valid-type]
    year_built_min: int | None = Field(None, ge=1000, le=2100)
    energy_class_worst: EnergyClassCode = ""  # type: ignore[valid-type]
    must: MustIn | None = Field(None, description="Per criterion: true = must (K.O.), false = wish")
    valid_until: dt.date | None = None
    active: bool = True
    notes: str = ""


class SearchProfileOut(Schema):
    id: int
    contact_id: int
    name: str
    marketing_type: str
    object_kinds: list[str]
    price_min: float | None
    price_max: float | None
    living_area_min: float | None
    living_area_max: float | None
    rooms_min: float | None
    rooms_max: float | None
    plot_area_min: float | None
    postal_codes: list[str]
    cities: list[str]
    radius_km: float | None
    latitude: float | None
    longitude: float | None
    features: list[str]
    year_built_min: int | None
    energy_class_worst: str
    must: dict[str, bool]
    valid_until: dt.date | None
    expired: bool
    active: bool
    notes: str
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_must(obj: SearchProfile) -> dict[str, bool]:
        return {
            name.removesuffix("_must").replace("object_kinds", "object_kind"): getattr(obj, name)
            for name in SearchProfile.MUST_FIELDS
        }

    @staticmethod
    def resolve_expired(obj: SearchProfile) -> bool:
        return obj.is_expired


class CriterionOut(Schema):
    name: str
    status: str
    must: bool
    detail: str


class MatchOut(Schema):
    property_id: int
    search_profile_id: int
    contact_id: int
    contact_name: str
    property_title: str
    score: int
    kind: str
    state: str = Field(..., description="new, offered (exposé sent or further) or declined")
    criteria: list[CriterionOut]


class MatchList(Schema):
    items: list[MatchOut]
    count: int


class MatchFilter(Schema):
    kind: Literal["match", "near_miss"] | None = None
    state: Literal["new", "offered", "declined"] | None = None
    limit: int = Field(100, ge=1, le=500)


class ImageUpdateIn(InputSchema):
    caption: str = Field("", max_length=200)
    kind: ImageKindCode = "bild"  # type: ignore[valid-type]


class ImageOrderIn(InputSchema):
    image_ids: list[int]


class PropertyContactIn(InputSchema):
    contact_id: int
    role: RoleCode  # type: ignore[valid-type]
    interest_status: InterestCode = ""  # type: ignore[valid-type]
    note: str = Field("", max_length=300)


class PropertyContactOut(Schema):
    id: int
    contact_id: int
    contact_name: str
    role: str
    interest_status: str
    note: str

    @staticmethod
    def resolve_contact_name(obj: PropertyContact) -> str:
        return str(obj.contact)


# --- helpers --------------------------------------------------------------------------------------


def _property_data(
    user: User, payload: PropertyFields, *, partial: bool
) -> tuple[dict[str, Any], list[User] | None]:
    data = payload.dict(exclude_unset=partial)
    viewer_ids = data.pop("viewer_ids", None)
    if "responsible_agent_id" in data:
        agent_id = data.pop("responsible_agent_id")
        if agent_id or partial:
            data["responsible_agent"] = (
                _office_user(user, agent_id, "responsible_agent_id") if agent_id else None
            )
    viewers = [_office_user(user, pk, "viewer_ids") for pk in viewer_ids] if viewer_ids is not None else None
    for key in ("latitude", "longitude"):
        if data.get(key) is not None:
            data[key] = Decimal(str(round(data[key], 6)))
    return data, viewers


def _office_user(user: User, pk: int, field: str) -> User:
    found = User.objects.filter(pk=pk, office_id=user.office_id, is_active=True).first()
    if found is None:
        raise ApplicationError("Unknown user.", extra={"field": field})
    return found


def _profile_data(payload: SearchProfileFields, *, partial: bool) -> dict[str, Any]:
    data = payload.dict(exclude_unset=partial)
    must = data.pop("must", None) or {}
    for name, value in must.items():
        if value is not None:
            data[f"{'object_kinds' if name == 'object_kind' else name}_must"] = value
    for key in ("latitude", "longitude"):
        if data.get(key) is not None:
            data[key] = Decimal(str(round(data[key], 6)))
    return data


def _match_items(rows: list[selectors.MatchRow], filters: MatchFilter) -> dict[str, Any]:
    items = []
    for row in rows:
        r = row.result
        if (filters.kind and r.kind != filters.kind) or (filters.state and row.state != filters.state):
            continue
        items.append(
            {
                "property_id": r.property_id,
                "search_profile_id": r.search_profile_id,
                "contact_id": r.contact_id,
                "contact_name": str(row.profile.contact) if row.profile else "",
                "property_title": str(row.property.title) if row.property else "",
                "score": r.score,
                "kind": r.kind,
                "state": row.state,
                "criteria": [c.as_dict() for c in r.criteria],
            }
        )
    return {"items": items[: filters.limit], "count": len(items)}


# --- properties -----------------------------------------------------------------------------------


@router.get("/properties", response=list[PropertyOut], summary="List properties")
@paginate(Page)
def property_list_api(request: HttpRequest, filters: Query[PropertyFilter]) -> Any:
    user = require(request, Capability.VIEW)
    qs = selectors.property_list(
        user=user,
        q=filters.q or "",
        status=filters.status or "",
        object_kind=filters.object_kind or "",
        marketing_type=filters.marketing_type or "",
        city=filters.city or "",
        price_max=filters.price_max,
        rooms_min=filters.rooms_min,
    ).prefetch_related("images")
    allowed = {
        "updated_at": "updated_at",
        "created_at": "created_at",
        "external_id": "external_id",
        "price": "match_price",
        "living_area": "living_area",
        "rooms": "rooms",
    }
    return apply_ordering(qs, filters.ordering, allowed, "-updated_at")


@router.post("/properties", response={201: PropertyOut}, summary="Create a property")
def property_create_api(request: HttpRequest, payload: PropertyCreateIn) -> Status:
    user = require(request, Capability.EDIT)
    data, viewers = _property_data(user, payload, partial=False)
    prop = services.property_create(office=user.office, acting_user=user, data=data, viewers=viewers)
    return Status(201, prop)


@router.get("/properties/{property_id}", response=PropertyOut, summary="One property")
def property_get_api(request: HttpRequest, property_id: int) -> Property:
    user = require(request, Capability.VIEW)
    return selectors.property_get(user=user, pk=property_id)


@router.patch("/properties/{property_id}", response=PropertyOut, summary="Change a property")
def property_update_api(request: HttpRequest, property_id: int, payload: PropertyUpdateIn) -> Property:
    user = require(request, Capability.EDIT)
    prop = selectors.property_get(user=user, pk=property_id)
    data, viewers = _property_data(user, payload, partial=True)
    return services.property_update(prop=prop, acting_user=user, data=data, viewers=viewers)


@router.delete("/properties/{property_id}", response={204: None}, summary="Delete a property")
def property_delete_api(request: HttpRequest, property_id: int) -> Status:
    user = require(request, Capability.DELETE)
    services.property_delete(prop=selectors.property_get(user=user, pk=property_id), acting_user=user)
    return Status(204, None)


@router.get(
    "/properties/{property_id}/matches", response=MatchList, summary="Search profiles matching a property"
)
def property_matches_api(request: HttpRequest, property_id: int, filters: Query[MatchFilter]) -> Any:
    user = require(request, Capability.VIEW)
    return _match_items(
        selectors.matches_for_property(user=user, property_id=property_id, limit=500), filters
    )


# --- images and documents -------------------------------------------------------------------------


@router.get(
    "/properties/{property_id}/images",
    response=list[ImageOut],
    summary="Images of a property, title image first",
)
def image_list_api(request: HttpRequest, property_id: int) -> Any:
    user = require(request, Capability.VIEW)
    return list(selectors.property_get(user=user, pk=property_id).images.all())


@router.post(
    "/properties/{property_id}/images",
    response={201: list[ImageOut]},
    summary="Upload images (several at once)",
)
def image_upload_api(
    request: HttpRequest,
    property_id: int,
    files: File[list[UploadedFile]],
    kind: Form[ImageKindCode] = "bild",  # type: ignore[valid-type]
) -> Status:
    user = require(request, Capability.EDIT)
    prop = selectors.property_get(user=user, pk=property_id)
    return Status(
        201, services.property_images_add(prop=prop, acting_user=user, files=list(files), kind=kind)
    )


@router.put(
    "/properties/{property_id}/images/order",
    response=list[ImageOut],
    summary="Reorder images; the first is the title image",
)
def image_order_api(request: HttpRequest, property_id: int, payload: ImageOrderIn) -> Any:
    user = require(request, Capability.EDIT)
    prop = selectors.property_get(user=user, pk=property_id)
    services.property_images_reorder(prop=prop, acting_user=user, image_ids=payload.image_ids)
    return list(prop.images.all())


@router.patch(
    "/properties/{property_id}/images/{image_id}",
    response=ImageOut,
    summary="Change caption or kind of an image",
)
def image_update_api(request: HttpRequest, property_id: int, image_id: int, payload: ImageUpdateIn) -> Any:
    user = require(request, Capability.EDIT)
    prop = selectors.property_get(user=user, pk=property_id)
    image = get_object_or_404(PropertyImage, pk=image_id, property=prop)
    return services.property_image_update(
        image=image, acting_user=user, caption=payload.caption, kind=payload.kind
    )


@router.delete("/properties/{property_id}/images/{image_id}", response={204: None}, summary="Delete an image")
def image_delete_api(request: HttpRequest, property_id: int, image_id: int) -> Status:
    user = require(request, Capability.EDIT)
    prop = selectors.property_get(user=user, pk=property_id)
    services.property_image_delete(
        image=get_object_or_404(PropertyImage, pk=image_id, property=prop), acting_user=user
    )
    return Status(204, None)


@router.get(
    "/properties/{property_id}/documents", response=list[DocumentOut], summary="Documents of a property"
)
def document_list_api(request: HttpRequest, property_id: int) -> Any:
    user = require(request, Capability.VIEW)
    return list(selectors.property_get(user=user, pk=property_id).documents.all())


@router.post("/properties/{property_id}/documents", response={201: DocumentOut}, summary="Upload a document")
def document_upload_api(
    request: HttpRequest,
    property_id: int,
    file: File[UploadedFile],
    kind: Form[DocumentKindCode] = "other",  # type: ignore[valid-type]
    title: Form[str] = "",
    protected: Form[bool] = True,
) -> Status:
    user = require(request, Capability.EDIT)
    prop = selectors.property_get(user=user, pk=property_id)
    doc = services.property_document_add(
        prop=prop, acting_user=user, file=file, kind=kind, title=title, protected=protected
    )
    return Status(201, doc)


@router.delete(
    "/properties/{property_id}/documents/{document_id}", response={204: None}, summary="Delete a document"
)
def document_delete_api(request: HttpRequest, property_id: int, document_id: int) -> Status:
    user = require(request, Capability.EDIT)
    prop = selectors.property_get(user=user, pk=property_id)
    doc = get_object_or_404(PropertyDocument, pk=document_id, property=prop)
    services.property_document_delete(document=doc, acting_user=user)
    return Status(204, None)


# --- contact roles --------------------------------------------------------------------------------


@router.get(
    "/properties/{property_id}/contacts",
    response=list[PropertyContactOut],
    summary="Contacts and their roles on a property",
)
def property_contact_list_api(request: HttpRequest, property_id: int) -> Any:
    user = require(request, Capability.VIEW)
    return list(selectors.property_contacts(prop=selectors.property_get(user=user, pk=property_id)))


@router.post(
    "/properties/{property_id}/contacts",
    response={201: PropertyContactOut},
    summary="Add a contact role or change its interest status",
)
def property_contact_set_api(request: HttpRequest, property_id: int, payload: PropertyContactIn) -> Status:
    user = require(request, Capability.EDIT)
    prop = selectors.property_get(user=user, pk=property_id)
    contact = selectors.contact_get(user=user, pk=payload.contact_id)
    link = services.property_contact_set(
        prop=prop,
        contact=contact,
        acting_user=user,
        role=payload.role,
        interest_status=payload.interest_status,
        note=payload.note,
    )
    return Status(201, link)


@router.delete(
    "/properties/{property_id}/contacts/{link_id}", response={204: None}, summary="Remove a contact role"
)
def property_contact_delete_api(request: HttpRequest, property_id: int, link_id: int) -> Status:
    user = require(request, Capability.EDIT)
    prop = selectors.property_get(user=user, pk=property_id)
    services.property_contact_delete(
        link=get_object_or_404(PropertyContact, pk=link_id, property=prop), acting_user=user
    )
    return Status(204, None)


# --- search profiles ------------------------------------------------------------------------------


@router.get(
    "/contacts/{contact_id}/search-profiles",
    response=list[SearchProfileOut],
    summary="Search profiles of a contact",
)
@paginate(Page)
def search_profile_list_api(request: HttpRequest, contact_id: int) -> Any:
    user = require(request, Capability.VIEW)
    contact = selectors.contact_get(user=user, pk=contact_id)
    return selectors.search_profile_list(user=user, contact_id=contact.pk)


@router.post(
    "/contacts/{contact_id}/search-profiles",
    response={201: SearchProfileOut},
    summary="Create a search profile",
)
def search_profile_create_api(request: HttpRequest, contact_id: int, payload: SearchProfileFields) -> Status:
    user = require(request, Capability.EDIT)
    contact = selectors.contact_get(user=user, pk=contact_id)
    profile = services.search_profile_create(
        contact=contact, acting_user=user, data=_profile_data(payload, partial=False)
    )
    return Status(201, profile)


class SelfServiceLinkOut(Schema):
    id: int
    contact_id: int
    profile_id: int | None
    created_at: Any
    created_by: str | None = None
    expires_at: Any
    last_used_at: Any = None
    active: bool

    @staticmethod
    def resolve_created_by(obj: Any) -> str | None:
        return str(obj.created_by) if obj.created_by_id else None

    @staticmethod
    def resolve_active(obj: Any) -> bool:
        return not obj.is_expired


@router.get(
    "/self-service-links",
    response=list[SelfServiceLinkOut],
    summary="Personal search-profile links (the tokens are shown only when created)",
)
@paginate(Page)
def self_service_link_list_api(request: HttpRequest, contact_id: int | None = None) -> Any:
    user = require(request, Capability.VIEW)
    return selectors.self_service_link_list(user=user, contact_id=contact_id)


@router.post(
    "/self-service-links/{link_id}/revoke",
    response=SelfServiceLinkOut,
    summary="Revoke a personal search-profile link now",
)
def self_service_link_revoke_api(request: HttpRequest, link_id: int) -> Any:
    user = require(request, Capability.EDIT)
    return services.self_service_link_revoke(
        link=selectors.self_service_link_get(user=user, pk=link_id), acting_user=user
    )


@router.get("/search-profiles/{profile_id}", response=SearchProfileOut, summary="One search profile")
def search_profile_get_api(request: HttpRequest, profile_id: int) -> Any:
    user = require(request, Capability.VIEW)
    return selectors.search_profile_get(user=user, pk=profile_id)


@router.patch("/search-profiles/{profile_id}", response=SearchProfileOut, summary="Change a search profile")
def search_profile_update_api(request: HttpRequest, profile_id: int, payload: SearchProfileFields) -> Any:
    user = require(request, Capability.EDIT)
    profile = selectors.search_profile_get(user=user, pk=profile_id)
    return services.search_profile_update(
        profile=profile, acting_user=user, data=_profile_data(payload, partial=True)
    )


@router.delete("/search-profiles/{profile_id}", response={204: None}, summary="Delete a search profile")
def search_profile_delete_api(request: HttpRequest, profile_id: int) -> Status:
    user = require(request, Capability.DELETE)
    services.search_profile_delete(
        profile=selectors.search_profile_get(user=user, pk=profile_id), acting_user=user
    )
    return Status(204, None)


@router.get(
    "/search-profiles/{profile_id}/matches",
    response=MatchList,
    summary="Properties matching a search profile",
)
def search_profile_matches_api(request: HttpRequest, profile_id: int, filters: Query[MatchFilter]) -> Any:
    user = require(request, Capability.VIEW)
    return _match_items(selectors.matches_for_profile(user=user, profile_id=profile_id, limit=500), filters)
