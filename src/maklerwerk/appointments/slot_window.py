"""Which viewing slots the booking page offers: one rule for the page, booking and moving."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q


def bookable_q(now: dt.datetime) -> Q:
    """Slots a prospect may take now: not cancelled, not begun, inside their bookable window
    (`visible_from`/`visible_until`; empty: from now / until the slot starts)."""
    return (
        Q(cancelled_at__isnull=True, starts_at__gt=now)
        & (Q(visible_from__isnull=True) | Q(visible_from__lte=now))
        & (Q(visible_until__isnull=True) | Q(visible_until__gt=now))
    )
