"""Reads for properties, search profiles and matches. Every selector takes the requesting user and
scopes by office (another office's record is a 404) and by property visibility."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import F, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils import timezone

from maklerwerk.core.models import Activity
from maklerwerk.properties import spatial
from maklerwerk.properties.matching import (
    PROFILE_FIELDS,
    PROPERTY_FIELDS,
    MatchResult,
    ProfileCriteria,
    PropertyFacts,
    Tolerance,
    criteria_from_row,
    evaluate,
    facts_from_row,
    rank,
)
from maklerwerk.properties.models import (
    KIND_BITS,
    AgentNotification,
    Feature,
    MarketingType,
    MatchSettings,
    NewMatch,
    ObjectKind,
    Property,
    PropertyContact,
    SearchProfile,
)

if TYPE_CHECKING:
    from maklerwerk.accounts.models import User
    from maklerwerk.contacts.models import Contact

OFFERED_STATUSES = {
    PropertyContact.InterestStatus.EXPOSE_SENT,
    PropertyContact.InterestStatus.VIEWING_PLANNED,
    PropertyContact.InterestStatus.VIEWING_DONE,
    PropertyContact.InterestStatus.OFFER,
    PropertyContact.InterestStatus.BOUGHT,
}


# --- properties -----------------------------------------------------------------------------------


def property_list(
    *,
    user: User,
    q: str = "",
    status: str = "",
    object_kind: str = "",
    marketing_type: str = "",
    city: str = "",
    price_max: Decimal | None = None,
    rooms_min: Decimal | None = None,
) -> QuerySet[Property]:
    """The office's properties the user may see, newest change first, optionally filtered."""
    qs = (
        Property.objects.filter(office_id=user.office_id).visible_to(user).select_related("responsible_agent")
    )
    if q:
        qs = qs.filter(
            Q(title__icontains=q)
            | Q(external_id__icontains=q)
            | Q(city__icontains=q)
            | Q(street__icontains=q)
            | Q(postal_code__startswith=q)
        )
    if status:
        qs = qs.filter(status=status)
    if object_kind:
        qs = qs.filter(object_kind=object_kind)
    if marketing_type:
        qs = qs.filter(marketing_type=marketing_type)
    if city:
        qs = qs.filter(city__icontains=city)
    if price_max is not None:
        qs = qs.filter(match_price__lte=price_max)
    if rooms_min is not None:
        qs = qs.filter(rooms__gte=rooms_min)
    return qs


