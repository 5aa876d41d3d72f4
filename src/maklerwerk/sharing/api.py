import datetime as dt
from typing import Any, Literal

from django.http import Http404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from maklerwerk.accounts.http import ApiRequest
from maklerwerk.accounts.roles import Capability
from maklerwerk.api.auth import require
from maklerwerk.api.schemas import InputSchema, Page, apply_ordering
from maklerwerk.contacts.selectors import contact_get
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.properties.selectors import property_get
from maklerwerk.sharing import selectors, services
from maklerwerk.sharing.models import AccessEvent, ShareLink

router = Router(tags=["document sharing"])


class ShareOut(Schema):
    id: int
    contact_id: int
    contact_name: str
    property_id: int
    property_external_id: str
    url: str | None = Field(None, description="Public URL; null once the link is deleted or expired")
    expires_at: dt.datetime
    state: Literal["active", "expired", "deleted", "deactivated"]
    consent_required: bool
    open_count: int
    last_opened_at: dt.datetime | None
    created_at: dt.datetime
    deleted_at: dt.datetime | None

    @staticmethod
    def resolve_contact_name(obj: ShareLink) -> str:
        return str(obj.contact)

    @staticmethod
    def resolve_property_external_id(obj: ShareLink) -> str:
        return obj.property.external_id

    @staticmethod
    def resolve_state(obj: ShareLink) -> str:
        return selectors.link_state(obj, selectors.deactivated_contacts(obj.cloud_id))

    @staticmethod
    def resolve_url(obj: ShareLink) -> str | None:
        if obj.deleted_at is not None or obj.is_expired:
            return None
        try:
            return services.share_link_public_url(obj)
        except ApplicationError:
            return None


class ShareCreateIn(InputSchema):
    contact_id: int
    property_id: int
    expires_at: dt.datetime | None = Field(None, description="Default: 30 days from now")
    consent_required: bool = Field(True, description="Show the office's consent gate (if it is on)")


class ShareFilter(Schema):
    contact_id: int | None = None
    property_id: int | None = None
    active: bool | None = Field(
        None, description="Only links that still open (true) or only ended ones (false)"
    )
    ordering: str | None = Field(
        None, description="created_at, expires_at, open_count; prefix - for descending"
    )


class EventOut(Schema):
    id: int
    share_id: int = Field(..., alias="link_id")
    contact_id: int
    property_id: int
    kind: Literal["view", "download", "zip"]
    file_source: str
    file_id: int | None
    file_name: str
    file_size: int | None
    at: dt.datetime = Field(..., description="The first time (repeats on the same day are counted)")
    count: int = Field(..., description="How often: repeats on the same day, network and browser")
    last_at: dt.datetime | None = Field(None, description="The latest repeat")
    user_agent: str
    ip_network: str = Field(..., alias="ip_coarse")


class AccessOut(Schema):
    contact_id: int
    contact_name: str
    active: bool
    links: int
    opened: int
    valid_until: dt.datetime | None


class AccessIn(InputSchema):
    property_id: int
    contact_id: int
    active: bool


class ShareEmailOut(Schema):
    to: str


def _contact(user: Any, pk: int) -> Any:

    try:
        return contact_get(user=user, pk=pk)
    except Http404 as exc:
        raise Http404("Unknown contact.") from exc


def _property(user: Any, pk: int) -> Any:

    try:
        return property_get(user=user, pk=pk)
    except Http404 as exc:
        raise Http404("Unknown property.") from exc


@router.get("/shares", response=list[ShareOut], summary="List share links")
@paginate(Page)
def share_list_api(request: ApiRequest, filters: Query[ShareFilter]) -> Any:
    user = require(request, Capability.VIEW)
    qs = selectors.share_links(user=user, contact_id=filters.contact_id, property_id=filters.property_id)
    if filters.active is not None:
        active = services.share_link_active_q()
        qs = qs.filter(active) if filters.active else qs.exclude(active)
    allowed = {"created_at": "created_at", "expires_at": "expires_at", "open_count": "open_count"}
    return apply_ordering(qs, filters.ordering, allowed, "-created_at")


@router.post("/shares", response={201: ShareOut}, summary="Create a personal share link")
def share_create_api(request: ApiRequest, payload: ShareCreateIn) -> Status:
    user = require(request, Capability.EDIT)
    link = services.share_link_create(
        office=request.office,
        contact=_contact(user, payload.contact_id),
        property=_property(user, payload.property_id),
        acting_user=user,
        expires_at=payload.expires_at,
        consent_required=payload.consent_required,
    )
    return Status(201, link)


@router.get("/shares/{share_id}", response=ShareOut, summary="One share link")
def share_get_api(request: ApiRequest, share_id: int) -> ShareLink:
    user = require(request, Capability.VIEW)
    return selectors.share_link_get(user=user, pk=share_id)


@router.delete(
    "/shares/{share_id}", response={204: None}, summary="Delete a share link (it stops working at once)"
)
def share_delete_api(request: ApiRequest, share_id: int) -> Status:
    user = require(request, Capability.DELETE)
    services.share_link_delete(link=selectors.share_link_get(user=user, pk=share_id), acting_user=user)
    return Status(204, None)


@router.post(
    "/shares/{share_id}/email", response=ShareEmailOut, summary="Send the link to the contact by e-mail"
)
def share_email_api(request: ApiRequest, share_id: int) -> dict[str, str]:
    user = require(request, Capability.EDIT)
    link = selectors.share_link_get(user=user, pk=share_id)
    return {"to": services.share_link_send_email(link=link, acting_user=user)}


@router.get("/shares/{share_id}/events", response=list[EventOut], summary="Views and downloads of a link")
@paginate(Page)
def share_events_api(request: ApiRequest, share_id: int, kind: str | None = None) -> Any:
    user = require(request, Capability.VIEW)
    link = selectors.share_link_get(user=user, pk=share_id)
    qs = selectors.access_events(user=user, link_id=link.pk)
    if kind:
        if kind not in AccessEvent.Kind.values:
            raise ApplicationError(f"Unknown kind '{kind}'; use one of: view, download, zip.")
        qs = qs.filter(kind=kind)
    return qs


def _access_rows(cloud: Any) -> list[dict[str, Any]]:
    return [
        {
            "contact_id": row.contact.pk,
            "contact_name": str(row.contact),
            "active": row.active,
            "links": row.links,
            "opened": row.opened,
            "valid_until": row.valid_until,
        }
        for row in selectors.access_overview(cloud)
    ]


@router.get("/share-access", response=list[AccessOut], summary="Who has access to a property's documents")
def access_list_api(request: ApiRequest, property_id: int) -> list[dict[str, Any]]:
    user = require(request, Capability.VIEW)
    return _access_rows(selectors.cloud_get(user=user, property_id=_property(user, property_id).pk))


@router.put("/share-access", response=AccessOut, summary="Switch one contact's access on or off")
def access_set_api(request: ApiRequest, payload: AccessIn) -> dict[str, Any]:
    user = require(request, Capability.EDIT)
    prop = _property(user, payload.property_id)
    contact = _contact(user, payload.contact_id)
    cloud = selectors.cloud_get(user=user, property_id=prop.pk)
    services.access_set(cloud=cloud, contact=contact, active=payload.active, acting_user=user)
    for row in _access_rows(cloud):
        if row["contact_id"] == contact.pk:
            return row
    return {
        "contact_id": contact.pk,
        "contact_name": str(contact),
        "active": payload.active,
        "links": 0,
        "opened": 0,
        "valid_until": None,
    }
