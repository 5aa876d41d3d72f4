import datetime as dt
from typing import TYPE_CHECKING, Any, Literal

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from maklerwerk.accounts.http import ApiRequest
from maklerwerk.accounts.roles import Capability
from maklerwerk.api.auth import require
from maklerwerk.api.schemas import InputSchema, Page
from maklerwerk.duplicates import merge, selectors, services
from maklerwerk.duplicates.models import POLICY_CHOICES, IntakeSource
from maklerwerk.duplicates.reasons import reason_texts

router = Router(tags=["duplicates"])

# Ninja validates these against the model's choices at run time; the checker sees plain strings.
if TYPE_CHECKING:
    ImportPolicy = str
    InquiryPolicy = str
else:
    ImportPolicy = Literal[tuple(POLICY_CHOICES[IntakeSource.IMPORT])]
    InquiryPolicy = Literal[tuple(POLICY_CHOICES[IntakeSource.INQUIRY])]


class ChannelIn(InputSchema):
    value: str = Field(..., max_length=254)


class DuplicateCheckIn(InputSchema):
    first_name: str = Field("", max_length=1000)
    last_name: str = Field("", max_length=1000)
    company_name: str = Field("", max_length=1000)
    emails: list[str | ChannelIn] = Field(default_factory=list, max_length=50)
    phones: list[str | ChannelIn] = Field(default_factory=list, max_length=50)
    street: str = Field("", max_length=1000)
    house_number: str = Field("", max_length=100)
    postal_code: str = Field("", max_length=100)
    city: str = Field("", max_length=1000)
    country: str = Field("DE", max_length=2)
    birth_date: dt.date | None = None
    exclude_id: int | None = Field(None, description="Leave out this contact (the one being edited)")


class ContactBriefOut(Schema):
    id: int
    display_name: str
    first_name: str
    last_name: str
    company_name: str
    postal_code: str
    city: str
    url: str


class CandidateOut(Schema):
    contact: ContactBriefOut
    score: float = Field(..., description="0..1")
    level: Literal["certain", "possible"] = Field(..., description="'sicher Dublette' or 'mögliche Dublette'")
    reasons: list[str]
    similarities: dict[str, float]


class MergeIn(InputSchema):
    other_id: int = Field(..., description="The contact merged into this one; it is deleted afterwards")
    choices: dict[str, Literal["a", "b"]] = Field(
        default_factory=dict,
        description="Per field: 'a' keeps this contact's value, 'b' takes the other's. "
        "Default: the more complete value (filled over empty, written out over abbreviated), "
        "otherwise this contact's.",
    )


class GroupPairOut(Schema):
    a: int
    b: int
    score: float
    reasons: list[str]
    similarities: dict[str, float]


class GroupOut(Schema):
    contact_ids: list[int]
    contacts: list[ContactBriefOut]
    best_score: float
    pairs: list[GroupPairOut]


class GroupPageOut(Schema):
    items: list[GroupOut]
    count: int
    limit: int
    offset: int


class SettingsIO(InputSchema):
    certain_threshold: float = Field(..., ge=0.05, le=1.0, description="'sicher Dublette' from this score on")
    possible_threshold: float = Field(
        ..., ge=0.05, le=1.0, description="'mögliche Dublette' from this score on"
    )
    import_policy: ImportPolicy | None = Field(
        None,
        description="Duplicate rule of the vCard import; omitted: unchanged",
    )
    inquiry_policy: InquiryPolicy | None = Field(
        None, description="Duplicate rule of the inquiry manager; omitted: unchanged"
    )


class DuplicateSearchJobOut(Schema):
    id: str
    state: str
    percent: int
    url: str


def _brief(contact: Any) -> dict[str, Any]:
    return {
        "id": contact.pk,
        "display_name": contact.display_name,
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "company_name": contact.company_name,
        "postal_code": contact.postal_code,
        "city": contact.city,
        "url": f"/contacts/{contact.pk}/",
    }


@router.post(
    "/contacts/duplicate-check", response=list[CandidateOut], summary="Check contact data for duplicates"
)
def duplicate_check_api(request: ApiRequest, payload: DuplicateCheckIn) -> Any:
    """Ranked candidates (best first) with score, level, reasons in German and per-field similarity."""
    require(request, Capability.VIEW)
    data = payload.model_dump(exclude={"exclude_id"})
    data["emails"] = [e if isinstance(e, str) else e["value"] for e in data["emails"]]
    data["phones"] = [p if isinstance(p, str) else p["value"] for p in data["phones"]]
    candidates = services.duplicates_check(office=request.office, data=data, exclude_id=payload.exclude_id)
    return [
        {
            "contact": _brief(c.contact),
            "score": c.score,
            "level": c.level,
            "reasons": c.reasons,
            "similarities": c.similarities,
        }
        for c in candidates
    ]


