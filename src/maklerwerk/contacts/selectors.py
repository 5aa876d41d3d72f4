"""Reads for contacts, always scoped to the requesting user's office.

Search strategy (fast at 100,000 contacts on SQLite and PostgreSQL, no full scans):
- names, company and city are matched by *prefix* on folded key columns (`name_key`, ...) that
  have an (office, key, id) index; a prefix is an index range `key >= q AND key < q'`;
- a phone-like query is normalised to an E.164 prefix and matched on the indexed E.164 column;
- a query with "@" is an e-mail prefix on the indexed lower-case column;
- further words narrow the result of the first.
Sorting uses the same key columns, so the first page of a sorted list is an index walk.

A page of a search (`paged=True`) costs what the page costs, not what the matches cost: a search
with up to `SORT_AT_MOST` matches takes their ids from the index ranges and sorts those. A more
common one walks the order's index on PostgreSQL (its planner chooses), and on SQLite is read in
parts, merged in the list's order (`core.keyset.parted`, `_parts`): the word's
range on the order's own key is an index range in that order ("Mül" by name: the first 51 Müllers,
however many there are); the other fields' matches, when few, are looked up by id and sorted
(the 2,500 "Müller Bau" companies of a million contacts); when many ("Sch" is a tenth of an
office: 100,000 contacts at a million), one walk of the order's index keeps the rows they match,
about `limit / share` rows whatever the office's size.
The count (`contact_count`) reads the index ranges and stops past the cap (under it, it is exact and
reads every match).
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connection, models
from django.db.models import Func, Q, QuerySet
from django.db.models.functions import Coalesce
from django.http import Http404

from maklerwerk.contacts.models import (
    Contact,
    ContactEmail,
    ContactFile,
    ContactPhone,
    ContactRole,
    ContactTag,
    Relationship,
    Role,
    Tag,
)
from maklerwerk.contacts.normalize import phone_search_prefix, prefix_upper_bound, search_key
from maklerwerk.core.ids import parse_id
from maklerwerk.core.keyset import keyset_page, parted
from maklerwerk.core.pagination import count_capped

if TYPE_CHECKING:
    from maklerwerk.accounts.models import User

# Public sort names (list columns, API `ordering`) → ORM field.
ORDERINGS = {
    "name": "name_key",
    "company": "company_key",
    "city": "city_key",
    "last_activity": "last_activity_at",
    "created": "created_at",
}


# A search with at most this many matches sorts them; one with more is read in parts (`_parts`), and
# a field with more than this many matches is walked on the order's index. Sorting M matches reads M
# rows, walking reads about limit × office / M: at a million contacts the two meet near M = 7,000
# (limit 50), and 5,000 keeps a rare search off the walk at the sizes offices have.
SORT_AT_MOST = 5000


def _prefix(field: str, prefix: str) -> Q:
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": prefix_upper_bound(prefix)})


def _term_ids(term: str, office_id: int | None) -> QuerySet[Any]:
    """Ids of the office's contacts matching one search word: a UNION of index ranges, each scoped
    to the office, so the database reads only the matching index entries (never the whole table)."""
    if "@" in term:
        key = term.strip().lower()
        return (
            ContactEmail.objects.filter(_prefix("value_normalized", key), office=office_id)
            .order_by()
            .values("contact_id")
        )
    phone = phone_search_prefix(term)
    if phone:
        phones = ContactPhone.objects.filter(_prefix("value", phone), office=office_id)
        return phones.order_by().values("contact_id")
    key = search_key(term)
    office = Contact.objects.filter(office=office_id).order_by()
    branches = [
        office.filter(_prefix(field, key)).values("pk")
        for field in ("first_name_key", "company_key", "city_key")
    ]
    emails = ContactEmail.objects.filter(
        _prefix("value_normalized", term.strip().lower()), office=office_id
    ).order_by()
    return (
        office.filter(_prefix("name_key", key))
        .values("pk")
        .union(*branches, emails.values("contact_id"), all=True)
    )


class _Unindexed(Func):
    """A column's value that SQLite's planner cannot serve from an index (unary `+`), so a page of a
    common search walks the index of the requested order and filters, instead of collecting every
    match through the prefix indexes (MULTI-INDEX OR) and sorting them. PostgreSQL chooses between
    the two by its statistics."""

    template = "%(expressions)s"

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, template="+%(expressions)s", **extra)


def _term_rows(term: str, office_id: int | None) -> Q:
    """The contacts one search word matches as a condition on the contact row itself (the e-mail and
    phone branches as subqueries), for walking an index in another order than the search's."""
    if "@" in term or phone_search_prefix(term):
        return Q(_unindexed_pk__in=_term_ids(term, office_id))
    key = search_key(term)
    emails = ContactEmail.objects.filter(_prefix("value_normalized", term.strip().lower()), office=office_id)
    return (
        _prefix("_unindexed_name", key)
        | _prefix("_unindexed_first", key)
        | _prefix("_unindexed_company", key)
        | _prefix("_unindexed_city", key)
        | Q(_unindexed_pk__in=emails.order_by().values("contact_id"))
    )


