"""Extra tabs and actions on detail pages, contributed by other apps (registered in AppConfig.ready()).

`register_tab("property", DetailTab(...))` adds e.g. "Dokumente" (sharing) or "Exposé" (exposés) to
the property page; the page loads each tab's content from its own URL with htmx, so the app that
owns the tab also owns its view, permissions and template. Contacts use `contacts.tabs`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.utils.functional import Promise


@dataclass(frozen=True)
class DetailTab:
    key: str  # unique per page; used as URL hash and element id
    label: str | Promise
    url_name: str  # reversed with the object's pk, e.g. "sharing:property_tab"
    icon: str = ""  # Tabler icon class, e.g. "ti-lock"
    order: int = 50


@dataclass(frozen=True)
class DetailAction:
    """A button in the page header, e.g. "Exposé senden"."""

    key: str
    label: str | Promise
    url_name: str  # reversed with the object's pk
    icon: str = ""
    order: int = 50


TABS: dict[str, list[DetailTab]] = {}
ACTIONS: dict[str, list[DetailAction]] = {}


def register_tab(page: str, tab: DetailTab) -> None:
    tabs = TABS.setdefault(page, [])
    if all(t.key != tab.key for t in tabs):
        tabs.append(tab)
        tabs.sort(key=lambda t: t.order)


def register_action(page: str, action: DetailAction) -> None:
    actions = ACTIONS.setdefault(page, [])
    if all(a.key != action.key for a in actions):
        actions.append(action)
        actions.sort(key=lambda a: a.order)


def _resolved(items: list[DetailTab] | list[DetailAction], pk: int) -> list[dict[str, object]]:
    from django.urls import NoReverseMatch, reverse

    out = []
    for item in items:
        try:
            url = reverse(item.url_name, args=[pk])
        except NoReverseMatch:
            continue
        out.append({"key": item.key, "label": item.label, "icon": item.icon, "url": url})
    return out


def tabs_for(page: str, pk: int) -> list[dict[str, object]]:
    """The registered tabs of `page` for the object `pk`, with their URLs (for the templates)."""
    return _resolved(TABS.get(page, []), pk)


def actions_for(page: str, pk: int) -> list[dict[str, object]]:
    return _resolved(ACTIONS.get(page, []), pk)
