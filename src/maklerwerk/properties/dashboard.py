"""Dashboard counters of the properties app (registered in PropertiesConfig.ready)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from maklerwerk.accounts.models import Office, User


def active_properties(office: Office) -> int:
    from maklerwerk.properties.models import Property

    return Property.objects.filter(office=office, status=Property.Status.ACTIVE).count()


def new_matches(office: Office) -> int:
    """Unseen "Neue Treffer" of the office."""
    from maklerwerk.properties.models import NewMatch
    from maklerwerk.properties.selectors import not_yet_offered_q

    return NewMatch.objects.filter(office=office, seen_at__isnull=True).filter(not_yet_offered_q()).count()


def active_properties_for(user: User) -> int:
    """Properties in active marketing the user may see."""
    from maklerwerk.properties.models import Property
    from maklerwerk.properties.selectors import visible_properties

    return visible_properties(user).filter(status=Property.Status.ACTIVE).count()


def new_matches_for(user: User) -> int:
    """Unseen new matches of the office, of properties the user may see."""
    from maklerwerk.properties.models import NewMatch
    from maklerwerk.properties.selectors import not_yet_offered_q, property_visible_q

    qs = NewMatch.objects.filter(office_id=user.office_id, seen_at__isnull=True).filter(not_yet_offered_q())
    return qs.filter(property_visible_q(user)).count()
