"""Record ids from query strings and form posts: garbage is "no id", never a 500."""

from __future__ import annotations

from collections.abc import Iterable

# Primary keys are 64-bit (BigAutoField); a larger number overflows the database driver.
MAX_ID = 2**63 - 1


def parse_id(value: object) -> int | None:
    """`value` as a record id, or None unless it is ASCII digits for a number in 1..MAX_ID.

    `str.isdigit()` alone is not enough: "²" is a digit to it but `int("²")` fails, and a
    20-digit number is refused by SQLite ("too large") and PostgreSQL ("out of range").
    """
    text = str(value if value is not None else "").strip()
    if not text or len(text) > 19 or not (text.isascii() and text.isdigit()):
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None


def parse_ids(values: Iterable[object]) -> list[int]:
    """The valid ids among `values`, in order, without repeats."""
    return list(dict.fromkeys(i for i in map(parse_id, values) if i is not None))
