"""Shared API building blocks: strict input schemas, the page shape and ordering."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.errors import ValidationError
from ninja.pagination import PaginationBase
from pydantic import ConfigDict, field_validator
from pydantic_core import PydanticCustomError

from maklerwerk.core.dates import date_in_range, out_of_range_message
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.core.keyset import Cursor, cursor_decode, cursor_encode, keyset_page, order_key
from maklerwerk.core.pagination import count_capped

# Far beyond any office's record count; larger values overflow the database's OFFSET (a 500).
MAX_OFFSET = 1_000_000_000
# The database's integers (and ids) are 64-bit.
MAX_INT = 2**63 - 1


class InputSchema(Schema):
    """Base for request bodies: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _values_in_range(cls, value: Any) -> Any:
        # Every date and whole number in every request body, in one place: out-of-range values
        # would fail in the database (PostgreSQL and SQLite differently) instead of here.
        values = value if isinstance(value, list | tuple | set) else [value]
        if not all(date_in_range(v) for v in values):
            raise PydanticCustomError("date_out_of_range", out_of_range_message())
        if any(isinstance(v, int) and not isinstance(v, bool) and abs(v) > MAX_INT for v in values):
            raise PydanticCustomError("number_too_large", str(_("This number is too large.")))
        if _has_nul(value):  # PostgreSQL refuses it in text and JSON (SQLite would store it)
            raise PydanticCustomError("nul_character", str(_("The text contains a NUL character (\\0).")))
        return value


def _has_nul(value: Any, depth: int = 0) -> bool:
    """A NUL character in a string, a key or anything nested (JSON payloads)."""
    if isinstance(value, str):
        return "\x00" in value
    if depth > 50:
        return False
    if isinstance(value, dict):
        return any(_has_nul(k, depth + 1) or _has_nul(v, depth + 1) for k, v in value.items())
    if isinstance(value, list | tuple | set):
        return any(_has_nul(v, depth + 1) for v in value)
    return False


class Page(PaginationBase):
    """`?limit=&offset=` → `{"items": [...], "count": N, "count_exact": true, "limit": L, "offset": O,
    "next_offset": O2}`. `count` stops at `LIST_COUNT_CAP` (then `count_exact` is false); page on with
    `next_offset` until it is null (docs/api.md)."""

    class Input(Schema):
        limit: int = Field(50, ge=1, le=500, description="Page size (1 to 500)")
        offset: int = Field(0, ge=0, le=MAX_OFFSET, description="Number of records to skip")

    class Output(Schema):
        items: list[Any]
        count: int = Field(description="Number of records, exact up to LIST_COUNT_CAP (10,000)")
        count_exact: bool = Field(description="False when there are more than `count` records")
        limit: int
        offset: int
        next_offset: int | None = Field(description="Offset of the next page; null on the last page")

    items_attribute = "items"

    def paginate_queryset(  # type: ignore[override]  # Ninja passes an Input, typed Any there
        self, queryset: QuerySet[Any], pagination: Input, **params: Any
    ) -> dict[str, Any]:
        offset, limit = pagination.offset, pagination.limit
        # One row more than the page tells whether another page follows, without counting.
        rows = list(queryset[offset : offset + limit + 1])
        count, exact = count_capped(queryset)
        return {
            "items": rows[:limit],
            "count": count,
            "count_exact": exact,
            "limit": limit,
            "offset": offset,
            "next_offset": offset + limit if len(rows) > limit else None,
        }


@dataclass(frozen=True)
class Listing:
    """What an endpoint paged by `CursorPage` returns: the query a page is read from, the query that
    is counted (the two differ where a page walks an index that counting would walk to its end), and
    the query pages by `offset` read (sorting every match once is cheaper than skipping far on a walk)."""

    page: QuerySet[Any]
    count: QuerySet[Any]
    at_offset: QuerySet[Any]
    counter: Callable[[], tuple[int, bool]] | None = None  # instead of counting `count`


class CursorPage(Page):
    """`Page` plus `?cursor=`: `next_cursor` opens the next page as an index range of `limit` rows,
    however deep (an `offset` makes the database read and drop every row before it). docs/api.md."""

    class Input(Page.Input):
        cursor: str | None = Field(
            None, max_length=1000, description="`next_cursor` of the previous page (instead of `offset`)"
        )

    class Output(Page.Output):
        next_cursor: str | None = Field(description="Cursor of the next page; null on the last page")

    def paginate_queryset(  # type: ignore[override]  # Ninja passes an Input, typed Any there
        self, queryset: "Listing | QuerySet[Any]", pagination: Input, **params: Any
    ) -> dict[str, Any]:
        listing = queryset if isinstance(queryset, Listing) else Listing(queryset, queryset, queryset)
        limit, keyed = pagination.limit, order_key(listing.page) is not None
        following: Cursor | None = None
        if pagination.cursor is not None:
            if not keyed:
                raise ApplicationError(_("A cursor pages a list sorted by one field only."))
            page = keyset_page(listing.page, cursor_decode(pagination.cursor, listing.page), limit)
            rows, offset, following, has_next = page.rows, page.offset, page.next, page.next is not None
        elif pagination.offset == 0 and keyed:
            page = keyset_page(listing.page, None, limit)
            rows, offset, following, has_next = page.rows, 0, page.next, page.next is not None
        else:
            offset = pagination.offset
            rows = list(listing.at_offset[offset : offset + limit + 1])
            has_next, key = len(rows) > limit, order_key(listing.at_offset)
            rows = rows[:limit]
            if has_next and key:  # from here on the client can page by cursor
                following = Cursor(getattr(rows[-1], key[0]), rows[-1].pk, offset + limit)
        count, exact = listing.counter() if listing.counter else count_capped(listing.count)
        return {
            "items": rows,
            "count": count,
            "count_exact": exact,
            "limit": limit,
            "offset": offset,
            "next_offset": offset + len(rows) if has_next else None,
            "next_cursor": cursor_encode(following) if following else None,
        }


def apply_ordering(
    queryset: QuerySet[Any], ordering: str | None, allowed: dict[str, str], default: str
) -> QuerySet[Any]:
    """`?ordering=field` or `-field`, comma-separated; only names in `allowed` (API name → ORM path)."""
    keys: list[str] = []
    for raw in (ordering or default).split(","):
        name = raw.strip()
        if not name:
            continue
        desc = name.startswith("-")
        field = allowed.get(name.lstrip("-"))
        if field is None:
            choices = ", ".join(sorted(allowed))
            raise ValidationError(
                [
                    {
                        "loc": ["query", "ordering"],
                        "msg": f"Unknown ordering '{name}'; use one of: {choices}",
                        "type": "invalid_ordering",
                    }
                ]
            )
        keys.append(f"-{field}" if desc else field)
    return queryset.order_by(*keys, "-pk" if keys and keys[0].startswith("-") else "pk")
