"""German number entry: "349.000" is three hundred forty-nine thousand and "78,5" is seventy-eight and
a half, whatever the browser's language. Forms show numbers the German way ("1.300,00")."""

from __future__ import annotations

import decimal
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.translation import gettext_lazy as _

_NOISE = re.compile(r"[\s\u00a0\u202f'’€]|eur|m²|m2|qm", re.IGNORECASE)
_GROUPED = re.compile(r"^-?\d{1,3}(\.\d{3})+$")


def parse_german_number(text: str) -> decimal.Decimal:
    """The number a German means by `text`; ValueError if it is none.

    "349.000" → 349000, "1.300,50" → 1300.50, "78,5" → 78.5, "78.5" → 78.5, "349 000 €" → 349000.
    A dot followed by groups of exactly three digits is a thousands separator, otherwise a decimal point.
    """
    s = _NOISE.sub("", text.strip())
    if not s:
        raise ValueError(text)
    if "," in s and "." in s:
        german = s.rfind(",") > s.rfind(".")  # 1.300,50; else 1,300.50 typed the English way
        s = s.replace(".", "").replace(",", ".") if german else s.replace(",", "")
    elif "," in s:
        if s.count(",") > 1:
            raise ValueError(text)
        s = s.replace(",", ".")
    elif _GROUPED.match(s):
        s = s.replace(".", "")
    try:
        value = decimal.Decimal(s)
    except decimal.InvalidOperation as exc:
        raise ValueError(text) from exc
    if not value.is_finite():
        raise ValueError(text)
    return value


def format_german_number(value: Any, decimal_places: int | None = None) -> str:
    if value in (None, ""):
        return ""
    number = decimal.Decimal(str(value))
    return formats.number_format(number, decimal_pos=decimal_places, use_l10n=True, force_grouping=True)


class GermanDecimalField(forms.DecimalField):
    """A decimal form field that reads German notation and shows it ("1.300,00")."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
    default_error_messages = {
        "invalid": _("Please enter a number, e.g. 349.000 or 78,5."),
    }

    def to_python(self, value: Any) -> decimal.Decimal | None:  # type: ignore[override]  # stubs: int
        if value in self.empty_values:
            return None
        if isinstance(value, decimal.Decimal | int | float):
            return decimal.Decimal(str(value))
        try:
            return parse_german_number(str(value))
        except ValueError as exc:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from exc

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, decimal.Decimal | int | float):
            return format_german_number(value, self.decimal_places)
        return value

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        for key in ("step", "min", "max"):  # meaningless for a text box; the validators still check
            attrs.pop(key, None)
        return attrs


def german_decimals(form: forms.BaseForm) -> None:
    """Swap every DecimalField of `form` for a GermanDecimalField with the same rules."""
    for name, field in list(form.fields.items()):
        if isinstance(field, forms.DecimalField) and not isinstance(field, GermanDecimalField):
            new = GermanDecimalField(
                required=field.required,
                label=field.label,
                help_text=field.help_text,
                initial=field.initial,
                max_digits=field.max_digits,
                decimal_places=field.decimal_places,
                disabled=field.disabled,
            )
            new.validators = list(field.validators)
            new.widget.attrs.update(
                {k: v for k, v in field.widget.attrs.items() if k not in ("step", "min", "max")}
            )
            new.widget.attrs.setdefault("inputmode", "decimal")
            form.fields[name] = new
