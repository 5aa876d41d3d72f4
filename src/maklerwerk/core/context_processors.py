from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

# The main navigation; an entry whose URL does not exist yet is shown disabled ("kommt bald").
NAVIGATION: list[tuple[str, Any, str]] = [
    ("dashboard", _("Dashboard"), "ti-layout-dashboard"),
    ("contacts:list", _("Contacts"), "ti-address-book"),
    ("duplicates:index", _("Duplicates"), "ti-copy"),
    ("properties:list", _("Properties"), "ti-building"),
    ("properties:profile_list", _("Search profiles"), "ti-zoom-check"),
    ("exposes:index", _("Offers"), "ti-send"),
    ("inquiries:list", _("Inquiries"), "ti-inbox"),
    ("tasks:list", _("Tasks"), "ti-checkbox"),
    ("appointments:calendar", _("Calendar"), "ti-calendar"),
    ("settings", _("Settings"), "ti-settings"),
]


def shell(request: HttpRequest) -> dict[str, Any]:
    from django.urls import NoReverseMatch, reverse

    items = []
    for name, label, icon in NAVIGATION:
        try:
            url = reverse(name)
        except NoReverseMatch:
            url = None
        items.append({"name": name, "label": label, "icon": icon, "url": url, "active": False})
    # The active entry is the one with the longest URL the page lies under
    # (/properties/profiles/ is "Suchprofile", not "Immobilien").
    under = [
        i
        for i in items
        if i["url"] and (request.path == i["url"] or (i["url"] != "/" and request.path.startswith(i["url"])))
    ]
    if under:
        max(under, key=lambda i: len(i["url"]))["active"] = True
    return {"nav_items": items, "office": getattr(request, "office", None)}
