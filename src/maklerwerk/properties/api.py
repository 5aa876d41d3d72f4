import datetime as dt
from decimal import Decimal
from typing import Any

from django.shortcuts import get_object_or_404
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from maklerwerk.accounts.http import ApiRequest
from maklerwerk.accounts.models import User
from maklerwerk.accounts.roles import Capability
from maklerwerk.api.auth import require
from maklerwerk.api.schemas import InputSchema, Page, apply_ordering
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.properties import selectors, services
from maklerwerk.properties.api_types import (
    ConditionCode,
    DocumentKindCode,
    EnergyBuildingCode,
    EnergyCarrierCode,
    EnergyClassCode,
    EnergyStatusCode,
    EnergyTypeCode,
    FeatureCode,
    HeatingCode,
    ImageKindCode,
    InterestCode,
    KindCode,
    Lat,
    Lon,
    MarketingCode,
    Money,
    RoleCode,
    StatusCode,
    UsageCode,
    VacancyCode,
    VisibilityCode,
)
from maklerwerk.properties.models import (
    Property,
    PropertyContact,
    PropertyDocument,
    PropertyImage,
)

router = Router(tags=["properties and search profiles"])

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
    energy_certificate_status: str
    energy_building_type: str
    energy_certificate_type: str
    energy_value: float | None
    energy_hot_water_included: bool | None
    energy_value_power: float | None
    energy_value_heat: float | None
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
    object_kind: KindCode = "wohnung"
    object_subtype: str = Field("", max_length=40)
    marketing_type: MarketingCode = "kauf"
    usage: UsageCode = "wohnen"
    status: StatusCode = "preparation"
    responsible_agent_id: int | None = None
    visibility: VisibilityCode = "office"
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
    condition: ConditionCode = ""
    vacancy: VacancyCode = Field("", description="sofort, nach_vereinbarung or datum (with vacant_from)")
    vacant_from: dt.date | None = None
    features: list[FeatureCode] = Field(default_factory=list)
    energy_certificate_status: EnergyStatusCode = ""
    energy_building_type: EnergyBuildingCode = ""
    energy_certificate_type: EnergyTypeCode = ""
    energy_value: Decimal | None = Field(None, ge=0)
    energy_hot_water_included: bool | None = None
    energy_value_power: Decimal | None = Field(None, ge=0)
    energy_value_heat: Decimal | None = Field(None, ge=0)
    energy_class: EnergyClassCode = ""
    heating_type: HeatingCode = ""
    energy_carrier: EnergyCarrierCode = ""
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
    external_id: str = Field(None, min_length=1, max_length=50)  # type: ignore[assignment]  # None: unchanged


class PropertyFilter(Schema):
    q: str | None = Field(None, description="Text in title, external id, street, city or postal code")
    status: StatusCode | None = None
    object_kind: KindCode | None = None
    marketing_type: MarketingCode | None = None
    city: str | None = None
    price_max: Decimal | None = Field(None, ge=0)
    rooms_min: Decimal | None = Field(None, ge=0)
    ordering: str | None = Field(
        None, description="updated_at, created_at, external_id, price, living_area, rooms"
    )


class ImageUpdateIn(InputSchema):
    caption: str = Field("", max_length=200)
    kind: ImageKindCode = "bild"


class ImageOrderIn(InputSchema):
    image_ids: list[int]


class PropertyContactIn(InputSchema):
    contact_id: int
    role: RoleCode
    interest_status: InterestCode = ""
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
    found = User.objects.filter(pk=pk, office=user.office_id, is_active=True).first()
    if found is None:
        raise ApplicationError("Unknown user.", extra={"field": field})
    return found


# --- properties -----------------------------------------------------------------------------------


@router.get("/properties", response=list[PropertyOut], summary="List properties")
@paginate(Page)
def property_list_api(request: ApiRequest, filters: Query[PropertyFilter]) -> Any:
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
def property_create_api(request: ApiRequest, payload: PropertyCreateIn) -> Status:
    user = require(request, Capability.EDIT)
    data, viewers = _property_data(user, payload, partial=False)
    prop = services.property_create(office=request.office, acting_user=user, data=data, viewers=viewers)
    return Status(201, prop)


@router.get("/properties/{property_id}", response=PropertyOut, summary="One property")
def property_get_api(request: ApiRequest, property_id: int) -> Property:
    user = require(request, Capability.VIEW)
    return selectors.property_get(user=user, pk=property_id)


