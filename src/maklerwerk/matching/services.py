"""Writes for search profiles, new matches, notifications and self-service links.

Every service is keyword-only, atomic, validates with `full_clean()` and records history on the
profile. Changes that can create new matches re-match at once ("Neue Treffer"): no batch job, no
stale lists. A property's changes reach us through `properties.watchers` (`PROPERTY_WATCHER`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from maklerwerk.accounts.permissions import ensure_capability
from maklerwerk.accounts.roles import Capability
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.core.history import history_record, snapshot
from maklerwerk.core.models import Activity, ChangeLog
from maklerwerk.core.services import activity_create
from maklerwerk.matching import selectors, spatial
from maklerwerk.matching.engine import (
    PROFILE_FIELDS,
    PROPERTY_FIELDS,
    ProfileCriteria,
    PropertyFacts,
    criteria_from_row,
    evaluate,
    facts_from_row,
)
from maklerwerk.matching.models import AgentNotification, NewMatch, SearchProfile, SelfServiceLink
from maklerwerk.properties.models import Property
from maklerwerk.properties.watchers import PropertyWatcher

if TYPE_CHECKING:
    from maklerwerk.accounts.models import User
    from maklerwerk.contacts.models import Contact

PROFILE_DERIVED = {
    "location_mode",
    "min_lat",
    "max_lat",
    "min_lon",
    "max_lon",
    "object_kinds_mask",
    "features_mask",
    "office",
}


SELF_SERVICE_DAYS = 14


PROFILE_RENEW_DAYS = 180


MAX_NEW_MATCHES_PER_CHANGE = 200


def profile_snapshot(profile: SearchProfile) -> dict[str, Any]:
    return {k: v for k, v in snapshot(profile).items() if k not in PROFILE_DERIVED}


def _apply_profile(profile: SearchProfile, data: dict[str, Any]) -> None:
    for key, value in data.items():
        setattr(profile, key, value)
    profile.full_clean(exclude=["office", "contact"])
    profile.refresh_match_fields()


@transaction.atomic
def search_profile_create(
    *, contact: Contact, acting_user: User | None, data: dict[str, Any], note: str = ""
) -> SearchProfile:
    """Create a search profile for a contact; its current matches become "Neue Treffer"."""
    profile = SearchProfile(office_id=contact.office_id, contact=contact)
    _apply_profile(profile, data)
    profile.save()
    profile.refresh_from_db()
    spatial.profile_index_sync([profile])
    history_record(
        instance=profile,
        acting_user=acting_user,
        action=ChangeLog.Action.CREATE,
        after=profile_snapshot(profile),
        note=note,
    )
    _rematch_profile(profile, before=None)
    return profile


@transaction.atomic
def search_profile_update(
    *, profile: SearchProfile, acting_user: User | None, data: dict[str, Any], note: str = ""
) -> SearchProfile:
    stored = SearchProfile.objects.get(pk=profile.pk)
    before = profile_snapshot(stored)
    before_criteria = selectors.profile_criteria(stored) if stored.active and not stored.is_expired else None
    _apply_profile(profile, data)
    profile.save()
    profile.refresh_from_db()
    spatial.profile_index_sync([profile])
    history_record(
        instance=profile,
        acting_user=acting_user,
        action=ChangeLog.Action.UPDATE,
        before=before,
        after=profile_snapshot(profile),
        note=note,
    )
    _rematch_profile(profile, before=before_criteria)
    return profile


@transaction.atomic
def search_profile_delete(*, profile: SearchProfile, acting_user: User | None) -> None:
    ensure_capability(acting_user, Capability.DELETE)
    history_record(
        instance=profile,
        acting_user=acting_user,
        action=ChangeLog.Action.DELETE,
        before=profile_snapshot(profile),
    )
    spatial.profile_index_delete(profile.pk)
    profile.delete()


def _money(value: float | None) -> str:
    return (
        "–"
        if value is None
        else f"{number_format(Decimal(round(value)), 0, use_l10n=True, force_grouping=True)} €"
    )


def _rematch_property(
    prop: Property, *, before: PropertyFacts | None, before_status: str | None
) -> list[NewMatch]:
    """Record profiles that match `prop` now but did not before this change."""
    if prop.status != Property.Status.ACTIVE:
        return []
    now = selectors.property_facts(prop)
    if before is not None and before == now and before_status == prop.status:
        return []
    if before is None:
        reason, detail = NewMatch.Reason.NEW_LISTING, _("new in the portfolio")
    elif before_status != Property.Status.ACTIVE:
        reason, detail = NewMatch.Reason.NOW_ACTIVE, _("now in active marketing")
    elif before.price is not None and now.price is not None and now.price < before.price:
        reason = NewMatch.Reason.PRICE_DROP
        detail = _("price reduced from %(old)s to %(new)s") % {
            "old": _money(before.price),
            "new": _money(now.price),
        }
    else:
        reason, detail = NewMatch.Reason.PROPERTY_CHANGED, _("property changed")
    tolerance = selectors.tolerance_for(prop.office_id)
    results = [
        r
        for r in selectors.profiles_for_property_facts(
            office_id=prop.office_id, prop=now, tolerance=tolerance
        )
        if r.kind == "match"
    ]
    if before is not None and before_status == Property.Status.ACTIVE and results:
        rows = SearchProfile.objects.filter(pk__in=[r.search_profile_id for r in results]).values(
            *PROFILE_FIELDS
        )
        old = {
            row["id"]
            for row in rows
            if (m := evaluate(criteria_from_row(row), before, tolerance)) and m.kind == "match"
        }
        results = [r for r in results if r.search_profile_id not in old]
    return _record_new_matches(
        prop.office_id,
        [(prop.pk, r.search_profile_id, r.score) for r in results],
        reason,
        detail,
        agent_for_property={prop.pk: prop.responsible_agent_id},
    )


def _property_before(prop: Property) -> tuple[PropertyFacts, str]:
    return selectors.property_facts(prop), prop.status


def _property_changed(prop: Property, before: tuple[PropertyFacts, str] | None) -> list[NewMatch]:
    facts, status = before if before is not None else (None, None)
    return _rematch_property(prop, before=facts, before_status=status)


# Registered in MatchingConfig.ready(): a new or changed property re-matches at once.
PROPERTY_WATCHER = PropertyWatcher("matching", before=_property_before, changed=_property_changed)


def _rematch_profile(profile: SearchProfile, *, before: ProfileCriteria | None) -> list[NewMatch]:
    if not profile.active or profile.is_expired:
        return []
    now = selectors.profile_criteria(profile)
    if before is not None and before == now:
        return []
    tolerance = selectors.tolerance_for(profile.office_id)
    results = [
        r
        for r in selectors.properties_for_profile_criteria(
            office_id=profile.office_id, profile=now, tolerance=tolerance
        )
        if r.kind == "match"
    ]
    agents = dict(
        Property.objects.filter(pk__in=[r.property_id for r in results]).values_list(
            "pk", "responsible_agent_id"
        )
    )
    if before is not None and results:
        rows = Property.objects.filter(pk__in=[r.property_id for r in results]).values(*PROPERTY_FIELDS)
        old = {
            row["id"]
            for row in rows
            if (m := evaluate(before, facts_from_row(row), tolerance)) and m.kind == "match"
        }
        results = [r for r in results if r.property_id not in old]
    detail = _("new search profile") if before is None else _("search profile changed")
    contact_agent = profile.contact.responsible_agent_id
    return _record_new_matches(
        profile.office_id,
        [(r.property_id, profile.pk, r.score) for r in results],
        NewMatch.Reason.PROFILE_CHANGED,
        detail,
        agent_for_property={pk: agents.get(pk) or contact_agent for pk in agents},
    )


def _record_new_matches(
    office_id: int,
    pairs: list[tuple[int, int, int]],
    reason: str,
    detail: str,
    *,
    agent_for_property: dict[int, int | None],
) -> list[NewMatch]:
    pairs = pairs[:MAX_NEW_MATCHES_PER_CHANGE]
    if not pairs:
        return []
    open_pairs = set(
        NewMatch.objects.filter(
            office_id=office_id,
            seen_at__isnull=True,
            property_id__in={p for p, _, _ in pairs},
            profile_id__in={q for _, q, _ in pairs},
        ).values_list("property_id", "profile_id")
    )
    rows = [
        NewMatch(
            office_id=office_id,
            property_id=p,
            profile_id=q,
            score=score,
            reason=reason,
            detail=detail[:300],
            agent_id=agent_for_property.get(p),
        )
        for p, q, score in pairs
        if (p, q) not in open_pairs
    ]
    return NewMatch.objects.bulk_create(rows)


@transaction.atomic
def new_matches_mark_seen(*, user: User, ids: list[int] | None = None) -> int:
    """Mark the user's new matches (or the given ones) as seen."""
    qs = selectors.new_matches_for(user=user, limit=10_000)
    pks = [m.pk for m in qs if ids is None or m.pk in ids]
    return NewMatch.objects.filter(pk__in=pks).update(seen_at=timezone.now())


