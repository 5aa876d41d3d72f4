"""Pure functions that validate and normalise contact values. German messages, no database.

Phones become E.164 (default region DE), e-mails are trimmed, IBAN/BIC/VAT id/tax number are
checked with python-stdnum and stored compact. Search keys fold case and accents so "muller" finds
"Müller" and a prefix search is a plain index range on every database.
"""

from __future__ import annotations

import re
import unicodedata

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.utils.translation import gettext as _
from stdnum import bic as stdnum_bic
from stdnum import iban as stdnum_iban
from stdnum.de import stnr as stdnum_stnr
from stdnum.eu import vat as stdnum_vat
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidLength

DEFAULT_REGION = "DE"


def search_key(value: str) -> str:
    """Lower case without accents or umlaut dots: "Müller-Lüdenscheidt" → "muller-ludenscheidt"."""
    decomposed = unicodedata.normalize("NFKD", value.strip())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def prefix_upper_bound(prefix: str) -> str:
    """The smallest string greater than every string starting with `prefix` (byte order)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def normalize_email(value: str) -> str:
    value = (value or "").strip()
    try:
        EmailValidator()(value)
    except ValidationError as exc:
        raise ValidationError(
            _("“%(value)s” is not a valid e-mail address.") % {"value": value}, code="invalid_email"
        ) from exc
    return value


def normalize_phone(value: str, region: str = DEFAULT_REGION) -> str:
    """E.164 for a valid number, e.g. "069 1234567" → "+49691234567"; else a German error."""
    raw = (value or "").strip()
    try:
        number = phonenumbers.parse(raw, region or DEFAULT_REGION)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(
            _("“%(value)s” is not a phone number.") % {"value": raw}, code="invalid_phone"
        ) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("“%(value)s” is not a valid phone number (too short, too long or unknown area code).")
            % {"value": raw},
            code="invalid_phone",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(e164: str) -> str:
    """Human form: national for German numbers ("069 1234567"), international otherwise."""
    try:
        number = phonenumbers.parse(e164, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return e164
    fmt = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if number.country_code == 49
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, fmt)


_PHONE_QUERY = re.compile(r"^[+(]?[\d\s()/.\-]{3,}$")


def phone_search_prefix(query: str) -> str | None:
    """The E.164 prefix a phone-like search means ("0171 23" → "+4917123"), or None if not phone-like."""
    q = query.strip()
    if not _PHONE_QUERY.match(q) or sum(c.isdigit() for c in q) < 3:
        return None
    try:
        number = phonenumbers.parse(q, DEFAULT_REGION)
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    except phonenumbers.NumberParseException:
        pass
    plus = q.startswith("+")
    digits = re.sub(r"\D", "", q.replace("(0)", ""))
    if plus:
        return "+" + digits
    if digits.startswith("00"):
        return "+" + digits[2:]
    if digits.startswith("0"):
        return "+49" + digits[1:]
    return "+49" + digits  # a local number without area code: best effort


def normalize_iban(value: str) -> str:
    compact = stdnum_iban.compact(value or "")
    if not re.match(r"^[A-Z]{2}\d{2}[A-Z0-9]{8,30}$", compact):
        raise ValidationError(
            _("“%(value)s” is not an IBAN (e.g. DE89 3704 0044 0532 0130 00).") % {"value": value},
            code="invalid_iban",
        )
    try:
        stdnum_iban.validate(compact)
    except InvalidChecksum as exc:
        raise ValidationError(
            _("The IBAN “%(value)s” has a wrong check digit; please check for typing errors.")
            % {"value": value},
            code="invalid_iban",
        ) from exc
    except InvalidLength as exc:
        raise ValidationError(
            _("The IBAN “%(value)s” has the wrong length for its country.") % {"value": value},
            code="invalid_iban",
        ) from exc
    except Exception as exc:  # InvalidFormat, InvalidComponent (unknown country)
        raise ValidationError(
            _("“%(value)s” is not an IBAN (e.g. DE89 3704 0044 0532 0130 00).") % {"value": value},
            code="invalid_iban",
        ) from exc
    return compact


def format_iban(value: str) -> str:
    return stdnum_iban.format(value) if value else ""


def normalize_bic(value: str) -> str:
    compact = stdnum_bic.compact(value or "")
    try:
        stdnum_bic.validate(compact)
    except Exception as exc:
        raise ValidationError(
            _("“%(value)s” is not a BIC (8 or 11 characters, e.g. COBADEFFXXX).") % {"value": value},
            code="invalid_bic",
        ) from exc
    return compact


def normalize_vat_id(value: str) -> str:
    try:
        compact = stdnum_vat.compact(value or "")  # raises, too, for an unknown country prefix
        stdnum_vat.validate(compact)
    except InvalidChecksum as exc:
        raise ValidationError(
            _("The VAT id “%(value)s” has a wrong check digit.") % {"value": value}, code="invalid_vat_id"
        ) from exc
    except Exception as exc:
        raise ValidationError(
            _("“%(value)s” is not an EU VAT id (e.g. DE136695976).") % {"value": value},
            code="invalid_vat_id",
        ) from exc
    return compact


def normalize_tax_number(value: str) -> str:
    """A German tax number (Steuernummer) in any federal state's format, kept as typed if valid."""
    value = (value or "").strip()
    try:
        stdnum_stnr.validate(value)
    except (InvalidLength, InvalidComponent) as exc:
        raise ValidationError(
            _("“%(value)s” is not a German tax number in any federal state's format (e.g. 181/815/08155).")
            % {"value": value},
            code="invalid_tax_number",
        ) from exc
    except Exception as exc:
        raise ValidationError(
            _("“%(value)s” is not a German tax number (only digits and slashes).") % {"value": value},
            code="invalid_tax_number",
        ) from exc
    return value


def normalize_website(value: str) -> str:
    value = (value or "").strip()
    if value and "://" not in value:
        value = "https://" + value
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError as exc:
        raise ValidationError(
            _("“%(value)s” is not a web address.") % {"value": value}, code="invalid_url"
        ) from exc
    return value
