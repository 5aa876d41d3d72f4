"""The office's pattern for new external ids (Kennung), e.g. "MW-{nr:04}" → MW-0021.

`{nr}` is the running number (`{nr:04}`: four digits, zero-padded), `{jahr}` the current year. Pure
functions over plain values; `selectors.kennung_suggest` feeds them the office's existing ids.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_LENGTH = 50  # Property.external_id
_NR_SPEC = re.compile(r"^0?[1-9]?$")


def _parts(pattern: str) -> list[tuple[str, str | None, str]]:
    try:
        return [
            (literal, name, spec or "") for literal, name, spec, _conv in string.Formatter().parse(pattern)
        ]
    except ValueError as exc:
        raise ValidationError(_("Unbalanced braces: write {nr} or {jahr}.")) from exc


def validate_pattern(pattern: str) -> None:
    """German errors for a pattern that cannot number properties."""
    parts = _parts(pattern)
    names = [name for _lit, name, _spec in parts if name is not None]
    if names.count("nr") != 1:
        raise ValidationError(_("The pattern needs the running number {nr} exactly once, e.g. MW-{nr:04}."))
    unknown = sorted({n for n in names if n not in {"nr", "jahr"}})
    if unknown:
        raise ValidationError(
            _("Unknown placeholder {%(name)s}: only {nr} and {jahr} are available.") % {"name": unknown[0]}
        )
    for _lit, name, spec in parts:
        if (name == "nr" and not _NR_SPEC.match(spec)) or (name == "jahr" and spec):
            raise ValidationError(_("Write the number as {nr} or with its digits as {nr:04}."))
    if len(render(pattern, 1, 2026)) > MAX_LENGTH - 3:
        raise ValidationError(_("The pattern is too long for an external id (at most 50 characters)."))


def render(pattern: str, nr: int, year: int) -> str:
    return pattern.format(nr=nr, jahr=year)


def _regex(pattern: str, year: int) -> re.Pattern[str]:
    out = ""
    for literal, name, _spec in _parts(pattern):
        out += re.escape(literal)
        if name == "nr":
            out += r"(\d+)"
        elif name == "jahr":
            out += str(year)
    return re.compile(f"^{out}$")


def literal_prefix(pattern: str) -> str:
    """The text before the first placeholder, to narrow the database look-up."""
    parts = _parts(pattern)
    return parts[0][0] if parts else ""


def suggest(pattern: str, existing: Iterable[str], year: int) -> str:
    """The next free id: one above the highest number already given out under this pattern."""
    taken = set(existing)
    regex = _regex(pattern, year)
    numbers = [int(m.group(1)) for m in map(regex.match, taken) if m]
    nr = max(numbers, default=0) + 1
    while render(pattern, nr, year) in taken:  # e.g. MW-21 typed by hand next to MW-0021
        nr += 1
    return render(pattern, nr, year)
