"""Reads for search profiles, matches and new matches. Every selector takes the requesting user and
scopes by office (another office's record is a 404) and by property visibility (properties' rule)."""

from __future__ import annotations

import datetime as dt
import functools
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language

from maklerwerk.core.models import Activity
from maklerwerk.matching import spatial
from maklerwerk.matching.engine import (
    PROFILE_FIELDS,
    PROPERTY_FIELDS,
    MatchResult,
    ProfileCriteria,
    PropertyFacts,
    Tolerance,
    criteria_from_row,
    criteria_from_values,
    evaluate,
    facts_from_row,
    facts_from_values,
    rank,
)
from maklerwerk.matching.models import AgentNotification, NewMatch, SearchProfile, SelfServiceLink
from maklerwerk.properties.choices import KIND_BITS, Feature, MarketingType, ObjectKind
from maklerwerk.properties.models import Property, PropertyContact
from maklerwerk.properties.selectors import (
    match_settings_get,
    property_get,
    property_visible_q,
    visible_properties,
)

if TYPE_CHECKING:
    from maklerwerk.accounts.models import User


OFFERED_STATUSES = {
    PropertyContact.InterestStatus.EXPOSE_SENT,
    PropertyContact.InterestStatus.VIEWING_PLANNED,
    PropertyContact.InterestStatus.VIEWING_DONE,
    PropertyContact.InterestStatus.OFFER,
    PropertyContact.InterestStatus.BOUGHT,
}


def search_profile_list(*, user: User, contact_id: int | None = None) -> QuerySet[SearchProfile]:
    qs = SearchProfile.objects.filter(office=user.office_id).select_related("contact")
    if contact_id is not None:
        qs = qs.filter(contact_id=contact_id)
    return qs


def self_service_link_list(*, user: User, contact_id: int | None = None) -> QuerySet[SelfServiceLink]:
    """The office's personal search-profile links, newest first (the token itself is never kept)."""
    qs = SelfServiceLink.objects.filter(office=user.office_id).select_related("contact", "created_by")
    if contact_id is not None:
        qs = qs.filter(contact_id=contact_id)
    return qs.order_by("-created_at")


