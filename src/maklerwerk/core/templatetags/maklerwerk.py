from __future__ import annotations

from django import forms, template
from django.forms.boundfield import BoundField
from django.utils.safestring import SafeString

from maklerwerk.core.countries import country_name

register = template.Library()


@register.filter
def widget(field: BoundField) -> SafeString:
    """Render a form field's widget with Tabler/Bootstrap classes and its error state."""
    w = field.field.widget
    if isinstance(w, forms.Select | forms.SelectMultiple):
        css = "form-select"
    elif isinstance(w, forms.CheckboxInput | forms.RadioSelect | forms.CheckboxSelectMultiple):
        css = "form-check-input"
    else:
        css = "form-control"
    if field.errors:
        css += " is-invalid"
    attrs: dict[str, str | bool] = {"class": f"{w.attrs.get('class', '')} {css}".strip()}
    if field.errors:
        attrs["aria-invalid"] = "true"
        attrs["aria-describedby"] = f"{field.auto_id}_error"
    return field.as_widget(attrs=attrs)


ACTIVITY_ICONS = {
    "note": "ti-note",
    "call": "ti-phone",
    "email_sent": "ti-mail-forward",
    "email_received": "ti-mail",
    "expose_sent": "ti-file-text",
    "viewing": "ti-home-search",
    "online_viewing": "ti-video",
    "meeting": "ti-users",
    "document_opened": "ti-eye",
    "letter": "ti-mailbox",
    "inquiry": "ti-inbox",
    "task": "ti-checkbox",
    "system": "ti-settings",
}


@register.filter
def activity_icon(activity_type: str) -> str:
    """The Tabler icon of a kind of activity (call → phone, viewing → house, ...)."""
    return ACTIVITY_ICONS.get(str(activity_type), "ti-point")


@register.filter
def activity_text(activity: object) -> str:
    """The text of an activity without its first line when that line already is the subject."""
    body = str(getattr(activity, "body", "") or "").strip()
    subject = str(getattr(activity, "subject", "") or "").strip()
    first, _, rest = body.partition("\n")
    return rest.strip() if first.strip() == subject else body


@register.filter
def country(code: str) -> str:
    """ "DE"/"DEU" → "Deutschland" (in the active language)."""

    return country_name(code) if code else ""


@register.filter
def can(user: object, capability: str) -> bool:
    """{% if user|can:"privacy" %}: whether the user's role grants the capability (accounts.roles)."""
    check = getattr(user, "can", None)
    return bool(check and getattr(user, "office_id", None) and check(capability))
