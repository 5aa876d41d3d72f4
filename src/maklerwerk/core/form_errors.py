"""A service's refusal shown on the form that sent the data."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from maklerwerk.core.exceptions import ApplicationError


def apply_errors(form: Any, exc: ValidationError | ApplicationError) -> None:
    """Put the error on the field it names (`extra["field"]`, `message_dict`), else on the form."""
    if isinstance(exc, ApplicationError):
        field = exc.extra.get("field")
        form.add_error(field if field in form.fields else None, exc.message)
        return
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)
