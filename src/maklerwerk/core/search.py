"""The header's global search: contacts, properties and search profiles at once, ranked.

A read (selector): always scoped to the user's office, and properties only as far as the user may
see them (`Property.objects.visible_to`), so restricted properties never show up for others.
Contacts reuse the contact list's indexed search (names, company, city by prefix; e-mail; phone
numbers in any notation, normalised to E.164 like the contacts app does).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from maklerwerk.contacts.normalize import phone_search_prefix
from maklerwerk.contacts.selectors import contact_first, contact_list
from maklerwerk.matching.models import SearchProfile
from maklerwerk.properties.models import Property

if TYPE_CHECKING:
    from maklerwerk.accounts.models import User

MIN_LENGTH = 2
KIND_LABELS = {"contact": _("Contacts"), "property": _("Properties"), "search_profile": _("Search profiles")}


@dataclass(frozen=True)
class Hit:
    type: str  # contact, property, search_profile
    id: int
    title: str
    subtitle: str
    url: str
    score: int  # 0..100, higher is better


def _starts(value: str, q: str) -> bool:
    return bool(value) and value.casefold().startswith(q.casefold())


def _contacts(user: User, q: str, limit: int) -> list[Hit]:

    by_phone = phone_search_prefix(q) is not None
    hits = []
    for c in contact_first(contact_list(user=user, search=q, paged=True), limit):
        if by_phone or "@" in q:
            score = 95
        elif _starts(c.last_name, q) or _starts(c.first_name, q) or _starts(c.display_name, q):
            score = 85 if len(q.split()) == 1 or _starts(c.display_name, q) else 75
        elif _starts(c.company_name, q):
            score = 75
        else:
            score = 60
        subtitle = " · ".join(p for p in (c.company_name if c.first_name or c.last_name else "", c.city) if p)
        hits.append(
            Hit("contact", c.pk, c.display_name, subtitle, reverse("contacts:detail", args=[c.pk]), score)
        )
    return hits


def _properties(user: User, q: str, limit: int) -> list[Hit]:

    qs = Property.objects.filter(office=user.office_id).visible_to(user)
    words = q.split()[:4]
    for word in words:
        qs = qs.filter(
            Q(external_id__istartswith=word)
            | Q(title__icontains=word)
            | Q(street__istartswith=word)
            | Q(city__istartswith=word)
            | Q(district__istartswith=word)
            | Q(postal_code__startswith=word)
        )
    hits = []
    for p in qs.order_by("-updated_at")[: limit * 3]:
        if p.external_id.casefold() == q.casefold():
            score = 100
        elif _starts(p.external_id, q):
            score = 90
        elif _starts(p.title, q) or _starts(p.street, q):
            score = 70
        else:
            score = 55
        address = " ".join(x for x in (p.street, p.house_number) if x)
        place = " ".join(x for x in (p.postal_code, p.city) if x)
        subtitle = " · ".join(x for x in (p.external_id, address, place, p.get_status_display()) if x)
        title = p.title or p.external_id
        hits.append(Hit("property", p.pk, title, subtitle, reverse("properties:detail", args=[p.pk]), score))
    return sorted(hits, key=lambda h: -h.score)[:limit]


def _profiles(user: User, q: str, limit: int) -> list[Hit]:

    qs = SearchProfile.objects.filter(office=user.office_id).select_related("contact")
    for word in q.split()[:4]:
        qs = qs.filter(
            Q(name__icontains=word)
            | Q(contact__last_name__istartswith=word)
            | Q(contact__first_name__istartswith=word)
            | Q(contact__company_name__istartswith=word)
        )
    hits = []
    for sp in qs.order_by("-pk")[:limit]:
        title = sp.name or str(_("Search profile"))
        score = 65 if _starts(sp.name, q) else 50
        subtitle = " · ".join(x for x in (sp.contact.display_name, sp.get_marketing_type_display()) if x)
        url = reverse("properties:profile_edit", args=[sp.pk])
        hits.append(Hit("search_profile", sp.pk, title, subtitle, url, score))
    return hits


def global_search(*, user: User, q: str, limit: int = 8) -> list[Hit]:
    """Everything matching `q` the user may see, best first (at most `limit` per kind)."""
    q = " ".join(q.split())[:100]
    if len(q) < MIN_LENGTH:
        return []
    hits = _contacts(user, q, limit) + _properties(user, q, limit) + _profiles(user, q, limit)
    order = {"property": 0, "contact": 1, "search_profile": 2}
    return sorted(hits, key=lambda h: (-h.score, order[h.type], h.title.casefold()))