@transaction.atomic
def notification_done(*, user: User, pk: int) -> None:
    updated = AgentNotification.objects.filter(pk=pk, office=user.office_id, done_at__isnull=True).update(
        done_at=timezone.now()
    )
    if not updated:
        raise ApplicationError(_("This notification does not exist or is already done."))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def self_service_link_create(
    *,
    contact: Contact,
    acting_user: User | None,
    profile: SearchProfile | None = None,
    days: int = SELF_SERVICE_DAYS,
) -> tuple[SelfServiceLink, str]:
    """A personal link for the contact; returns the link and the token (shown once, only its hash is kept)."""
    if profile is not None and profile.contact_id != contact.pk:
        raise ApplicationError(_("The search profile belongs to another contact."))
    token = secrets.token_urlsafe(32)  # 256 random bits
    link = SelfServiceLink.objects.create(
        office_id=contact.office_id,
        contact=contact,
        profile=profile,
        token_hash=_token_hash(token),
        expires_at=timezone.now() + dt.timedelta(days=days),
        created_by=acting_user,
    )
    activity_create(
        office=contact.office,
        type=Activity.Type.SYSTEM,
        subject=_("Personal search-profile link created"),
        acting_user=acting_user,
        contact_id=contact.pk,
        payload={"self_service_link_id": link.pk, "expires_at": link.expires_at.isoformat()},
    )
    return link, token


