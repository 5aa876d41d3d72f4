"""Portal transfer API: portal accounts, a property's portals, transfer runs and their packages."""

import datetime as dt
from typing import Any, Literal

from django.http import FileResponse, Http404
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from maklerwerk.accounts.http import ApiRequest
from maklerwerk.accounts.roles import Capability
from maklerwerk.api.auth import require
from maklerwerk.api.schemas import InputSchema, Page
from maklerwerk.portals import selectors, services
from maklerwerk.portals.models import Portal, PortalAssignment, TransferEntry, TransferRun
from maklerwerk.properties.selectors import property_get

router = Router(tags=["portals"])


class PortalIn(InputSchema):
    name: str = Field(..., max_length=100)
    key: str = Field(..., max_length=40, description="Short name, used in package file names")
    kind: Literal["openimmo_ftp", "openimmo_pull", "is24"] = "openimmo_ftp"
    active: bool = False
    host: str = ""
    port: int = Field(21, ge=1, le=65535)
    username: str = ""
    password: str = Field("", description="Write-only: stored encrypted, never returned")
    folder: str = ""
    passive: bool = True
    use_tls: bool = False
    anbieternr: str = ""
    openimmo_anid: str = ""
    full_transfer: bool = False
    send_references: bool = False
    contingent: int | None = Field(None, ge=0)
    picture_limit: int | None = Field(None, ge=0)
    picture_max_kb: int = Field(2000, ge=50)
    filename_pattern: str = "{portal}-{anbieternr}-{timestamp}.zip"
    techn_email: str = ""
    api_url: str = ""
    consumer_key: str = ""
    consumer_secret: str = Field("", description="Write-only")
    access_token: str = ""
    access_secret: str = Field("", description="Write-only")
    send_pdfs: bool = Field(
        False, description="IS24: the exposé and unprotected PDF documents as attachments"
    )


class PortalPatch(InputSchema):
    name: str | None = None
    active: bool | None = None
    host: str | None = None
    port: int | None = Field(None, ge=1, le=65535)
    username: str | None = None
    password: str | None = Field(None, description="Write-only")
    folder: str | None = None
    passive: bool | None = None
    use_tls: bool | None = None
    anbieternr: str | None = None
    openimmo_anid: str | None = None
    full_transfer: bool | None = None
    send_references: bool | None = None
    contingent: int | None = Field(None, ge=0)
    picture_limit: int | None = Field(None, ge=0)
    picture_max_kb: int | None = Field(None, ge=50)
    filename_pattern: str | None = None
    techn_email: str | None = None
    api_url: str | None = None
    consumer_key: str | None = None
    consumer_secret: str | None = Field(None, description="Write-only")
    access_token: str | None = None
    access_secret: str | None = Field(None, description="Write-only")
    send_pdfs: bool | None = None


class PortalOut(Schema):
    id: int
    name: str
    key: str
    kind: str
    active: bool
    host: str
    port: int
    username: str
    password_set: bool
    folder: str
    passive: bool
    use_tls: bool
    anbieternr: str
    openimmo_anid: str
    full_transfer: bool
    send_references: bool
    contingent: int | None
    picture_limit: int | None
    picture_max_kb: int
    filename_pattern: str
    techn_email: str
    api_url: str
    consumer_key: str
    connected: bool
    send_pdfs: bool
    last_status: str
    retry_at: dt.datetime | None = Field(
        None, description="After a run stopped on something that passes: the next automatic attempt"
    )


class PropertyPortalsIn(InputSchema):
    portal_ids: list[int]


class AssignmentOut(Schema):
    portal_id: int
    portal: str = Field(..., alias="portal.name")
    wanted: bool
    state: str
    last_action: str
    online_since: dt.datetime | None
    last_sent_at: dt.datetime | None
    portal_object_id: str
    expose_url: str
    last_error: str


class TransferIn(InputSchema):
    full: bool = False


class EntryOut(Schema):
    property_id: int | None
    external_id: str
    action: str
    result: str
    hint: str
    portal_object_id: str


class RunOut(Schema):
    id: int
    portal_id: int
    job_id: str | None
    full: bool
    state: str
    message: str
    package_name: str
    has_package: bool
    created_at: dt.datetime
    finished_at: dt.datetime | None
    entries: list[EntryOut]

    @staticmethod
    def resolve_job_id(obj: TransferRun) -> str | None:
        return str(obj.job_id) if obj.job_id else None

    @staticmethod
    def resolve_has_package(obj: TransferRun) -> bool:
        return bool(obj.package)

    @staticmethod
    def resolve_entries(obj: TransferRun) -> list[TransferEntry]:
        return list(obj.entries.all())


