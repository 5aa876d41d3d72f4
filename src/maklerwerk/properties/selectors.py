"""Reads for properties, their contact roles, the Kennung and the office's property settings. Every
selector takes the requesting user and scopes by office (another office's record is a 404) and by
property visibility, which is decided here for every app."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Field, Q, QuerySet
from django.db.models.functions import Lower
from django.http import Http404
from django.utils import timezone

from maklerwerk.contacts.models import Contact
from maklerwerk.core.registry import Registry
from maklerwerk.properties import kennung
from maklerwerk.properties.models import (
    MatchSettings,
    Property,
    PropertyContact,
)

if TYPE_CHECKING:
    from maklerwerk.accounts.models import User
    from maklerwerk.contacts.models import Contact


# --- visibility -----------------------------------------------------------------------------------
# The one place that decides "may this user see this property" for every app: the property's own
# pages, and everything hanging off a property (share links and their files, activities, exposés,
# offers, inquiries, tasks, matches). The rule itself is `PropertyQuerySet.visible_to`; other apps
# use these helpers, never their own copy. A property the user may not see is a 404, like another
# office's record.


def visible_properties(user: User | Any) -> QuerySet[Property]:
    """The properties of the user's office that `user` may see."""
    return Property.objects.filter(office=getattr(user, "office_id", None)).visible_to(user)


def property_visible_q(user: User | Any, field: str = "property") -> Q:
    """Rows whose property (reached through `field`) the user may see; rows without a property pass.

    Office scoping stays with the caller (filter by `office_id` as usual).
    """
    if getattr(user, "effective_role", None) == "admin":
        return Q()
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__in": visible_properties(user).values("pk")})


def property_hidden_q(user: User | Any, field: str = "property") -> Q:
    """Rows touching (through `field`, also across a to-many relation) a property hidden from `user`.

    For `.exclude()`: e.g. an offer is hidden when any of its recipients is about such a property.
    """
    if getattr(user, "effective_role", None) == "admin":
        return Q(pk__in=[])
    hidden = Property.objects.filter(office=getattr(user, "office_id", None)).exclude(
        pk__in=visible_properties(user).values("pk")
    )
    return Q(**{f"{field}__in": hidden.values("pk")})


def property_visible(user: User | Any, property_id: int | None) -> bool:
    """May `user` see the property with this id? (False for unknown ids and other offices)"""
    if property_id is None:
        return False
    try:
        return visible_properties(user).filter(pk=int(property_id)).exists()
    except (TypeError, ValueError):
        return False


def require_property_visible(user: User | Any, property_id: int | None) -> None:
    """404 unless `user` may see the property (for rows that hang off it)."""
    if property_id is not None and not property_visible(user, property_id):
        raise Http404


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
    qs = visible_properties(user).select_related("responsible_agent")
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
        return visible_properties(user).select_related("responsible_agent").get(pk=pk)
    except (Property.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def property_is_marketable_for(*, user: User, property_id: int) -> bool:
    """Is the property in active marketing and visible to `user`? (used by the inquiry manager)"""
    return visible_properties(user).filter(pk=property_id, status=Property.Status.ACTIVE).exists()


def property_by_reference(*, office_id: int, external_id: str) -> Property | None:
    """The office's property with this Kennung (any case), for mail and form intake; None if unknown."""
    external_id = (external_id or "").strip()
    if not external_id:
        return None
    return Property.objects.filter(office_id=office_id, external_id__iexact=external_id).first()


def properties_by_reference(*, office_id: int, external_ids: list[str]) -> dict[str, Property]:
    """`property_by_reference` for many Kennungen in one query, keyed by the lower-case Kennung."""
    wanted = {e.strip().lower() for e in external_ids if e and e.strip()}
    if not wanted:
        return {}
    rows = Property.objects.annotate(ref=Lower("external_id")).filter(office_id=office_id, ref__in=wanted)
    found: dict[str, Property] = {}
    for row in rows.order_by("-pk"):  # the first match of property_by_reference stays
        found[row.external_id.lower()] = row
    return found


def prospect_link_get(*, property_id: int, contact_id: int) -> PropertyContact | None:
    """The contact's prospect role on the property, if there is one."""
    return PropertyContact.objects.filter(
        property_id=property_id, contact_id=contact_id, role=PropertyContact.Role.PROSPECT
    ).first()


def contact_roles(*, user: User, contact_id: int) -> QuerySet[PropertyContact]:
    """The contact's roles on properties the user may see, with the property."""
    return PropertyContact.objects.filter(
        contact_id=contact_id, property__in=visible_properties(user)
    ).select_related("property")


def property_contacts(*, prop: Property) -> QuerySet[PropertyContact]:
    return prop.contact_roles.select_related("contact").order_by("role", "contact__last_name", "pk")


# --- contacts -------------------------------------------------------------------------------------


def contact_get(*, user: User, pk: int) -> Contact:

    try:
        return Contact.objects.get(pk=pk, office=user.office_id)
    except (Contact.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


# --- external ids (Kennung) -----------------------------------------------------------------------


def kennung_pattern_for(office_id: int) -> str:
    pattern = (
        MatchSettings.objects.filter(office_id=office_id).values_list("kennung_pattern", flat=True).first()
    )
    return pattern or str(MatchSettings._meta.get_field("kennung_pattern").default)


def kennung_suggest(*, office_id: int) -> str:
    """The next external id by the office's pattern (MW-0021), unique in the office."""
    pattern = kennung_pattern_for(office_id)
    existing = Property.objects.filter(
        office_id=office_id, external_id__startswith=kennung.literal_prefix(pattern)
    ).values_list("external_id", flat=True)
    return kennung.suggest(pattern, existing, timezone.localdate().year)


@dataclass(frozen=True)
class PublishRecord:
    """Where a property is published, contributed by the app that publishes (registered in ready()):
    `listings(office_id, property_id)` names each place ("ImmoScout24 123456")."""

    key: str
    listings: Callable[[int, int], list[str]]
    order: int = 100


# Properties cannot import the publishing apps (they build on properties): they register here.
PUBLISH_RECORDS: Registry[PublishRecord] = Registry("publish records")


def kennung_locked_by(*, prop: Property) -> list[str]:
    """Where the property is published: portals and their inquiries know it by its Kennung, so it
    no longer changes. The portal listings are the publish record we have today."""
    return [place for record in PUBLISH_RECORDS for place in record.listings(prop.office_id, prop.pk)]


def match_settings_get(office_id: int) -> MatchSettings | None:
    """The office's property settings (near-miss tolerances, Kennung pattern), if it has any."""
    return MatchSettings.objects.filter(office_id=office_id).first()


def property_value_fits(name: str, value: object) -> bool:
    """Whether `value` can go into the Property field `name` as it is (a known field; one of its
    choices where it has any): importers drop what does not fit instead of failing the record."""
    try:
        field = Property._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    if not isinstance(field, Field):  # a reverse relation, not a value of the property
        return False
    if field.choices:
        return value in {key for key, _label in field.flatchoices}
    return True