_UNINDEXED = {
    "_unindexed_name": "name_key",
    "_unindexed_first": "first_name_key",
    "_unindexed_company": "company_key",
    "_unindexed_city": "city_key",
    "_unindexed_pk": "id",
}
_UNINDEXED_OF = {field: alias for alias, field in _UNINDEXED.items()}


def _first_term(
    term: str, office_id: int | None, paged: bool, entries: int | None, order_field: str
) -> QuerySet[Contact]:
    """The office's contacts the first search word matches; for a page, in the cheapest form;
    `entries`: only those among the first so many index entries (for a bounded count)."""
    if not paged:
        # Every branch of the union is scoped to the office; an extra office filter out here would
        # tempt SQLite to walk the whole sort index instead of looking up the few matching ids.
        ids = _term_ids(term, office_id)
        return Contact.objects.filter(pk__in=ids if entries is None else ids[:entries])
    matches = _term_ids(term, office_id)
    if matches[: SORT_AT_MOST + 1].count() <= SORT_AT_MOST:  # counted in the database, index only
        return Contact.objects.filter(pk__in={next(iter(row.values())) for row in matches})
    columns = {
        alias: _Unindexed(
            field, output_field=models.BigIntegerField() if field == "id" else models.CharField()
        )
        for alias, field in _UNINDEXED.items()
    }
    walk = Contact.objects.alias(**columns).filter(_term_rows(term, office_id), office=office_id)
    if "@" in term or phone_search_prefix(term) or connection.vendor != "sqlite":
        # PostgreSQL chooses between walking and sorting by its statistics, and does better alone
        # (at a million contacts "Mül" read in parts took 280 ms at p95 against 175 ms).
        return walk
    return parted(walk, _parts(term, office_id, order_field))


_KEY_FIELDS = ("name_key", "first_name_key", "company_key", "city_key")


def _parts(term: str, office_id: int | None, order_field: str) -> list[Q]:
    """The parts a page of a common word search merges (`core.keyset.parted`): the word's range on
    the list's own sort key (an index range in the list's order, however many it holds), and for the
    other fields either their ids, when they have few matches (looked up and sorted), or else one
    walk of the order's index keeping the rows any of them matches (short, as they are common).

    A range on another field would be sorted whole: SQLite prefers that to a walk whatever its size
    (without STAT4 it cannot tell 2,000 matches from 200,000), hence ids or the unindexed walk."""
    key = search_key(term)
    emails = ContactEmail.objects.filter(_prefix("value_normalized", term.strip().lower()), office=office_id)
    others = [field for field in _KEY_FIELDS if field != order_field]
    branches: list[QuerySet[Any, tuple[int]]] = [
        Contact.objects.filter(_prefix(field, key), office=office_id).order_by().values_list("pk")
        for field in others
    ]
    branches.append(emails.order_by().values_list("contact_id"))
    own = [_prefix(order_field, key)] if order_field in _KEY_FIELDS else []
    few: list[QuerySet[Any, tuple[int]]] = []
    total = 0
    for matches in branches:
        found = matches[: SORT_AT_MOST + 1].count()  # counted in the database, index only
        total += found
        if total > SORT_AT_MOST:
            walked = [_prefix(_UNINDEXED_OF[field], key) for field in others]
            walked.append(Q(_unindexed_pk__in=emails.order_by().values("contact_id")))
            return [*own, functools.reduce(operator.or_, walked)]
        if found:
            few.append(matches)
    if not few:
        return own or [Q(pk__in=[])]
    # `id IN (subquery)`: SQLite looks the ids up by primary key and sorts them (it expects a
    # subquery to be short, which these are).
    return [*own, Q(pk__in=few[0].union(*few[1:], all=True) if len(few) > 1 else few[0])]


def _split_query(search: str) -> list[str]:
    """Words of a search; a phone number typed with spaces stays one term."""
    search = search.strip()
    if phone_search_prefix(search):
        return [search]
    return [w for w in search.replace(",", " ").split() if w][:5]


