import datetime as dt
from typing import TYPE_CHECKING, Any, Literal

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from maklerwerk.accounts.http import ApiRequest
from maklerwerk.accounts.models import User
from maklerwerk.accounts.roles import Capability
from maklerwerk.api.auth import require
from maklerwerk.api.schemas import InputSchema, Page, apply_ordering
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.tasks import selectors, services
from maklerwerk.tasks.models import Task

router = Router(tags=["tasks"])


class TaskOut(Schema):
    id: int
    title: str
    description: str
    due_at: dt.datetime | None
    priority: str
    assignee_id: int | None
    contact_id: int | None
    property_id: int | None
    link_url: str
    source: str
    done: bool
    done_at: dt.datetime | None
    created_at: dt.datetime

    @staticmethod
    def resolve_done(obj: Task) -> bool:
        return obj.is_done


# Ninja validates these against the model's choices at run time; the checker sees plain strings.
if TYPE_CHECKING:
    Priority = str
else:
    Priority = Literal[tuple(Task.Priority.values)]


class TaskCreateIn(InputSchema):
    title: str = Field(..., min_length=1, max_length=300)
    description: str = ""
    due_at: dt.datetime | None = None
    priority: Priority = "normal"
    assignee_id: int | None = Field(None, description="Default: the caller")
    contact_id: int | None = None
    property_id: int | None = None
    link_url: str = Field("", max_length=500)


class TaskPatchIn(InputSchema):
    title: str | None = Field(None, min_length=1, max_length=300)
    description: str | None = None
    due_at: dt.datetime | None = None
    priority: Priority | None = None
    assignee_id: int | None = None
    contact_id: int | None = None
    property_id: int | None = None
    done: bool | None = None


class TaskFilter(Schema):
    state: Literal["open", "done", "all"] = "open"
    assignee_id: int | None = None
    contact_id: int | None = None
    property_id: int | None = None
    ordering: str | None = Field(None, description="due_at (default), created_at, title; '-' for descending")


def _assignee(user: User, assignee_id: int | None) -> User | None:
    if assignee_id is None:
        return None
    assignee = User.objects.filter(pk=assignee_id, office=user.office_id, is_active=True).first()
    if assignee is None:
        raise ApplicationError("Unknown assignee.", extra={"field": "assignee_id"})
    return assignee


@router.get("/tasks", response=list[TaskOut], summary="List tasks")
@paginate(Page)
def task_list_api(request: ApiRequest, filters: Query[TaskFilter]) -> Any:
    user = require(request, Capability.VIEW)
    qs = selectors.task_list(
        user=user,
        state=filters.state,
        assignee_id=filters.assignee_id,
        contact_id=filters.contact_id,
        property_id=filters.property_id,
    )
    allowed = {"due_at": "due_at", "created_at": "created_at", "title": "title"}
    return apply_ordering(qs, filters.ordering, allowed, "due_at")


@router.post("/tasks", response={201: TaskOut}, summary="Create a task")
def task_create_api(request: ApiRequest, payload: TaskCreateIn) -> Status:
    user = require(request, Capability.EDIT)
    data = payload.dict()
    assignee_id = data.pop("assignee_id")
    assignee = _assignee(user, assignee_id) if assignee_id is not None else user
    task = services.task_create(office=request.office, acting_user=user, assignee=assignee, **data)
    return Status(201, task)


@router.get("/tasks/{task_id}", response=TaskOut, summary="One task")
def task_get_api(request: ApiRequest, task_id: int) -> Task:
    user = require(request, Capability.VIEW)
    return selectors.task_get(user=user, pk=task_id)


@router.patch("/tasks/{task_id}", response=TaskOut, summary="Change a task or mark it done")
def task_patch_api(request: ApiRequest, task_id: int, payload: TaskPatchIn) -> Task:
    user = require(request, Capability.EDIT)
    task = selectors.task_get(user=user, pk=task_id)
    changes = payload.dict(exclude_unset=True)
    done = changes.pop("done", None)
    if "description" in changes and changes["description"] is None:
        changes["description"] = ""  # null clears the text (the column is never NULL)
    if "assignee_id" in changes:
        changes["assignee"] = _assignee(user, changes.pop("assignee_id"))
    if changes:
        task = services.task_update(task=task, acting_user=user, **changes)
    if done is not None and done != task.is_done:
        task = services.task_set_done(task=task, done=done, acting_user=user)
    return task


@router.delete("/tasks/{task_id}", response={204: None}, summary="Delete a task")
def task_delete_api(request: ApiRequest, task_id: int) -> Status:
    user = require(request, Capability.DELETE)
    services.task_delete(task=selectors.task_get(user=user, pk=task_id), acting_user=user)
    return Status(204, None)