@transaction.atomic
def self_service_link_revoke(*, link: SelfServiceLink, acting_user: User | None) -> SelfServiceLink:
    """End a personal link now: the form answers like for an unknown link from then on."""
    ensure_capability(acting_user, Capability.EDIT)
    now = timezone.now()
    if link.expires_at > now:
        link.expires_at = now
        link.save(update_fields=["expires_at"])
        activity_create(
            office=link.contact.office,
            type=Activity.Type.SYSTEM,
            subject=_("Personal search-profile link revoked"),
            acting_user=acting_user,
            contact_id=link.contact_id,
            payload={"self_service_link_id": link.pk},
        )
    return link


def self_service_link_resolve(token: str) -> SelfServiceLink | None:
    """The valid link for `token`, or None if unknown or expired (callers show one neutral page)."""
    if not token or len(token) > 100:
        return None
    link = (
        SelfServiceLink.objects.select_related("contact", "profile", "office")
        .filter(token_hash=_token_hash(token))
        .first()
    )
    if link is None or link.is_expired:
        return None
    return link


@transaction.atomic
def self_service_submit(*, link: SelfServiceLink, data: dict[str, Any]) -> SearchProfile:
    """The contact saved their criteria: create or update the profile, renew it, log and notify."""
    contact = link.contact
    today = timezone.localdate()
    data = {**data, "active": True, "valid_until": today + dt.timedelta(days=PROFILE_RENEW_DAYS)}
    note = str(_("Entered by the contact via personal link"))
    profile = link.profile
    if profile is not None and (
        profile.contact_id != contact.pk or not SearchProfile.objects.filter(pk=profile.pk).exists()
    ):
        profile = None
    if profile is None:
        data.setdefault("name", str(_("My search")))
        profile = search_profile_create(contact=contact, acting_user=None, data=data, note=note)
        link.profile = profile
        message = _("%(contact)s created a search profile via personal link") % {"contact": contact}
    else:
        search_profile_update(profile=profile, acting_user=None, data=data, note=note)
        message = _("%(contact)s updated their search profile via personal link") % {"contact": contact}
    link.last_used_at = timezone.now()
    link.save(update_fields=["profile", "last_used_at"])
    activity_create(
        office=link.office,
        type=Activity.Type.SYSTEM,
        subject=str(message),
        acting_user=None,
        contact_id=contact.pk,
        payload={"search_profile_id": profile.pk, "source": "self_service"},
    )
    AgentNotification.objects.create(
        office_id=link.office_id,
        user_id=contact.responsible_agent_id or link.created_by_id,
        contact=contact,
        profile=profile,
        message=str(message)[:300],
    )
    return profile
