"""Checks of identification data: document numbers, register numbers, nationality.

python-stdnum has the German register number (`stdnum.de.handelsregisternummer`); it has no German
ID document number, so that check (ICAO 9303 alphabet and check digit) is written here.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.de import handelsregisternummer
from stdnum.exceptions import ValidationError as StdnumError

from maklerwerk.core.countries import country_code

# German ID cards and passports since 2010: 9 characters of this alphabet (no vowels, no B, D, Q, S);
# the MRZ adds a check digit, which people sometimes copy as a 10th character.
_DE_DOCUMENT = re.compile(r"^[CFGHJKLMNPRTVWXYZ0-9]{9}[0-9]?$")
_OTHER_DOCUMENT = re.compile(r"^[A-Z0-9<]{5,20}$")
_ICAO_VALUES = {**{str(d): d for d in range(10)}, **{chr(c): c - 55 for c in range(65, 91)}, "<": 0}


def icao_check_digit(text: str) -> int:
    """The ICAO 9303 check digit (weights 7, 3, 1) of `text`."""
    return sum(_ICAO_VALUES[ch] * (7, 3, 1)[i % 3] for i, ch in enumerate(text)) % 10


def document_number(value: str, *, id_type: str, nationality: str) -> str:
    """The document number as stored (upper case, no spaces); ValidationError in German otherwise."""
    number = re.sub(r"[\s-]", "", value or "").upper()
    if not number:
        raise ValidationError(_("Enter the document number."))
    if nationality == "DE" and id_type in ("id_card", "passport"):
        if not _DE_DOCUMENT.match(number):
            raise ValidationError(
                _(
                    "A German identity card or passport number has 9 characters: digits and the letters "
                    "C, F, G, H, J, K, L, M, N, P, R, T, V, W, X, Y, Z."
                )
            )
        if len(number) == 10 and icao_check_digit(number[:9]) != int(number[9]):
            raise ValidationError(_("The check digit of the document number does not match. Please compare."))
        return number
    if not _OTHER_DOCUMENT.match(number):
        raise ValidationError(_("A document number has 5 to 20 letters or digits."))
    return number


def register_number(value: str) -> str:
    """A German commercial register number ("Köln HRB 12345") as python-stdnum normalises it;
    other registers and foreign numbers are kept as typed."""
    text = " ".join((value or "").split())
    if not re.search(r"\b(HR[A-Z]?|GnR|PR|VR|GsR)\b", text):
        return text
    try:
        return str(handelsregisternummer.validate(text))
    except StdnumError as exc:
        raise ValidationError(
            _("“%(value)s” is no valid German register number (e.g. “Köln HRB 12345”).") % {"value": text}
        ) from exc


def nationality(value: str) -> str:
    try:
        return country_code(value, alpha=2)
    except ValueError as exc:
        raise ValidationError(_("Choose the nationality.")) from exc
