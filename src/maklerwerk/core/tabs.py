"""Extra tabs and actions on detail pages, contributed by other apps (registered in AppConfig.ready()).

`TABS.register(DetailTab(page="property", ...))` adds e.g. "Dokumentenfreigabe" (sharing) to the
property page, `page="contact"` e.g. "Immobilien" (properties) to the contact page. A tab's content
comes either from its own URL (`url_name`, loaded with htmx when the page opens: the owning app
keeps its view, permissions and template) or from a template rendered with the page (`template` +
`context`). Either way the app that owns the tab owns its content.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from maklerwerk.core.registry import Registry

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from maklerwerk.accounts.http import AuthedRequest


@dataclass(frozen=True)
class DetailTab:
    page: str  # "property", "contact"
    key: str  # unique per page; used as URL hash and element id
    label: str | Promise
    url_name: str = ""  # content loaded from here, reversed with the object's pk, e.g. "sharing:property_tab"
    # ... or rendered with the page: {"<page>": obj, "request": ..., **context(request, obj)}
    template: str = ""
    context: Callable[[AuthedRequest, Any], dict[str, Any]] | None = None
    icon: str = ""  # Tabler icon class, e.g. "ti-lock"
    order: int = 50  # position among the tabs; a page's own tabs come first

    def __post_init__(self) -> None:
        if bool(self.url_name) == bool(self.template):
            raise ValueError(f"tab {self.page}:{self.key}: give either url_name or template")


@dataclass(frozen=True)
class DetailAction:
    """A button in the page header, e.g. "Exposé senden"."""

    page: str
    key: str
    label: str | Promise
    url_name: str  # reversed with the object's pk
    icon: str = ""
    order: int = 50
    capability: str = ""  # shown only to users whose role grants it (accounts.roles.Capability)


@dataclass(frozen=True)
class DetailBadge:
    """A badge beside the title of a detail page, e.g. "GwG: Käufer identifiziert ✓, Verkäufer ✗".

    `render(request, obj)` returns the badge's HTML, or "" when this user has nothing to see there
    (the owning app checks its own permission inside).
    """

    page: str
    key: str
    render: Callable[[AuthedRequest, Any], str]
    order: int = 50


TABS: Registry[DetailTab] = Registry("detail tabs", key=lambda t: (t.page, t.key))
ACTIONS: Registry[DetailAction] = Registry("detail actions", key=lambda a: (a.page, a.key))
BADGES: Registry[DetailBadge] = Registry("detail badges", key=lambda b: (b.page, b.key))


def badges_for(page: str, request: AuthedRequest, obj: Any) -> list[str]:
    """The HTML of the registered badges of `page` that have something to show to this user."""
    return [html for badge in BADGES.filter(lambda b: b.page == page) if (html := badge.render(request, obj))]


def _resolved(items: list[DetailTab] | list[DetailAction], pk: int) -> list[dict[str, object]]:
    from django.urls import NoReverseMatch, reverse

    out: list[dict[str, object]] = []
    for item in items:
        try:
            url = reverse(item.url_name, args=[pk])
        except NoReverseMatch:
            continue
        out.append({"key": item.key, "label": item.label, "icon": item.icon, "url": url})
    return out


def tabs_for(page: str, pk: int) -> list[dict[str, object]]:
    """The registered tabs of `page` that load from a URL, for the object `pk` (for the templates)."""
    return _resolved(TABS.filter(lambda t: t.page == page and bool(t.url_name)), pk)


def rendered_tabs_for(page: str, request: AuthedRequest, obj: Any) -> list[dict[str, Any]]:
    """The registered tabs of `page` rendered with the page: [{"tab": ..., "html": ...}]."""
    from django.template.loader import render_to_string

    return [
        {
            "tab": tab,
            "html": render_to_string(
                tab.template,
                {page: obj, "request": request, **(tab.context(request, obj) if tab.context else {})},
                request,
            ),
        }
        for tab in TABS.filter(lambda t: t.page == page and bool(t.template))
    ]


def actions_for(page: str, pk: int, user: Any = None) -> list[dict[str, object]]:
    """The header buttons of `page`; with `user`, only those their role may use."""

    def shown(action: DetailAction) -> bool:
        return action.page == page and (not action.capability or user is None or user.can(action.capability))

    return _resolved(ACTIONS.filter(shown), pk)
