"""Dashboard counters of matching (registered in MatchingConfig.ready)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from maklerwerk.matching.models import NewMatch
from maklerwerk.matching.selectors import not_yet_offered_q
from maklerwerk.properties.selectors import property_visible_q

if TYPE_CHECKING:
    from maklerwerk.accounts.models import Office, User


def new_matches(office: Office) -> int:
    """Unseen "Neue Treffer" of the office."""
    return NewMatch.objects.filter(office=office, seen_at__isnull=True).filter(not_yet_offered_q()).count()


def new_matches_for(user: User) -> int:
    """Unseen new matches of the office, of properties the user may see."""
    qs = NewMatch.objects.filter(office=user.office_id, seen_at__isnull=True).filter(not_yet_offered_q())
    return qs.filter(property_visible_q(user)).count()
