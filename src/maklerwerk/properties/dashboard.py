"""Dashboard counters of the properties app (registered in PropertiesConfig.ready)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from maklerwerk.properties.models import Property
from maklerwerk.properties.selectors import visible_properties

if TYPE_CHECKING:
    from maklerwerk.accounts.models import Office, User


def active_properties(office: Office) -> int:

    return Property.objects.filter(office=office, status=Property.Status.ACTIVE).count()


def active_properties_for(user: User) -> int:
    """Properties in active marketing the user may see."""

    return visible_properties(user).filter(status=Property.Status.ACTIVE).count()
