"""Model-level checks every entry path passes (forms, API, imports, services): `full_clean()`.

- Single-line text (names, titles, subjects: every `CharField`) may not contain line breaks or
  other control characters; they end up in mail headers, PDFs and CSV cells, where a CR/LF breaks
  the header or the line. Multi-line text is a `TextField` and is not checked.
- Links a user can click (task links) are http(s) or a path of this site, never `javascript:`,
  `data:` or `vbscript:`.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

CONTROL_RE = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]")
SAFE_LINK_RE = re.compile(r"^(?:https?://[^\s/?#]+|/(?![/\\]))[^\s\x00-\x1f\x7f]*$", re.I)


def link_is_safe(url: str) -> bool:
    """An absolute http(s) URL or a path on this site ("/inquiries/5/"); nothing else."""
    return bool(SAFE_LINK_RE.match(url))


def control_character_errors(instance: models.Model, exclude: Any = None) -> dict[str, list[str]]:
    """{field: [German reason]} for every CharField of `instance` that holds a control character."""
    errors: dict[str, list[str]] = {}
    for f in instance._meta.concrete_fields:
        if not isinstance(f, models.CharField) or (exclude and f.name in exclude):
            continue
        value = getattr(instance, f.attname, None)
        if isinstance(value, str) and CONTROL_RE.search(value):
            label = str(f.verbose_name)
            errors[f.name] = [
                _("%(field)s must be one line without line breaks or tabs.")
                % {"field": label[:1].upper() + label[1:]}
            ]
    return errors


class SingleLineFields:
    """Model mixin: `full_clean()` refuses control characters (CR, LF, tab, …) in every CharField."""

    def clean_fields(self, exclude: Any = None) -> None:
        errors: dict[str, list[Any]] = {}
        try:
            super().clean_fields(exclude=exclude)  # type: ignore[misc]  # mixed into Model subclasses
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        for name, messages in control_character_errors(self, exclude).items():  # type: ignore[arg-type]  # ditto
            errors.setdefault(name, []).extend(messages)
        if errors:
            raise ValidationError(errors)
