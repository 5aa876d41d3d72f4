import datetime as dt
from typing import TYPE_CHECKING, Any, Literal

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from maklerwerk.accounts.http import ApiRequest
from maklerwerk.accounts.roles import Capability
from maklerwerk.api.auth import require
from maklerwerk.api.schemas import InputSchema, Page, apply_ordering
from maklerwerk.core import selectors, services
from maklerwerk.core.models import Activity
from maklerwerk.core.search import global_search

router = Router(tags=["activities and jobs"])

# Ninja validates these against the model's choices at run time; the checker sees plain strings.
if TYPE_CHECKING:
    ActivityType = str
else:
    ActivityType = Literal[tuple(Activity.Type.values)]


class ActivityOut(Schema):
    id: int
    type: str
    occurred_at: dt.datetime
    user_id: int | None
    user_name: str | None = Field(None, description="Display name of the user who logged it")
    contact_id: int | None
    further_contact_ids: list[int] = Field(default_factory=list, description="Other contacts who took part")
    property_id: int | None
    subject: str
    body: str
    payload: dict[str, Any]

    @staticmethod
    def resolve_user_name(obj: Activity) -> str | None:
        return str(obj.user) if obj.user_id else None

    @staticmethod
    def resolve_further_contact_ids(obj: Activity) -> list[int]:
        return sorted(c.pk for c in obj.further_contacts.all())


class ActivityCreateIn(InputSchema):
    type: ActivityType
    subject: str = Field(..., min_length=1, max_length=300)
    body: str = ""
    occurred_at: dt.datetime | None = None
    payload: dict[str, Any] = Field(default_factory=dict)
    contact_id: int | None = None
    further_contact_ids: list[int] = Field(default_factory=list)
    property_id: int | None = None


class ActivityPatchIn(InputSchema):
    type: ActivityType | None = None
    subject: str | None = Field(None, max_length=300)
    body: str | None = None
    occurred_at: dt.datetime | None = None
    contact_id: int | None = None
    further_contact_ids: list[int] | None = None
    property_id: int | None = None


class ActivityFilter(Schema):
    type: ActivityType | None = None
    since: dt.datetime | None = Field(None, description="Only activities at or after this time")
    until: dt.datetime | None = Field(None, description="Only activities before this time")
    user_id: int | None = None
    contact_id: int | None = None
    property_id: int | None = None
    q: str | None = Field(None, description="Words in the subject or text")
    ordering: str | None = Field(None, description="occurred_at or -occurred_at (default), id, type")


class SearchHitOut(Schema):
    type: Literal["contact", "property", "search_profile"] = Field(..., description="What was found")
    id: int = Field(..., description="Id for the matching endpoint: /contacts/{id}, /properties/{id}, ...")
    title: str
    subtitle: str = Field(..., description="Company and city, or Kennung, address and status, ...")
    url: str = Field(..., description="The page in the web UI")
    score: int = Field(..., description="0–100; hits come best first")


class SearchOut(Schema):
    query: str
    hits: list[SearchHitOut]


class JobOut(Schema):
    id: str
    kind: str
    title: str
    state: str
    percent: int
    message: str
    result: dict[str, Any]
    error: str
    created_at: dt.datetime
    finished_at: dt.datetime | None

    @staticmethod
    def resolve_id(obj: Any) -> str:
        return str(obj.id)


@router.get("/activities", response=list[ActivityOut], summary="List activities")
@paginate(Page)
def activity_list_api(request: ApiRequest, filters: Query[ActivityFilter]) -> Any:
    user = require(request, Capability.VIEW)
    qs = selectors.activity_list(
        user=user,
        type=filters.type,
        since=filters.since,
        until=filters.until,
        user_id=filters.user_id,
        contact_id=filters.contact_id,
        property_id=filters.property_id,
        search=filters.q,
    )
    return apply_ordering(
        qs, filters.ordering, {"occurred_at": "occurred_at", "id": "id", "type": "type"}, "-occurred_at"
    )


@router.post("/activities", response={201: ActivityOut}, summary="Log an activity")
def activity_create_api(request: ApiRequest, payload: ActivityCreateIn) -> Status:
    user = require(request, Capability.EDIT)
    activity = services.activity_create(office=request.office, acting_user=user, **payload.dict())
    return Status(201, activity)


@router.get("/activities/{activity_id}", response=ActivityOut, summary="One activity")
def activity_get_api(request: ApiRequest, activity_id: int) -> Activity:
    user = require(request, Capability.VIEW)
    return selectors.activity_get(user=user, pk=activity_id)


@router.patch("/activities/{activity_id}", response=ActivityOut, summary="Change an activity")
def activity_patch_api(request: ApiRequest, activity_id: int, payload: ActivityPatchIn) -> Activity:
    user = require(request, Capability.EDIT)
    activity = selectors.activity_get(user=user, pk=activity_id)
    changes = payload.dict(exclude_unset=True)
    further = changes.pop("further_contact_ids", None)
    return services.activity_update(
        activity=activity, acting_user=user, further_contact_ids=further, **changes
    )


@router.delete("/activities/{activity_id}", response={204: None}, summary="Delete an activity")
def activity_delete_api(request: ApiRequest, activity_id: int) -> Status:
    user = require(request, Capability.DELETE)
    services.activity_delete(activity=selectors.activity_get(user=user, pk=activity_id), acting_user=user)
    return Status(204, None)


@router.get(
    "/search",
    response=SearchOut,
    summary="Search contacts, properties and search profiles at once",
    description=(
        "Contacts by name, company, city, e-mail or phone number in any notation (0171 2345678, "
        "+49 171 2345678, 0049-171-2345678); properties by Kennung, title, street, city or postcode; "
        "search profiles by name or contact. Only what the caller may see (office, restricted "
        "properties). At least two characters; best hits first."
    ),
    tags=["search"],
)
def search_api(
    request: ApiRequest, q: str = Query(..., max_length=100), limit: int = Query(10, ge=1, le=50)
) -> dict[str, Any]:

    user = require(request, Capability.VIEW)
    return {"query": q, "hits": global_search(user=user, q=q, limit=limit)}


@router.get("/jobs/{job_id}", response=JobOut, summary="Progress and result of a background job")
def job_get_api(request: ApiRequest, job_id: str) -> Any:
    user = require(request, Capability.VIEW)
    return selectors.job_get(user=user, pk=job_id)
