"""Counters and widgets on the dashboard. Each app registers its own in `AppConfig.ready()`, so the
dashboard grows with the product (`core.registry`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from maklerwerk.core.models import Activity
from maklerwerk.core.registry import Registry
from maklerwerk.core.selectors import activity_list

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from maklerwerk.accounts.models import Office, User


@dataclass(frozen=True)
class Counter:
    key: str
    label: str | Promise
    icon: str
    count: Callable[[Office], int]
    url_name: str | None = None
    # The number as this user may see it (rows of restricted properties they may not see left out);
    # the dashboard uses it when given, else `count`.
    count_for_user: Callable[[User], int] | None = None
    order: int = 50  # position in the row of counters, left to right

    def value_for(self, user: User) -> int:
        if self.count_for_user is not None:
            return self.count_for_user(user)
        return self.count(user.office)  # type: ignore[arg-type]  # users on the dashboard have an office


def _activities(office: Office) -> int:

    return Activity.objects.filter(office=office).count()


def _activities_for(user: User) -> int:

    return activity_list(user=user).count()


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


WIDGETS: Registry[Widget] = Registry("dashboard widgets")
COUNTERS: Registry[Counter] = Registry("dashboard counters")

# The foundation's own counters (registered by CoreConfig.ready()).
CORE_COUNTERS = (
    Counter(
        "activities", _("Activities"), "ti-activity", _activities, count_for_user=_activities_for, order=20
    ),
    Counter("users", _("Users"), "ti-users", _users, "settings", order=30),
)
