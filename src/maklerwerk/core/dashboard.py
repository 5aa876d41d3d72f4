"""Counters on the dashboard. Each app appends its own, so the dashboard grows with the product."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from maklerwerk.accounts.models import Office


@dataclass(frozen=True)
class Counter:
    key: str
    label: str | Promise
    icon: str
    count: Callable[[Office], int]
    url_name: str | None = None


def _activities(office: Office) -> int:
    from maklerwerk.core.models import Activity

    return Activity.objects.filter(office=office).count()


def _users(office: Office) -> int:
    return office.users.filter(is_active=True).count()


@dataclass(frozen=True)
class Widget:
    """A dashboard card whose body is loaded from `url_name` (an htmx partial of the owning app)."""

    key: str
    title: str | Promise
    url_name: str
    order: int = 50
    wide: bool = False  # full width instead of half
    bare: bool = False  # the partial brings its own card (header, actions); no wrapper


WIDGETS: list[Widget] = []


def register_widget(widget: Widget) -> None:
    if all(w.key != widget.key for w in WIDGETS):
        WIDGETS.append(widget)
        WIDGETS.sort(key=lambda w: w.order)


COUNTERS: list[Counter] = [
    Counter("activities", _("Activities"), "ti-activity", _activities),
    Counter("users", _("Users"), "ti-users", _users, "settings"),
]
