from __future__ import annotations

from django import template

from maklerwerk.contacts.normalize import format_phone

register = template.Library()


@register.filter
def phone(value: str) -> str:
    """An E.164 number as people write it ("+49691234567" → "069 1234567")."""
    return format_phone(value) if value else ""
