"""Countries as people read them ("Deutschland"), stored as ISO 3166-1 codes (pycountry's data).

Contacts keep alpha-2 ("DE", as addresses and phone numbers do), properties alpha-3 ("DEU", as OpenImmo
does); input in either form is accepted everywhere and converted to what the field keeps.
"""

from __future__ import annotations

import functools
import gettext
import unicodedata
from typing import TYPE_CHECKING, Literal

import pycountry
from django.utils.translation import get_language

if TYPE_CHECKING:
    from pycountry.db import Country

Alpha = Literal[2, 3]
FIRST = ("DE", "AT", "CH")  # an office in Germany picks these most


@functools.cache
def _translation(language: str) -> gettext.NullTranslations:
    try:
        return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language])
    except OSError:
        return gettext.NullTranslations()


def _lookup(value: str) -> Country | None:
    text = (value or "").strip().upper()
    if len(text) == 2:
        return pycountry.countries.get(alpha_2=text)
    if len(text) == 3:
        return pycountry.countries.get(alpha_3=text)
    return None


def country_code(value: str, *, alpha: Alpha) -> str:
    """ "de", "DE", "deu" or "DEU" → "DE" (alpha=2) or "DEU" (alpha=3); ValueError if no country."""
    country = _lookup(value)
    if country is None:
        raise ValueError(value)
    return str(getattr(country, f"alpha_{alpha}"))


def country_name(code: str) -> str:
    """The country's name in the active language ("Deutschland"); the code itself if unknown."""
    country = _lookup(code)
    if country is None:
        return code
    language = (get_language() or "de").split("-")[0]
    return _translation(language).gettext(str(country.name))


def _sort_key(name: str) -> str:
    """German dictionary order: "Ägypten" next to "Agypten", not after "Zypern"."""
    folded = unicodedata.normalize("NFKD", name.casefold().replace("ß", "ss"))
    return "".join(ch for ch in folded if not unicodedata.combining(ch))


@functools.cache
def _choices(alpha: Alpha, language: str) -> list[tuple[str, str]]:
    translate = _translation(language).gettext
    rows = [
        (str(getattr(c, f"alpha_{alpha}")), translate(str(c.name)), c.alpha_2) for c in pycountry.countries
    ]
    first = sorted((r for r in rows if r[2] in FIRST), key=lambda r: FIRST.index(r[2]))
    rest = sorted((r for r in rows if r[2] not in FIRST), key=lambda r: _sort_key(r[1]))
    return [(code, name) for code, name, _a2 in first + rest]


def country_choices(alpha: Alpha) -> list[tuple[str, str]]:
    """(code, name) for a select: Germany, Austria, Switzerland first, then alphabetically."""
    return _choices(alpha, (get_language() or "de").split("-")[0])