def self_service_link_get(*, user: User, pk: int) -> SelfServiceLink:
    try:
        return SelfServiceLink.objects.select_related("contact").get(pk=pk, office=user.office_id)
    except (SelfServiceLink.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def search_profile_get(*, user: User, pk: int) -> SearchProfile:
    try:
        return SearchProfile.objects.select_related("contact").get(pk=pk, office=user.office_id)
    except (SearchProfile.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def expired_profiles(*, user: User) -> QuerySet[SearchProfile]:
    """Active profiles whose validity has passed: the agent should renew them."""
    return search_profile_list(user=user).filter(active=True, valid_until__lt=timezone.localdate())


def tolerance_for(office_id: int) -> Tolerance:
    s = match_settings_get(office_id)
    if s is None:
        return Tolerance()
    return Tolerance(
        price=s.price_tolerance_percent / 100,
        area=s.area_tolerance_percent / 100,
        rooms=float(s.rooms_tolerance),
    )


def _labels() -> dict[str, Any]:
    return _labels_for(get_language() or "")


@functools.cache
def _labels_for(language: str) -> dict[str, Any]:
    # Translated once per language: the labels are needed on every match evaluation.
    return {
        "kind_labels": {k: str(v) for k, v in ObjectKind.choices},
        "feature_labels": {k: str(v) for k, v in Feature.choices},
        "marketing_labels": {k: str(v) for k, v in MarketingType.choices},
    }


def _widened(value: float, tol: float, up: bool) -> Decimal:
    # The bound a profile's min/max must reach so that `value` is at least a near miss.
    bound = value / (1 + tol) if up else value / max(1e-9, 1 - tol)
    return Decimal(str(round(bound * (0.999999 if up else 1.000001), 2)))


# The matching queries are written by hand: they run on every page view, and building them with
# the ORM cost more than running them. Candidates come from the indexes in `spatial`; the table is
# then read by primary key only, whatever the planner's statistics say: on SQLite the candidate CTE
# is joined first (CROSS JOIN fixes the order), on PostgreSQL `id = ANY(ARRAY(...))` runs the
# candidate query once as an InitPlan and probes the primary key.

PROFILE_COLUMNS = ", ".join(f"p.{f}" for f in PROFILE_FIELDS)


PROPERTY_COLUMNS = ", ".join(f"p.{f}" for f in PROPERTY_FIELDS)


_JSON_FIELDS = {"object_kinds", "postal_codes", "cities", "features"}


@functools.lru_cache(maxsize=4096)
def _json_list(text: str) -> tuple[Any, ...]:
    # A few distinct lists ('["wohnung"]', a place's postal codes) stand in thousands of rows: each is
    # parsed once. A tuple, so no caller can change the cached value.
    return tuple(json.loads(text))


def _rows(sql: str, params: list[Any], fields: tuple[str, ...]) -> list[list[Any]]:
    """Rows of a hand-written matching query, as lists in the order of `fields` (JSON columns decoded
    on SQLite; PostgreSQL's driver decodes them)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = [list(row) for row in cursor.fetchall()]
    json_at = [i for i, key in enumerate(fields) if key in _JSON_FIELDS]
    for row in rows:
        for i in json_at:
            value = row[i]
            if isinstance(value, str):
                row[i] = _json_list(value) if value != "[]" else ()
    return rows


def _dec(value: float) -> Any:
    return connection.ops.adapt_decimalfield_value(Decimal(str(round(value, 2))), 14, 2)


def _by_candidates(table: str, columns: str, candidates: str) -> tuple[str, str]:
    """(head, first condition) of a query reading `table` only at the candidate ids."""
    if connection.vendor == "postgresql":
        return f"SELECT {columns} FROM {table} p ", f"p.id = ANY(ARRAY({candidates}))"  # noqa: S608
    return f"WITH c(id) AS ({candidates}) SELECT {columns} FROM c CROSS JOIN {table} p ", "p.id = c.id"  # noqa: S608


def profiles_for_property_facts(
    *, office_id: int, prop: PropertyFacts, tolerance: Tolerance, today: dt.date | None = None
) -> list[MatchResult]:
    """Ranked matches of active, valid profiles of the office for a property (plain facts).

    SQL narrows by location index (places, R*Tree/GiST), marketing type, validity and the must
    bounds (widened by the tolerance); Python then decides and explains each candidate.
    """
    today = today or timezone.localdate()
    bounds = {
        name: (_widened(value, tol, True), _widened(value, tol, False))
        for name, value, tol in (
            ("price", prop.price, tolerance.price),
            ("area", prop.living_area, tolerance.area),
        )
        if value is not None
    }
    candidates, params = spatial.profiles_wanting_sql(office_id=office_id, prop=prop)
    head, first = _by_candidates("properties_searchprofile", PROFILE_COLUMNS, candidates)
    where = [
        first, "p.office_id = %s", "p.active = %s", "p.marketing_type = %s",
        "(p.valid_until IS NULL OR p.valid_until >= %s)",
    ]  # fmt: skip
    params += [office_id, True, prop.marketing_type, connection.ops.adapt_datefield_value(today)]
    for name, low, high, must in (
        ("price", "price_min", "price_max", "price_must"),
        ("area", "living_area_min", "living_area_max", "living_area_must"),
    ):
        if name in bounds:
            where.append(
                f"(p.{must} = %s OR ((p.{high} IS NULL OR p.{high} >= %s) "
                f"AND (p.{low} IS NULL OR p.{low} <= %s)))"
            )
            params += [False, *bounds[name]]
    where.append("(p.object_kinds_must = %s OR p.object_kinds_mask = 0 OR (p.object_kinds_mask & %s) <> 0)")
    params += [False, KIND_BITS.get(prop.object_kind, 0)]
    sql = head + "WHERE " + " AND ".join(where)
    labels = _labels()
    return rank(
        evaluate(criteria_from_values(row), prop, tolerance, **labels)
        for row in _rows(sql, params, PROFILE_FIELDS)
    )


def properties_for_profile_criteria(
    *, office_id: int, profile: ProfileCriteria, tolerance: Tolerance, user: User | None = None
) -> list[MatchResult]:
    """Ranked matches of active properties (visible to `user`, if given) for a profile (plain criteria)."""
    # Must criteria ("{p}" is the table alias): checked inside the candidate query, whose radius
    # index carries these columns, and again on the rows read.
    must_where: list[str] = []
    must_params: list[Any] = []
    must = profile.must
    for column, low, high, tol, name in (
        ("match_price", profile.price_min, profile.price_max, tolerance.price, "price"),
        ("living_area", profile.living_area_min, profile.living_area_max, tolerance.area, "living_area"),
    ):
        if name in must and high is not None:
            must_where.append(f"({{p}}{column} IS NULL OR {{p}}{column} <= %s)")
            must_params.append(_dec(high * (1 + tol) + 0.01))
        if name in must and low is not None:
            must_where.append(f"({{p}}{column} IS NULL OR {{p}}{column} >= %s)")
            must_params.append(_dec(low * (1 - tol) - 0.01))
    if "object_kind" in must and profile.object_kinds:
        must_where.append(f"{{p}}object_kind IN ({', '.join(['%s'] * len(profile.object_kinds))})")
        must_params += list(profile.object_kinds)
    where = ["p.office_id = %s", "p.status = %s", "p.marketing_type = %s"]
    params: list[Any] = [office_id, Property.Status.ACTIVE, profile.marketing_type]
    area = spatial.properties_in_area_sql(
        office_id=office_id,
        profile=profile,
        status=Property.Status.ACTIVE,
        must=([c.format(p="") for c in must_where], must_params),
    )
    if area is not None:
        head, first = _by_candidates("properties_property", PROPERTY_COLUMNS, area[0])
        where.insert(0, first)
        params = [*area[1], *params]
    else:
        head = f"SELECT {PROPERTY_COLUMNS} FROM properties_property p "  # noqa: S608
    if user is not None and user.effective_role != "admin":
        # The one visibility rule, as a subquery (not a hand-written copy of it).
        visible_sql, visible_params = visible_properties(user).values("pk").query.sql_with_params()
        where.append(f"p.id IN ({visible_sql})")
        params += list(visible_params)
    where += [c.format(p="p.") for c in must_where]
    params += must_params
    sql = head + "WHERE " + " AND ".join(where)
    labels = _labels()
    return rank(
        evaluate(profile, facts_from_values(row), tolerance, **labels)
        for row in _rows(sql, params, PROPERTY_FIELDS)
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


def not_yet_offered_q() -> Q:
    """New matches whose contact has neither been offered the property nor declined it.

    A pair offered since it started to match (exposé sent, viewing, declined) is no longer news:
    the same rule as the match tabs (`_offer_states`)."""
    offered = Activity.objects.filter(
        type=Activity.Type.EXPOSE_SENT,
        contact_id=OuterRef("profile__contact_id"),
        property_id=OuterRef("property_id"),
    )
    linked = PropertyContact.objects.filter(
        role=PropertyContact.Role.PROSPECT,
        contact_id=OuterRef("profile__contact_id"),
        property_id=OuterRef("property_id"),
        interest_status__in=[*OFFERED_STATUSES, PropertyContact.InterestStatus.DECLINED],
    )
    return ~Q(Exists(offered)) & ~Q(Exists(linked))


def new_matches_for(*, user: User, limit: int = 20) -> QuerySet[NewMatch]:
    """Unseen new matches for the user (as responsible agent; administrators see all of the office)."""
    qs = (
        NewMatch.objects.filter(office=user.office_id, seen_at__isnull=True)
        .filter(not_yet_offered_q())
        .select_related("property", "profile", "profile__contact")
    )
    if user.effective_role != "admin":
        qs = qs.filter(Q(agent=user) | Q(agent__isnull=True))
    return qs.filter(property_visible_q(user))[:limit]


def notifications_for(*, user: User, limit: int = 20) -> QuerySet[AgentNotification]:
    qs = AgentNotification.objects.filter(office=user.office_id, done_at__isnull=True).select_related(
        "contact"
    )
    if user.effective_role != "admin":
        qs = qs.filter(Q(user=user) | Q(user__isnull=True))
    return qs[:limit]
