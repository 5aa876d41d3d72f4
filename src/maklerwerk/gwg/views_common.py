"""Lookups shared by the pages and the API: the property of a case, the contact of a party
(through the owning apps' selectors, so visibility and office scoping are theirs)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from maklerwerk.contacts.selectors import contact_get
from maklerwerk.properties.selectors import property_get

if TYPE_CHECKING:
    from maklerwerk.accounts.models import User
    from maklerwerk.contacts.models import Contact
    from maklerwerk.properties.models import Property


def property_for_case(user: User, property_id: int | None) -> Property | None:
    return property_get(user=user, pk=property_id) if property_id is not None else None


def contact_for_party(user: User, contact_id: int | None) -> Contact | None:
    return contact_get(user=user, pk=contact_id) if contact_id is not None else None
