"""Keyset (cursor) paging: a page starts after the last row of the previous one, not after N rows.

`OFFSET 9950` makes the database read and throw away 9,950 rows; a cursor holds the sort value and
id of the row the page starts after, so every page, the last one too, is an index range of `limit`
rows. It works on a queryset ordered by one field and the primary key in the same direction (what
`contacts.selectors.contact_list` and `api.schemas.apply_ordering` with one field produce).

NULLs sort where each database's B-tree keeps them (largest on PostgreSQL, smallest on SQLite), so
the order of a cursor's pages is the order of the same query without a cursor, on each database,
and a page after a NULL is still an index range: the NULLs are a second range read only when the
first one runs out.

A list whose rows are the union of a few conditions (a search matching a name, a company or a city)
can say so (`parted`): a page then reads the first rows of each part in the list's order, each an
index range or a short sort of that part's own rows, and merges them, instead of walking the order's
index past every contact the search does not match.

A cursor is an opaque URL-safe string: base64 of JSON `[value, pk, offset, backward]`. `offset` is
the position of the page's first row, so `offset`/`next_offset` stay true while paging by cursor.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from maklerwerk.core.exceptions import ApplicationError


class PartedQuerySet(QuerySet[Any]):
    """A queryset whose rows are the union of its rows under each of `parts` (conditions on the same
    model): `keyset_page` reads each part's page in the list's order and merges them. Everything
    else (slicing, counting, iterating) reads the queryset itself, which holds every row."""

    parts: tuple[Q, ...] = ()

    def _clone(self) -> PartedQuerySet:
        # Every derived queryset (filter, order_by, prefetch_related) comes from `_clone`.
        clone: PartedQuerySet = super()._clone()  # type: ignore[misc]  # Django's, not in its stubs
        clone.parts = self.parts
        return clone


def parted(qs: QuerySet[Any], parts: list[Q]) -> PartedQuerySet:
    """`qs` (not yet sliced or prefetched) whose rows `keyset_page` reads as the union of `parts`;
    every row of `qs` must satisfy at least one part."""
    out = PartedQuerySet(model=qs.model, query=qs.query.chain(), using=qs.db)
    out.parts = tuple(parts)
    return out


@dataclass(frozen=True)
class Cursor:
    value: Any  # the sort value of the row the page starts after (before, when backward)
    pk: int
    offset: int  # the position of the page's first row in the whole list
    backward: bool = False  # a "previous page" cursor: the page ends before this row


@dataclass(frozen=True)
class KeysetPage:
    rows: list[Any]
    offset: int
    next: Cursor | None  # None on the last page
    previous: Cursor | None  # None on the first page


def order_key(qs: QuerySet[Any]) -> tuple[str, bool] | None:
    """(field, descending) when `qs` is ordered by one field and then pk the same way, else None."""
    order = [str(o) for o in qs.query.order_by]
    if len(order) != 2 or order[1].lstrip("-") not in ("pk", "id"):
        return None
    desc = order[0].startswith("-")
    if order[1].startswith("-") != desc or order[0].lstrip("-") in ("pk", "id", "?"):
        return None
    return order[0].lstrip("-"), desc


def cursor_encode(cursor: Cursor) -> str:
    value = cursor.value.isoformat() if hasattr(cursor.value, "isoformat") else cursor.value
    raw = json.dumps([value, cursor.pk, cursor.offset, cursor.backward], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def cursor_decode(text: str, qs: QuerySet[Any]) -> Cursor:
    """The cursor in `text` for a list like `qs`; a German error for anything else."""
    key = order_key(qs)
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        value, pk, offset, backward = json.loads(raw)
        if key is None or not isinstance(pk, int) or not isinstance(offset, int) or not 0 <= offset < 2**62:
            raise ValueError(text)
        if abs(pk) >= 2**63 or (isinstance(value, str) and "\x00" in value):  # the database would fail
            raise ValueError(text)
        field = qs.model._meta.get_field(key[0])
        value = None if value is None else field.to_python(value)
        return Cursor(value, pk, offset, bool(backward))
    except (ValueError, TypeError, binascii.Error, ValidationError) as exc:  # JSON and Unicode errors too
        raise ApplicationError(
            _("This page link is no longer valid (the list's order changed). Start from the first page.")
        ) from exc


def _ranges(field: str, walk_desc: bool, value: Any, pk: int) -> tuple[Q, Q | None]:
    """The rows after (value, pk) in walk order: a first index range, and the NULL (or non-NULL) rows
    that follow it in that order, read only when the first runs short."""
    nulls_first_in_walk = connection.features.nulls_order_largest == walk_desc
    beyond, past_pk = ("lt", "lt") if walk_desc else ("gt", "gt")
    if value is None:
        first = Q(**{f"{field}__isnull": True, f"pk__{past_pk}": pk})
        return first, (Q(**{f"{field}__isnull": False}) if nulls_first_in_walk else None)
    reach = "lte" if walk_desc else "gte"
    # `field >= v AND (field > v OR pk > id)`: the first part is the index range's start, the second
    # drops the few rows with the same value up to the cursor's row.
    after_ties = Q(**{f"{field}__{beyond}": value}) | Q(**{f"pk__{past_pk}": pk})
    first = Q(**{f"{field}__{reach}": value}) & after_ties
    return first, (None if nulls_first_in_walk else Q(**{f"{field}__isnull": True}))


def _read(walk: QuerySet[Any], condition: Q | None, count: int, field: str, walk_desc: bool) -> list[Any]:
    """The first `count` rows of `walk` (in its order) that satisfy `condition`. For a parted
    queryset: the sort keys of the first `count` of each part, merged (duplicates once) and cut to
    `count`, then those rows in one query (with what the list prefetches, once)."""
    parts = getattr(walk, "parts", ())
    if not parts:
        return list((walk if condition is None else walk.filter(condition))[:count])
    keys = walk.select_related(None).prefetch_related(None).values_list(field, "pk")
    found: set[tuple[Any, Any]] = set()
    for part in parts:
        found.update(keys.filter(part if condition is None else part & condition)[:count])
    # The database's order in Python: key columns compare by bytes there (C collation), as str does.
    nulls_last = connection.features.nulls_order_largest
    chosen = sorted(found, key=lambda k: ((k[0] is None) == nulls_last, k[0], k[1]), reverse=walk_desc)[
        :count
    ]
    rows = walk.in_bulk([pk for _value, pk in chosen]) if chosen else {}
    return [rows[pk] for _value, pk in chosen if pk in rows]


def keyset_page(qs: QuerySet[Any], cursor: Cursor | None, limit: int) -> KeysetPage:
    """The page of `qs` that `cursor` opens (the first page without one): at most `limit` rows."""
    key = order_key(qs)
    if key is None:
        raise ValueError("keyset paging needs an order by one field and pk")
    field, desc = key
    if cursor is None:
        rows = _read(qs, None, limit + 1, field, desc)
        offset, more, backward = 0, len(rows) > limit, False
    else:
        backward = cursor.backward
        walk_desc = desc != backward
        walk = qs.order_by(f"-{field}" if walk_desc else field, "-pk" if walk_desc else "pk")
        first, then = _ranges(field, walk_desc, cursor.value, cursor.pk)
        rows = _read(walk, first, limit + 1, field, walk_desc)
        if len(rows) <= limit and then is not None:
            rows += _read(walk, then, limit + 1 - len(rows), field, walk_desc)
        more = len(rows) > limit
        offset = max(0, cursor.offset - limit) if backward else cursor.offset
    rows = rows[:limit]
    if backward:
        rows.reverse()
        # Walking back from page 3 lands on page 2 whatever was inserted; only the first page has
        # nothing before it.
        has_next, has_previous = True, more
    else:
        has_next, has_previous = more, cursor is not None and cursor.offset > 0
    if backward and not more:
        offset = 0
    next_cursor = (
        Cursor(getattr(rows[-1], field), rows[-1].pk, offset + len(rows)) if has_next and rows else None
    )
    previous = (
        Cursor(getattr(rows[0], field), rows[0].pk, offset, backward=True) if has_previous and rows else None
    )
    return KeysetPage(rows, offset, next_cursor, previous)
