"""Extra tabs on the contact detail page, registered by other apps in their AppConfig.ready().

E.g. the properties app registers "Immobilien" (interest and management, search profiles, matches).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.http import HttpRequest
    from django.utils.functional import Promise

    from maklerwerk.contacts.models import Contact


@dataclass(frozen=True)
class ContactTab:
    key: str  # used in the URL hash and as the htmx target id
    label: str | Promise
    template: str  # rendered with {"contact": ..., "request": ..., **context(request, contact)}
    context: Callable[[HttpRequest, Contact], dict[str, Any]]
    order: int = 50  # position among the tabs; the contacts app's own tabs use 10, 20, ...


CONTACT_TABS: list[ContactTab] = []


def register_contact_tab(tab: ContactTab) -> None:
    if all(t.key != tab.key for t in CONTACT_TABS):
        CONTACT_TABS.append(tab)
        CONTACT_TABS.sort(key=lambda t: t.order)
