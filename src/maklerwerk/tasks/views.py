from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from maklerwerk.accounts.http import AuthedRequest
from maklerwerk.accounts.permissions import require_capability
from maklerwerk.accounts.roles import Capability
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.core.pagination import CappedPaginator
from maklerwerk.tasks import selectors, services
from maklerwerk.tasks.forms import TaskForm

STATES = ("open", "done", "all")


def _next_url(request: AuthedRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return reverse("tasks:list")


@require_capability(Capability.VIEW)
@require_GET
def task_list_view(request: AuthedRequest) -> HttpResponse:
    state = request.GET.get("state", "open")
    state = state if state in STATES else "open"
    mine = request.GET.get("mine") == "1"
    qs = selectors.task_list(user=request.user, state=state, assignee_id=request.user.pk if mine else None)
    page = CappedPaginator(qs, 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "state": state,
        "mine": mine,
        "can_edit": request.user.can(Capability.EDIT),
    }
    template = "tasks/list.html#task-table" if request.htmx else "tasks/list.html"
    return render(request, template, context)


@require_capability(Capability.EDIT)
@require_http_methods(["GET", "POST"])
def task_create_view(request: AuthedRequest) -> HttpResponse:
    initial = {"assignee": request.user.pk}
    for name in ("contact", "property"):
        if request.GET.get(name, "").isdigit():
            initial[name] = int(request.GET[name])
    form = TaskForm(
        request.POST or None,
        office_id=request.office.pk,
        user=request.user,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.task_create(office=request.office, acting_user=request.user, **form.service_kwargs())
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Task created."))
            return redirect(_next_url(request))
    return render(request, "tasks/form.html", {"form": form, "task": None, "next": _next_url(request)})


@require_capability(Capability.EDIT)
@require_http_methods(["GET", "POST"])
def task_edit_view(request: AuthedRequest, task_id: int) -> HttpResponse:
    task = selectors.task_get(user=request.user, pk=task_id)
    form = TaskForm(
        request.POST or None,
        instance=task,
        office_id=request.office.pk,
        user=request.user,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.task_update(task=task, acting_user=request.user, **form.service_kwargs())
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Task saved."))
            return redirect(_next_url(request))
    return render(request, "tasks/form.html", {"form": form, "task": task, "next": _next_url(request)})


@require_capability(Capability.VIEW)
@require_GET
def task_due_widget(request: AuthedRequest) -> HttpResponse:
    """Dashboard card: the user's overdue tasks and those due today."""
    return _due_widget(request)


def _due_widget(request: AuthedRequest) -> HttpResponse:
    overdue, today = selectors.tasks_due(user=request.user)
    can_edit = request.user.can(Capability.EDIT)
    return render(
        request, "tasks/_due_widget.html", {"overdue": overdue, "today": today, "can_edit": can_edit}
    )


@require_capability(Capability.EDIT)
@require_POST
def task_toggle_view(request: AuthedRequest, task_id: int) -> HttpResponse:
    task = selectors.task_get(user=request.user, pk=task_id)
    services.task_set_done(task=task, done=not task.is_done, acting_user=request.user)
    if request.htmx and request.POST.get("from") == "widget":
        return _due_widget(request)
    if request.htmx:
        return render(request, "tasks/list.html#task-row", {"task": task, "can_edit": True})
    return redirect("tasks:list")
