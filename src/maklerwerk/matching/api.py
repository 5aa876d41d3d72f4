"""The search-profile and match endpoints of the JSON API (paths under /contacts, /properties,
/search-profiles and /self-service-links, as before matching became its own app)."""

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from maklerwerk.accounts.http import ApiRequest
from maklerwerk.accounts.roles import Capability
from maklerwerk.api.auth import require
from maklerwerk.api.schemas import InputSchema, Page
from maklerwerk.matching import selectors, services
from maklerwerk.matching.models import SearchProfile
from maklerwerk.properties.api_types import (
    EnergyClassCode,
    FeatureCode,
    KindCode,
    Lat,
    Lon,
    MarketingCode,
    Money,
)
from maklerwerk.properties.selectors import contact_get

# The same tag as the property endpoints: one section "properties and search profiles" in the docs.
router = Router(tags=["properties and search profiles"])
# The operation ids stay those of the time these endpoints were in properties.api: generated clients
# call them by these names.


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
    marketing_type: MarketingCode = "kauf"
    object_kinds: list[KindCode] = Field(default_factory=list)
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
    features: list[FeatureCode] = Field(default_factory=list)
    year_built_min: int | None = Field(None, ge=1000, le=2100)
    energy_class_worst: EnergyClassCode = ""
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


@router.get(
    "/properties/{property_id}/matches",
    response=MatchList,
    summary="Search profiles matching a property",
    operation_id="maklerwerk_properties_api_property_matches_api",
)
def property_matches_api(request: ApiRequest, property_id: int, filters: Query[MatchFilter]) -> Any:
    user = require(request, Capability.VIEW)
    return _match_items(
        selectors.matches_for_property(user=user, property_id=property_id, limit=500), filters
    )


@router.get(
    "/contacts/{contact_id}/search-profiles",
    response=list[SearchProfileOut],
    summary="Search profiles of a contact",
    operation_id="maklerwerk_properties_api_search_profile_list_api",
)
@paginate(Page)
def search_profile_list_api(request: ApiRequest, contact_id: int) -> Any:
    user = require(request, Capability.VIEW)
    contact = contact_get(user=user, pk=contact_id)
    return selectors.search_profile_list(user=user, contact_id=contact.pk)


@router.post(
    "/contacts/{contact_id}/search-profiles",
    response={201: SearchProfileOut},
    summary="Create a search profile",
    operation_id="maklerwerk_properties_api_search_profile_create_api",
)
def search_profile_create_api(request: ApiRequest, contact_id: int, payload: SearchProfileFields) -> Status:
    user = require(request, Capability.EDIT)
    contact = contact_get(user=user, pk=contact_id)
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
    operation_id="maklerwerk_properties_api_self_service_link_list_api",
)
@paginate(Page)
def self_service_link_list_api(request: ApiRequest, contact_id: int | None = None) -> Any:
    user = require(request, Capability.VIEW)
    return selectors.self_service_link_list(user=user, contact_id=contact_id)


@router.post(
    "/self-service-links/{link_id}/revoke",
    response=SelfServiceLinkOut,
    summary="Revoke a personal search-profile link now",
    operation_id="maklerwerk_properties_api_self_service_link_revoke_api",
)
def self_service_link_revoke_api(request: ApiRequest, link_id: int) -> Any:
    user = require(request, Capability.EDIT)
    return services.self_service_link_revoke(
        link=selectors.self_service_link_get(user=user, pk=link_id), acting_user=user
    )


@router.get(
    "/search-profiles/{profile_id}",
    response=SearchProfileOut,
    summary="One search profile",
    operation_id="maklerwerk_properties_api_search_profile_get_api",
)
def search_profile_get_api(request: ApiRequest, profile_id: int) -> Any:
    user = require(request, Capability.VIEW)
    return selectors.search_profile_get(user=user, pk=profile_id)


@router.patch(
    "/search-profiles/{profile_id}",
    response=SearchProfileOut,
    summary="Change a search profile",
    operation_id="maklerwerk_properties_api_search_profile_update_api",
)
def search_profile_update_api(request: ApiRequest, profile_id: int, payload: SearchProfileFields) -> Any:
    user = require(request, Capability.EDIT)
    profile = selectors.search_profile_get(user=user, pk=profile_id)
    return services.search_profile_update(
        profile=profile, acting_user=user, data=_profile_data(payload, partial=True)
    )


@router.delete(
    "/search-profiles/{profile_id}",
    response={204: None},
    summary="Delete a search profile",
    operation_id="maklerwerk_properties_api_search_profile_delete_api",
)
def search_profile_delete_api(request: ApiRequest, profile_id: int) -> Status:
    user = require(request, Capability.DELETE)
    services.search_profile_delete(
        profile=selectors.search_profile_get(user=user, pk=profile_id), acting_user=user
    )
    return Status(204, None)


@router.get(
    "/search-profiles/{profile_id}/matches",
    response=MatchList,
    summary="Properties matching a search profile",
    operation_id="maklerwerk_properties_api_search_profile_matches_api",
)
def search_profile_matches_api(request: ApiRequest, profile_id: int, filters: Query[MatchFilter]) -> Any:
    user = require(request, Capability.VIEW)
    return _match_items(selectors.matches_for_profile(user=user, profile_id=profile_id, limit=500), filters)
