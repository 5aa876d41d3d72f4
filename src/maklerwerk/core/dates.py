"""The range of dates the product accepts from users: 1900 to 2200.

Outside it no business date makes sense, and some values break the database for good: a
timestamp in year 1 with a +14:00 offset is stored by PostgreSQL as a date before Christ, which
Python cannot read back, so every page showing that row fails. The check runs in one place per
entry path: every date field of every model (forms and services through `full_clean()`, see
`install_model_date_checks`) and every API request body (`api.schemas.InputSchema`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

MIN_YEAR = 1900
MAX_YEAR = 2200


def date_in_range(value: Any) -> bool:
    """True for anything that is not a date, or a date/datetime within MIN_YEAR..MAX_YEAR."""
    if not isinstance(value, dt.date):
        return True
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        return False
    if isinstance(value, dt.datetime) and (offset := value.utcoffset()) is not None:
        # 1900-01-01T00:00+14:00 is 1899 in UTC; the year the database stores must be in range too.
        utc_year = (value.replace(tzinfo=None) - offset).year
        return MIN_YEAR - 1 <= utc_year <= MAX_YEAR + 1
    return True


def out_of_range_message() -> str:
    return str(_("Please enter a date between %(min)s and %(max)s.") % {"min": MIN_YEAR, "max": MAX_YEAR})


def validate_date_in_range(value: Any) -> None:
    if not date_in_range(value):
        raise ValidationError(out_of_range_message(), code="date_out_of_range")


def install_model_date_checks() -> None:
    """Add `validate_date_in_range` to every date and datetime field of Maklerwerk's models.

    Added to the field's validator list at start-up rather than declared on each field, so no
    field can forget it and no migration is needed (validators are part of a field's migration
    state; this list is not). ModelForms and `full_clean()` run these validators.
    """
    for model in apps.get_models():
        if not model.__module__.startswith("maklerwerk."):
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.DateField) and validate_date_in_range not in field.validators:
                field.validators.append(validate_date_in_range)
