"""Reads of the portal transfer, scoped by the user's office."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from maklerwerk.portals.models import Is24Connection, Portal, PortalAssignment, TransferEntry, TransferRun
from maklerwerk.properties.selectors import property_hidden_q, property_visible_q

if TYPE_CHECKING:
    from maklerwerk.accounts.models import User


def portals_for(*, user: User) -> QuerySet[Portal]:
    return Portal.objects.filter(office=user.office_id)


def portal_get(*, user: User, pk: int) -> Portal:
    try:
        return portals_for(user=user).get(pk=pk)
    except (Portal.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def assignments_for_property(*, office_id: int, property_id: int) -> list[PortalAssignment]:
    return list(
        PortalAssignment.objects.filter(office_id=office_id, property_id=property_id)
        .select_related("portal")
        .order_by("portal__name")
    )


def entries_for_property(*, office_id: int, property_id: int, limit: int = 30) -> list[TransferEntry]:
    return list(
        TransferEntry.objects.filter(run__office_id=office_id, property_id=property_id)
        .select_related("run", "run__portal")
        .order_by("-run__created_at", "-pk")[:limit]
    )


def runs_for(*, user: User, portal_id: int | None = None) -> QuerySet[TransferRun]:
    """Runs of the office; each run's entries only for properties the user may see."""
    visible = TransferEntry.objects.filter(property_visible_q(user)).select_related("property")
    runs = (
        TransferRun.objects.filter(office=user.office_id)
        .select_related("portal")
        .prefetch_related(Prefetch("entries", queryset=visible))
    )
    return runs.filter(portal_id=portal_id) if portal_id else runs


def run_package_allowed(*, user: User, run: TransferRun) -> bool:
    """The package holds every property of the run: only for users who may see all of them."""
    return not run.entries.filter(property_hidden_q(user)).exists()


def run_get(*, user: User, portal_id: int, run_id: int) -> TransferRun:
    try:
        return runs_for(user=user, portal_id=portal_id).get(pk=run_id)
    except (TransferRun.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def portal_listing_names(office_id: int, property_id: int) -> list[str]:
    """The properties app's publish record: the portals that have had the property (Kennung locked)."""
    rows = PortalAssignment.objects.filter(office_id=office_id, property_id=property_id).exclude(
        online_since=None, last_sent_at=None
    )
    return [f"{a.portal.name}" for a in rows.select_related("portal")]


def portal_names(*, office_id: int) -> list[tuple[int, str, str]]:
    """(id, name, kind) of the office's portals, for other apps' per-portal switches."""
    return list(
        Portal.objects.filter(office_id=office_id).order_by("name", "pk").values_list("pk", "name", "kind")
    )


def feed_package(*, token: str) -> TransferRun | None:
    """The newest package of the own-website portal whose pull-URL secret is `token` (None: no such
    portal, or nothing written yet). Public: the token is the only key."""
    if not token or len(token) > 100:
        return None
    digest = hashlib.sha256(token.encode()).hexdigest()
    portal = Portal.objects.filter(
        kind=Portal.Kind.OPENIMMO_PULL, active=True, feed_token_hash=digest
    ).first()
    if portal is None:
        return None
    return (
        TransferRun.objects.filter(portal=portal, uploaded=True)
        .exclude(package="")
        .order_by("-created_at", "-pk")
        .first()
    )


def is24_connected_portals(*, user: User) -> list[int]:
    """The IS24 portals the user connected their own account to."""
    return list(
        Is24Connection.objects.filter(user=user, office=user.office_id).values_list("portal_id", flat=True)
    )