@router.patch("/properties/{property_id}", response=PropertyOut, summary="Change a property")
def property_update_api(request: ApiRequest, property_id: int, payload: PropertyUpdateIn) -> Property:
    user = require(request, Capability.EDIT)
    prop = selectors.property_get(user=user, pk=property_id)
    data, viewers = _property_data(user, payload, partial=True)
    return services.property_update(prop=prop, acting_user=user, data=data, viewers=viewers)


@router.delete("/properties/{property_id}", response={204: None}, summary="Delete a property")
def property_delete_api(request: ApiRequest, property_id: int) -> Status:
    user = require(request, Capability.DELETE)
    services.property_delete(prop=selectors.property_get(user=user, pk=property_id), acting_user=user)
    return Status(204, None)


# --- images and documents -------------------------------------------------------------------------


@router.get(
    "/properties/{property_id}/images",
    response=list[ImageOut],
    summary="Images of a property, title image first",
)
def image_list_api(request: ApiRequest, property_id: int) -> Any:
    user = require(request, Capability.VIEW)
    return list(selectors.property_get(user=user, pk=property_id).images.all())


@router.post(
    "/properties/{property_id}/images",
    response={201: list[ImageOut]},
    summary="Upload images (several at once)",
)
def image_upload_api(
    request: ApiRequest,
    property_id: int,
    files: File[list[UploadedFile]],
    kind: Form[ImageKindCode] = "bild",
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
def image_order_api(request: ApiRequest, property_id: int, payload: ImageOrderIn) -> Any:
    user = require(request, Capability.EDIT)
    prop = selectors.property_get(user=user, pk=property_id)
    services.property_images_reorder(prop=prop, acting_user=user, image_ids=payload.image_ids)
    return list(prop.images.all())


@router.patch(
    "/properties/{property_id}/images/{image_id}",
    response=ImageOut,
    summary="Change caption or kind of an image",
)
def image_update_api(request: ApiRequest, property_id: int, image_id: int, payload: ImageUpdateIn) -> Any:
    user = require(request, Capability.EDIT)
    prop = selectors.property_get(user=user, pk=property_id)
    image = get_object_or_404(PropertyImage, pk=image_id, property=prop)
    return services.property_image_update(
        image=image, acting_user=user, caption=payload.caption, kind=payload.kind
    )


@router.delete("/properties/{property_id}/images/{image_id}", response={204: None}, summary="Delete an image")
def image_delete_api(request: ApiRequest, property_id: int, image_id: int) -> Status:
    user = require(request, Capability.EDIT)
    prop = selectors.property_get(user=user, pk=property_id)
    services.property_image_delete(
        image=get_object_or_404(PropertyImage, pk=image_id, property=prop), acting_user=user
    )
    return Status(204, None)


@router.get(
    "/properties/{property_id}/documents", response=list[DocumentOut], summary="Documents of a property"
)
def document_list_api(request: ApiRequest, property_id: int) -> Any:
    user = require(request, Capability.VIEW)
    return list(selectors.property_get(user=user, pk=property_id).documents.all())


@router.post("/properties/{property_id}/documents", response={201: DocumentOut}, summary="Upload a document")
def document_upload_api(
    request: ApiRequest,
    property_id: int,
    file: File[UploadedFile],
    kind: Form[DocumentKindCode] = "other",
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
def document_delete_api(request: ApiRequest, property_id: int, document_id: int) -> Status:
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
def property_contact_list_api(request: ApiRequest, property_id: int) -> Any:
    user = require(request, Capability.VIEW)
    return list(selectors.property_contacts(prop=selectors.property_get(user=user, pk=property_id)))


@router.post(
    "/properties/{property_id}/contacts",
    response={201: PropertyContactOut},
    summary="Add a contact role or change its interest status",
)
def property_contact_set_api(request: ApiRequest, property_id: int, payload: PropertyContactIn) -> Status:
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
def property_contact_delete_api(request: ApiRequest, property_id: int, link_id: int) -> Status:
    user = require(request, Capability.EDIT)
    prop = selectors.property_get(user=user, pk=property_id)
    services.property_contact_delete(
        link=get_object_or_404(PropertyContact, pk=link_id, property=prop), acting_user=user
    )
    return Status(204, None)


# --- search profiles ------------------------------------------------------------------------------