@router.get("/portals", response=list[PortalOut])
@paginate(Page)
def portal_list(request: ApiRequest) -> Any:
    user = require(request, Capability.VIEW)
    return selectors.portals_for(user=user).order_by("name", "pk")


@router.post("/portals", response={201: PortalOut})
def portal_create(request: ApiRequest, payload: PortalIn) -> Status:
    user = require(request, Capability.MANAGE_OFFICE)
    portal = services.portal_create(office=request.office, acting_user=user, data=payload.dict())
    return Status(201, portal)


@router.get("/portals/{portal_id}", response=PortalOut)
def portal_get(request: ApiRequest, portal_id: int) -> Portal:
    user = require(request, Capability.VIEW)
    return selectors.portal_get(user=user, pk=portal_id)


@router.patch("/portals/{portal_id}", response=PortalOut)
def portal_update(request: ApiRequest, portal_id: int, payload: PortalPatch) -> Portal:
    user = require(request, Capability.MANAGE_OFFICE)
    portal: Portal = selectors.portal_get(user=user, pk=portal_id)
    return services.portal_update(portal=portal, acting_user=user, data=payload.dict(exclude_unset=True))


@router.delete("/portals/{portal_id}", response={204: None})
def portal_delete(request: ApiRequest, portal_id: int) -> Status:
    user = require(request, Capability.MANAGE_OFFICE)
    services.portal_delete(portal=selectors.portal_get(user=user, pk=portal_id), acting_user=user)
    return Status(204, None)


@router.put("/properties/{property_id}/portals", response=list[AssignmentOut])
def property_portals_set(
    request: ApiRequest, property_id: int, payload: PropertyPortalsIn
) -> list[PortalAssignment]:
    user = require(request, Capability.EDIT)
    prop = property_get(user=user, pk=property_id)
    services.property_portals_set(prop=prop, portal_ids=payload.portal_ids, acting_user=user)
    return selectors.assignments_for_property(office_id=prop.office_id, property_id=prop.pk)


@router.get("/properties/{property_id}/portals", response=list[AssignmentOut])
def property_portals(request: ApiRequest, property_id: int) -> list[PortalAssignment]:
    user = require(request, Capability.VIEW)
    prop = property_get(user=user, pk=property_id)
    return selectors.assignments_for_property(office_id=prop.office_id, property_id=prop.pk)


@router.post("/portals/{portal_id}/transfers", response={202: RunOut})
def transfer_start(request: ApiRequest, portal_id: int, payload: TransferIn) -> Status:
    user = require(request, Capability.EDIT)
    portal = selectors.portal_get(user=user, pk=portal_id)
    run = services.transfer_start(portal=portal, full=payload.full, acting_user=user)
    return Status(202, selectors.run_get(user=user, portal_id=portal.pk, run_id=run.pk))


@router.get("/portals/{portal_id}/transfers/{run_id}", response=RunOut)
def transfer_get(request: ApiRequest, portal_id: int, run_id: int) -> TransferRun:
    user = require(request, Capability.VIEW)
    return selectors.run_get(user=user, portal_id=portal_id, run_id=run_id)


@router.get("/portals/{portal_id}/transfers/{run_id}/package")
def transfer_package(request: ApiRequest, portal_id: int, run_id: int) -> FileResponse:
    user = require(request, Capability.VIEW)
    run = selectors.run_get(user=user, portal_id=portal_id, run_id=run_id)
    if not run.package or not selectors.run_package_allowed(user=user, run=run):
        raise Http404
    return FileResponse(run.package.open("rb"), as_attachment=True, filename=run.package_name)


@router.post("/portals/{portal_id}/withdraw-all", response={202: RunOut | None})
def withdraw_all(request: ApiRequest, portal_id: int) -> Status:
    user = require(request, Capability.MANAGE_OFFICE)
    portal = selectors.portal_get(user=user, pk=portal_id)
    run = services.portal_withdraw_all(portal=portal, acting_user=user)
    return Status(202, selectors.run_get(user=user, portal_id=portal.pk, run_id=run.pk) if run else None)
