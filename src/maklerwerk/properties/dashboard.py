"""Dashboard counters of the properties app (registered in PropertiesConfig.ready)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from maklerwerk.accounts.models import Office


def active_properties(office: Office) -> int:
    from maklerwerk.properties.models import Property

    return Property.objects.filter(office=office, status=Property.Status.ACTIVE).count()


def new_matches(office: Office) -> int:
    """Unseen "Neue Treffer" of the office."""
    from maklerwerk.properties.models import NewMatch

    return NewMatch.objects.filter(office=office, seen_at__isnull=True).count()