@router.post(
    "/duplicates/check", response=list[CandidateOut], summary="Check contact data for duplicates (alias)"
)
def duplicate_check_alias_api(request: ApiRequest, payload: DuplicateCheckIn) -> Any:
    """The same as POST /contacts/duplicate-check."""
    return duplicate_check_api(request, payload)


@router.post(
    "/contacts/{contact_id}/merge", response=ContactBriefOut, summary="Merge another contact into this one"
)
def contact_merge_api(request: ApiRequest, contact_id: int, payload: MergeIn) -> Any:
    """Every related record of `other_id` moves to this contact; `other_id` is deleted. Needs the
    right to delete."""
    user = require(request, Capability.DELETE)
    survivor = merge.contacts_merge(
        office=request.office,
        survivor_id=contact_id,
        other_id=payload.other_id,
        acting_user=user,
        choices=payload.choices,
    )
    return _brief(survivor)


@router.get("/duplicates/groups", response=GroupPageOut, summary="Duplicate groups found by the last search")
def duplicate_groups_api(
    request: ApiRequest,
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0),
    min_score: float = Query(0.0, ge=0, le=1),
) -> Any:
    user = require(request, Capability.VIEW)
    groups = selectors.duplicate_groups(user=user, min_score=min_score)
    page = groups[offset : offset + limit]
    return {
        "items": [
            {
                "contact_ids": [c.pk for c in g.contacts],
                "contacts": [_brief(c) for c in g.contacts],
                "best_score": g.best_score,
                "pairs": [
                    {
                        "a": p.contact_a_id,
                        "b": p.contact_b_id,
                        "score": p.score,
                        "reasons": reason_texts(p.codes),
                        "similarities": p.similarities,
                    }
                    for p in g.pairs
                ],
            }
            for g in page
        ],
        "count": len(groups),
        "limit": limit,
        "offset": offset,
    }


@router.post(
    "/duplicates/search",
    response={202: DuplicateSearchJobOut},
    summary="Search the whole office for duplicates",
)
def duplicate_search_api(request: ApiRequest) -> Any:
    """Starts the background search; poll the job, then read /duplicates/groups."""
    user = require(request, Capability.EDIT)
    job = services.duplicate_search_start(office=request.office, acting_user=user)
    return Status(
        202, {"id": str(job.pk), "state": job.state, "percent": job.percent, "url": f"/api/v1/jobs/{job.pk}"}
    )


@router.get("/duplicates/settings", response=SettingsIO, summary="The office's duplicate thresholds")
def duplicate_settings_api(request: ApiRequest) -> Any:
    require(request, Capability.VIEW)
    return services.duplicate_settings_get(office=request.office)


@router.put("/duplicates/settings", response=SettingsIO, summary="Change the office's duplicate thresholds")
def duplicate_settings_update_api(request: ApiRequest, payload: SettingsIO) -> Any:
    user = require(request, Capability.MANAGE_OFFICE)
    return services.duplicate_settings_update(office=request.office, acting_user=user, **payload.model_dump())


class MergeFieldOut(Schema):
    field: str
    kept: Any
    dropped: Any


class MergeOut(Schema):
    id: int
    survivor_id: int = Field(..., alias="survivor_contact_id", description="The contact that stayed")
    merged_contact_id: int = Field(..., description="The contact merged in and removed (back after an undo)")
    survivor_label: str
    merged_label: str
    merged_at: dt.datetime
    undone_at: dt.datetime | None
    undo_until: dt.datetime = Field(..., description="An undo is possible until then")
    undo_refusal: str | None = Field(..., description="Why an undo is not possible now; null when it is")
    fields: list[MergeFieldOut] = Field(..., description="Fields that differed: the value kept and dropped")

    @staticmethod
    def resolve_undo_until(obj: Any) -> dt.datetime:
        return merge.undo_deadline(obj)

    @staticmethod
    def resolve_undo_refusal(obj: Any) -> str | None:
        return merge.undo_refusal(obj)

    @staticmethod
    def resolve_fields(obj: Any) -> list[dict[str, Any]]:
        return list(obj.field_changes)


@router.get("/duplicates/merges", response=list[MergeOut], summary="Merges of the office, newest first")
@paginate(Page)
def merge_list_api(request: ApiRequest, contact_id: int | None = Query(None, ge=1, le=2**63 - 1)) -> Any:
    """`contact_id` limits the list to merges that kept or removed this contact."""
    user = require(request, Capability.VIEW)
    return selectors.merge_records(user=user, contact_id=contact_id)


@router.post("/duplicates/merges/{merge_id}/undo", response=MergeOut, summary="Undo a merge")
def merge_undo_api(request: ApiRequest, merge_id: int) -> Any:
    """Both contacts come back as before the merge (ids included), each with its related records.
    409 with the reason when that is no longer safe (the contact was edited or merged again since,
    older than the undo period, already undone). Needs the right to delete."""
    user = require(request, Capability.DELETE)
    record = merge.merge_undo(office=request.office, record_id=merge_id, acting_user=user)
    return record