def contact_list(
    *,
    user: User,
    search: str | None = None,
    role: str | None = None,
    tag: str | int | None = None,
    responsible_agent_id: int | None = None,
    ids: list[int] | None = None,
    ordering: str | None = None,
    include_restricted: bool | None = None,
    paged: bool = False,
    _entries: int | None = None,
) -> QuerySet[Contact]:
    """The office's contacts, filtered and sorted (`ordering`: a key of ORDERINGS, "-" for descending).

    `paged`: the query is for a page (a slice or `core.keyset`), not for counting or reading it all;
    a common search then reads its parts in the list's order (see the module's doc): page it with
    `core.keyset.keyset_page` (or `contact_first`), which merges them (a slice walks the order's index).

    Restricted contacts (Art. 18 DSGVO, "Kontakt gesperrt") are left out of lists and searches;
    asked for by id (a detail page, a selection) they are included unless `include_restricted` is False."""
    office_id = user.office_id
    name = (ordering or "name").lstrip("-")
    field = ORDERINGS.get(name, "name_key")
    desc = (ordering or "").startswith("-")
    terms = _split_query(search or "")
    if terms and search_key(terms[0]):
        qs = _first_term(terms[0], office_id, paged, _entries, field)
        for term in terms[1:]:
            key = search_key(term)
            qs = qs.filter(
                Q(name_key__contains=key)
                | Q(first_name_key__startswith=key)
                | Q(company_key__contains=key)
                | Q(city_key__startswith=key)
            )
    else:
        qs = Contact.objects.filter(office=office_id)
    if role:
        qs = qs.filter(pk__in=ContactRole.objects.filter(office=office_id, role=role).values("contact_id"))
    if tag:
        tag_id = parse_id(tag)
        tag_q = Q(tag_id=tag_id) if tag_id is not None else Q(tag__name__iexact=str(tag))
        qs = qs.filter(pk__in=ContactTag.objects.filter(tag_q, office=office_id).values("contact_id"))
    if responsible_agent_id:
        qs = qs.filter(responsible_agent_id=responsible_agent_id)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    if not (ids is not None if include_restricted is None else include_restricted):
        qs = qs.filter(restricted=False)
    return qs.order_by(f"-{field}" if desc else field, "-pk" if desc else "pk")


