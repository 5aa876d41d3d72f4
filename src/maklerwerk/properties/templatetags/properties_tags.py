from __future__ import annotations

from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse

register = template.Library()

ICONS = {
    "met": ("ti-circle-check", "text-green"),
    "near_miss": ("ti-alert-circle", "text-yellow"),
    "missed": ("ti-circle-x", "text-red"),
}


@register.filter
def contact_url(contact_id: Any) -> str:
    """The contact's page (contacts app) if it exists, else our standalone "Immobilien" tab."""
    try:
        return reverse("contacts:detail", args=[contact_id]) + "#properties"
    except NoReverseMatch:
        return reverse("properties:contact_tab", args=[contact_id])


@register.filter
def criterion_icon(status: str) -> str:
    icon, colour = ICONS.get(status, ICONS["missed"])
    return f"ti {icon} {colour}"


@register.filter
def score_class(score: int) -> str:
    return "bg-green-lt" if score >= 85 else "bg-yellow-lt" if score >= 60 else "bg-orange-lt"


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key)


@register.simple_tag
def match_states() -> list[tuple[str, str]]:
    from django.utils.translation import gettext as _

    return [("new", _("New")), ("offered", _("Already offered")), ("declined", _("Declined"))]


@register.filter
def get_field(form: Any, name: str) -> Any:
    return form[name]


@register.filter
def group_total(group: dict[str, list[Any]]) -> int:
    return len(group["match"]) + len(group["near_miss"])
