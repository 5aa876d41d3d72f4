"""The badges on the contact and property pages ("GwG: Käufer identifiziert ✓, Verkäufer ✗"),
shown only to users with the GwG permission; everybody else sees nothing (no hint of a file)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.template.loader import render_to_string

from maklerwerk.gwg import selectors
from maklerwerk.gwg.checklist import party_identified, side_badge

if TYPE_CHECKING:
    from maklerwerk.accounts.http import AuthedRequest


def property_badge(request: AuthedRequest, prop: Any) -> str:
    cases = selectors.open_cases_for_property(user=request.user, property_id=prop.pk)
    if not cases:
        return ""
    items = [{"case": c, "text": side_badge(c), "done": "✗" not in side_badge(c)} for c in cases]
    return render_to_string("gwg/_badge.html", {"items": items})


def contact_badge(request: AuthedRequest, contact: Any) -> str:
    parties = selectors.parties_of_contact(user=request.user, contact_id=contact.pk)
    if not parties:
        return ""
    items = []
    for party in parties[:2]:
        done, hint = party_identified(party)
        text = f"{party.get_role_display()} {'✓' if done else '✗'}" + (f" ({hint})" if hint else "")
        items.append({"case": party.case, "text": text, "done": done})
    return render_to_string("gwg/_badge.html", {"items": items})