def contact_count(*, user: User, search: str | None = None, **filters: Any) -> tuple[int, bool]:
    """(count, exact) of `contact_list(user=, search=, **filters)`, stopped at LIST_COUNT_CAP.

    A search's ids come from a UNION of index ranges; `id IN (union)` makes the database collect
    the whole union first (300,000 entries for "a" in a million contacts), so the count looks at the
    union's first entries only: up to the cap it counts them all, above it, a quarter more than the
    cap (a contact can match twice, a filter can drop some) is enough to say "mehr als 10.000". Only
    when that falls short (a filter keeps few of very many matches) does it count them all."""
    cap = settings.LIST_COUNT_CAP
    whole = contact_list(user=user, search=search, **filters)
    terms = _split_query(search or "")
    if not (terms and search_key(terms[0])):
        return count_capped(whole, cap)
    if _term_ids(terms[0], user.office_id)[: cap + 1].count() <= cap:  # the UNION ALL stops at the limit
        return count_capped(whole, cap)
    _count, exact = count_capped(
        contact_list(user=user, search=search, _entries=(cap + 1) * 5 // 4, **filters), cap
    )
    return (cap, False) if not exact else count_capped(whole, cap)


def contact_list_page(qs: QuerySet[Contact]) -> QuerySet[Contact]:
    """What a list page shows: e-mails, phones, roles and tags come in four queries for the page."""
    return qs.select_related("responsible_agent").prefetch_related("emails", "phones", "roles", "tags")


def contact_get(*, user: User, pk: int) -> Contact:
    """A contact of the user's office; another office's contact is not found (404)."""
    try:
        return Contact.objects.select_related("responsible_agent", "created_by").get(
            pk=pk, office=user.office_id
        )
    except (Contact.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def contact_file_get(*, user: User, contact_id: int, pk: int) -> ContactFile:
    try:
        return ContactFile.objects.select_related("contact").get(
            pk=pk, contact_id=contact_id, office=user.office_id
        )
    except ContactFile.DoesNotExist as exc:
        raise Http404 from exc


@dataclass(frozen=True)
class RelatedPerson:
    relationship: Relationship
    other: Contact
    label: str  # how `other` is labelled on the page of the contact we look from


def contact_relationships(contact: Contact) -> list[RelatedPerson]:
    """Relationships seen from `contact`: both directions, each with the right label."""
    rels = Relationship.objects.filter(
        Q(from_contact=contact) | Q(to_contact=contact), office_id=contact.office_id
    ).select_related("from_contact", "to_contact")
    people = []
    for rel in rels:
        other = rel.to_contact if rel.from_contact_id == contact.pk else rel.from_contact
        people.append(RelatedPerson(rel, other, rel.label_for(contact.pk)))
    return sorted(people, key=lambda p: (p.other.name_key, p.other.pk))


def relationship_get(*, user: User, contact_id: int, pk: int) -> Relationship:
    try:
        return Relationship.objects.select_related("from_contact", "to_contact").get(
            Q(from_contact_id=contact_id) | Q(to_contact_id=contact_id), pk=pk, office=user.office_id
        )
    except Relationship.DoesNotExist as exc:
        raise Http404 from exc


def tag_list(*, user: User) -> QuerySet[Tag]:
    return Tag.objects.filter(office=user.office_id).order_by("name")


def contact_choices(*, user: User, search: str, exclude_id: int | None = None, limit: int = 20) -> list[Any]:
    """A few contacts for a picker (relationships), by the same indexed search."""
    qs = contact_list(user=user, search=search, paged=True)
    if exclude_id:
        qs = qs.exclude(pk=exclude_id)
    return contact_first(qs, limit)


def contact_first(qs: QuerySet[Contact], limit: int) -> list[Contact]:
    """The first `limit` contacts of a list from `contact_list(paged=True)` (a common search's page
    reads the parts it merges, see `_parts`)."""
    return keyset_page(qs, None, limit).rows


def contact_by_email(*, office_id: int, email: str) -> Contact | None:
    """The office's contact with this e-mail address (oldest first), for mail intake; None if none."""
    email = (email or "").strip().lower()
    if not email:
        return None
    row = (
        ContactEmail.objects.filter(office_id=office_id, value_normalized=email)
        .select_related("contact")
        .order_by("contact_id")
        .first()
    )
    return row.contact if row else None


def contact_ids_by_email(*, office_id: int, emails: list[str]) -> dict[str, int]:
    """`contact_by_email` for many addresses in one query: lower-case e-mail -> the oldest contact's id."""
    wanted = {e.strip().lower() for e in emails if e and e.strip()}
    found: dict[str, int] = {}
    if not wanted:
        return found
    rows = (
        ContactEmail.objects.filter(office_id=office_id, value_normalized__in=wanted)
        .order_by("-contact_id")
        .values_list("value_normalized", "contact_id")
    )
    for value, contact_id in rows:  # newest first, so the oldest contact stays
        found[value] = contact_id
    return found


def demo_contact_ids(*, office_id: int, limit: int) -> list[int]:
    """The office's first contacts (by id), for demo data of other apps."""
    return list(
        Contact.objects.filter(office_id=office_id).order_by("pk").values_list("pk", flat=True)[:limit]
    )


def contact_processing_allowed(contact_id: int | None) -> bool:
    """False for a restricted contact (Art. 18 DSGVO) or one marked "Kontakt sperren": no mail, no
    mailing, no new work reaches them. Mail paths ask this before they send."""
    if contact_id is None:
        return True
    return not Contact.objects.filter(pk=contact_id, restricted=True).exists()


def restricted_contacts(*, user: User) -> QuerySet[Contact]:
    """The office's restricted contacts, the hold that ends first at the top (for the privacy page)."""
    return Contact.objects.filter(office=user.office_id, restricted=True).order_by(
        models.F("restricted_until").asc(nulls_last=True), "pk"
    )


def contacts_for_sync(
    *, office_id: int, ids: list[int] | None = None, responsible_id: int | None = None, tag_name: str = ""
) -> QuerySet[Contact]:
    """Contacts an address book sync covers (davsync): by id, by responsible agent or by tag, with
    the lists a vCard needs prefetched."""
    qs = Contact.objects.filter(office_id=office_id)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    if responsible_id is not None:
        qs = qs.filter(responsible_agent_id=responsible_id)
    if tag_name:
        qs = qs.filter(tags__name__iexact=tag_name)
    return qs.prefetch_related("emails", "phones", "tags").order_by("pk")


# Roles that mean a deal or contract exists: such a contact is never an "inactive prospect".
DEAL_ROLES = (Role.OWNER, Role.BUYER, Role.TENANT, Role.MANAGER)


def inactive_prospects(*, office_id: int, inactive_since: dt.datetime) -> QuerySet[Contact]:
    """Prospects of the office without a deal role and without any activity since `inactive_since`
    (their last activity, or their creation when they never had one); restricted ones are left out.
    For the deletion of inactive prospects (privacy app), the longest inactive first."""
    last = Coalesce("last_activity_at", "created_at")
    return (
        Contact.objects.filter(office_id=office_id, restricted=False, roles__role=Role.PROSPECT)
        .exclude(roles__role__in=DEAL_ROLES)
        .annotate(last_seen=last)
        .filter(last_seen__lt=inactive_since)
        .order_by("last_seen", "pk")
        .distinct()
    )