def property_get(*, user: User, pk: int) -> Property:
    """One property of the user's office that they may see; else 404."""
    try:
        return (
            Property.objects.visible_to(user)
            .select_related("responsible_agent")
            .get(pk=pk, office_id=user.office_id)
        )
    except (Property.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def property_is_marketable_for(*, user: User, property_id: int) -> bool:
    """Is the property in active marketing and visible to `user`? (used by the inquiry manager)"""
    return (
        Property.objects.filter(pk=property_id, office_id=user.office_id, status=Property.Status.ACTIVE)
        .visible_to(user)
        .exists()
    )


def property_contacts(*, prop: Property) -> QuerySet[PropertyContact]:
    return prop.contact_roles.select_related("contact").order_by("role", "contact__last_name", "pk")


# --- search profiles ------------------------------------------------------------------------------


def contact_get(*, user: User, pk: int) -> Contact:
    from maklerwerk.contacts.models import Contact

    try:
        return Contact.objects.get(pk=pk, office_id=user.office_id)
    except (Contact.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def search_profile_list(*, user: User, contact_id: int | None = None) -> QuerySet[SearchProfile]:
    qs = SearchProfile.objects.filter(office_id=user.office_id).select_related("contact")
    if contact_id is not None:
        qs = qs.filter(contact_id=contact_id)
    return qs


def search_profile_get(*, user: User, pk: int) -> SearchProfile:
    try:
        return SearchProfile.objects.select_related("contact").get(pk=pk, office_id=user.office_id)
    except (SearchProfile.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def expired_profiles(*, user: User) -> QuerySet[SearchProfile]:
    """Active profiles whose validity has passed: the agent should renew them."""
    return search_profile_list(user=user).filter(active=True, valid_until__lt=timezone.localdate())


# --- matching -------------------------------------------------------------------------------------


def tolerance_for(office_id: int) -> Tolerance:
    s = MatchSettings.objects.filter(office_id=office_id).first()
    if s is None:
        return Tolerance()
    return Tolerance(
        price=s.price_tolerance_percent / 100,
        area=s.area_tolerance_percent / 100,
        rooms=float(s.rooms_tolerance),
    )


def _labels() -> dict[str, Any]:
    return {
        "kind_labels": {k: str(v) for k, v in ObjectKind.choices},
        "feature_labels": {k: str(v) for k, v in Feature.choices},
        "marketing_labels": {k: str(v) for k, v in MarketingType.choices},
    }


def _widened(value: float, tol: float, up: bool) -> Decimal:
    # The bound a profile's min/max must reach so that `value` is at least a near miss.
    bound = value / (1 + tol) if up else value / max(1e-9, 1 - tol)
    return Decimal(str(round(bound * (0.999999 if up else 1.000001), 2)))


def profiles_for_property_facts(
    *, office_id: int, prop: PropertyFacts, tolerance: Tolerance, today: dt.date | None = None
) -> list[MatchResult]:
    """Ranked matches of active, valid profiles of the office for a property (plain facts).

    SQL narrows by location index (places, R*Tree/GiST), marketing type, validity and the must
    bounds (widened by the tolerance); Python then decides and explains each candidate.
    """
    today = today or timezone.localdate()
    sql, params = spatial.profiles_wanting_sql(office_id=office_id, prop=prop)
    qs = SearchProfile.objects.filter(
        pk__in=RawSQL(sql, params),  # noqa: S611 (placeholders only)
        office_id=office_id,
        active=True,
        marketing_type=prop.marketing_type,
    ).filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
    if prop.price is not None:
        qs = qs.filter(
            Q(price_must=False)
            | (
                (Q(price_max__isnull=True) | Q(price_max__gte=_widened(prop.price, tolerance.price, True)))
                & (Q(price_min__isnull=True) | Q(price_min__lte=_widened(prop.price, tolerance.price, False)))
            )
        )
    if prop.living_area is not None:
        qs = qs.filter(
            Q(living_area_must=False)
            | (
                (
                    Q(living_area_max__isnull=True)
                    | Q(living_area_max__gte=_widened(prop.living_area, tolerance.area, True))
                )
                & (
                    Q(living_area_min__isnull=True)
                    | Q(living_area_min__lte=_widened(prop.living_area, tolerance.area, False))
                )
            )
        )
    bit = KIND_BITS.get(prop.object_kind, 0)
    qs = qs.annotate(kind_hit=F("object_kinds_mask").bitand(bit)).filter(
        Q(object_kinds_must=False) | Q(object_kinds_mask=0) | Q(kind_hit__gt=0)
    )
    labels = _labels()
    return rank(
        evaluate(criteria_from_row(row), prop, tolerance, **labels) for row in qs.values(*PROFILE_FIELDS)
    )


def properties_for_profile_criteria(
    *, office_id: int, profile: ProfileCriteria, tolerance: Tolerance, user: User | None = None
) -> list[MatchResult]:
    """Ranked matches of active properties (visible to `user`, if given) for a profile (plain criteria)."""
    qs = Property.objects.filter(
        office_id=office_id, status=Property.Status.ACTIVE, marketing_type=profile.marketing_type
    )
    area = spatial.properties_in_area_sql(office_id=office_id, profile=profile, status=Property.Status.ACTIVE)
    if area is not None:
        qs = qs.filter(pk__in=RawSQL(*area))  # noqa: S611
    if user is not None:
        qs = qs.visible_to(user)
    must = profile.must
    if "price" in must and (profile.price_min is not None or profile.price_max is not None):
        cond = Q()
        if profile.price_max is not None:
            cond &= Q(
                match_price__lte=Decimal(str(round(profile.price_max * (1 + tolerance.price) + 0.01, 2)))
            )
        if profile.price_min is not None:
            cond &= Q(
                match_price__gte=Decimal(str(round(profile.price_min * (1 - tolerance.price) - 0.01, 2)))
            )
        qs = qs.filter(Q(match_price__isnull=True) | cond)
    if "living_area" in must and (profile.living_area_min is not None or profile.living_area_max is not None):
        cond = Q()
        if profile.living_area_max is not None:
            cond &= Q(
                living_area__lte=Decimal(str(round(profile.living_area_max * (1 + tolerance.area) + 0.01, 2)))
            )
        if profile.living_area_min is not None:
            cond &= Q(
                living_area__gte=Decimal(str(round(profile.living_area_min * (1 - tolerance.area) - 0.01, 2)))
            )
        qs = qs.filter(Q(living_area__isnull=True) | cond)
    if "object_kind" in must and profile.object_kinds:
        qs = qs.filter(object_kind__in=profile.object_kinds)
    labels = _labels()
    return rank(
        evaluate(profile, facts_from_row(row), tolerance, **labels) for row in qs.values(*PROPERTY_FIELDS)
    )


def property_facts(prop: Property) -> PropertyFacts:
    return facts_from_row({f: getattr(prop, f) for f in PROPERTY_FIELDS})


def profile_criteria(profile: SearchProfile) -> ProfileCriteria:
    return criteria_from_row({f: getattr(profile, f) for f in PROFILE_FIELDS})


@dataclass
class MatchRow:
    """A match with the records to show it and its offer state: new, offered or declined."""

    result: MatchResult
    state: str
    property: Property | None = None
    profile: SearchProfile | None = None


def _offer_states(pairs: list[tuple[int, int]]) -> dict[tuple[int, int], str]:
    """(contact_id, property_id) → 'offered' / 'declined', from interest status and exposé activities."""
    if not pairs:
        return {}
    contact_ids = {c for c, _ in pairs}
    property_ids = {p for _, p in pairs}
    states: dict[tuple[int, int], str] = {}
    for c, p in Activity.objects.filter(
        type=Activity.Type.EXPOSE_SENT, contact_id__in=contact_ids, property_id__in=property_ids
    ).values_list("contact_id", "property_id"):
        states[(c, p)] = "offered"
    for c, p, status in PropertyContact.objects.filter(
        role=PropertyContact.Role.PROSPECT, contact_id__in=contact_ids, property_id__in=property_ids
    ).values_list("contact_id", "property_id", "interest_status"):
        if status == PropertyContact.InterestStatus.DECLINED:
            states[(c, p)] = "declined"
        elif status in OFFERED_STATUSES:
            states.setdefault((c, p), "offered")
    return states


def matches_for_property(*, user: User, property_id: int, limit: int = 200) -> list[MatchRow]:
    """Profiles (and their contacts) matching a property the user may see; only if it is active."""
    prop = property_get(user=user, pk=property_id)
    if prop.status != Property.Status.ACTIVE:
        return []
    results = profiles_for_property_facts(
        office_id=prop.office_id, prop=property_facts(prop), tolerance=tolerance_for(prop.office_id)
    )[:limit]
    profiles = SearchProfile.objects.select_related("contact").in_bulk([r.search_profile_id for r in results])
    states = _offer_states([(r.contact_id, prop.pk) for r in results])
    return [
        MatchRow(
            result=r,
            state=states.get((r.contact_id, prop.pk), "new"),
            property=prop,
            profile=profiles.get(r.search_profile_id),
        )
        for r in results
    ]


def matches_for_profile(*, user: User, profile_id: int, limit: int = 200) -> list[MatchRow]:
    """Properties matching a profile, among those the user may see; none if inactive or expired."""
    profile = search_profile_get(user=user, pk=profile_id)
    if not profile.active or profile.is_expired:
        return []
    results = properties_for_profile_criteria(
        office_id=profile.office_id,
        profile=profile_criteria(profile),
        tolerance=tolerance_for(profile.office_id),
        user=user,
    )[:limit]
    props = Property.objects.prefetch_related("images").in_bulk([r.property_id for r in results])
    states = _offer_states([(profile.contact_id, r.property_id) for r in results])
    return [
        MatchRow(
            result=r,
            state=states.get((profile.contact_id, r.property_id), "new"),
            property=props.get(r.property_id),
            profile=profile,
        )
        for r in results
    ]


def group_matches(rows: list[MatchRow]) -> dict[str, dict[str, list[MatchRow]]]:
    """Tabs new / offered / declined, each split into exact matches and near misses."""
    out: dict[str, dict[str, list[MatchRow]]] = {
        s: {"match": [], "near_miss": []} for s in ("new", "offered", "declined")
    }
    for row in rows:
        out[row.state][row.result.kind].append(row)
    return out


# --- new matches and notifications ----------------------------------------------------------------


def new_matches_for(*, user: User, limit: int = 20) -> QuerySet[NewMatch]:
    """Unseen new matches for the user (as responsible agent; administrators see all of the office)."""
    qs = NewMatch.objects.filter(office_id=user.office_id, seen_at__isnull=True).select_related(
        "property", "profile", "profile__contact"
    )
    if user.effective_role != "admin":
        qs = qs.filter(Q(agent=user) | Q(agent__isnull=True))
    return qs.filter(property__in=Property.objects.visible_to(user))[:limit]


def notifications_for(*, user: User, limit: int = 20) -> QuerySet[AgentNotification]:
    qs = AgentNotification.objects.filter(office_id=user.office_id, done_at__isnull=True).select_related(
        "contact"
    )
    if user.effective_role != "admin":
        qs = qs.filter(Q(user=user) | Q(user__isnull=True))
    return qs[:limit]
