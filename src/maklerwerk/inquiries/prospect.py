"""The prospect's data as one value, from the parser to the contact.

A portal parser, the website form and the confirmation page each fill a `Prospect`; the inquiry
stores it (`store_on`), reads it back (`of`), and the contact is created from it (`contact_data`).
Before, the same eight fields travelled as six different dicts and objects.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from maklerwerk.inquiries.models import Inquiry

SALUTATIONS = ("herr", "frau", "divers")
# The Inquiry model's column widths: a value is clipped once, when the prospect is built.
LIMITS = {
    "email": 254,
    "salutation": 10,
    "first_name": 100,
    "last_name": 100,
    "phone": 60,
    "street": 200,
    "house_number": 20,
    "postal_code": 10,
    "city": 100,
}


@dataclass(frozen=True)
class Prospect:
    """Who asked: what a portal, the website form or the confirmation page told us."""

    email: str = ""
    salutation: str = ""  # herr, frau, divers or ""
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    street: str = ""
    house_number: str = ""
    postal_code: str = ""
    city: str = ""

    def __post_init__(self) -> None:
        for name, limit in LIMITS.items():
            value = str(getattr(self, name) or "").strip()[:limit]
            object.__setattr__(self, name, value)

    @classmethod
    def fields(cls) -> tuple[str, ...]:
        return tuple(f.name for f in dataclasses.fields(cls))

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Prospect:
        """The prospect's fields out of a form's or an API body's data (other keys are ignored)."""
        return cls(**{k: str(data.get(k) or "") for k in cls.fields()})

    @classmethod
    def of(cls, inquiry: Inquiry) -> Prospect:
        return cls(**{k: getattr(inquiry, k) for k in cls.fields()})

    def completed(self, data: Mapping[str, Any]) -> Prospect:
        """This prospect with what they added on the confirmation page (the e-mail stays)."""
        changes = {
            k: str(v) for k, v in data.items() if k in self.fields() and k != "email" and v is not None
        }
        return dataclasses.replace(self, **changes)

    def store_on(self, inquiry: Inquiry) -> list[str]:
        """Write the prospect onto the inquiry (unsaved); returns the field names for update_fields."""
        for name in self.fields():
            setattr(inquiry, name, getattr(self, name))
        return list(self.fields())

    @property
    def display_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p) or self.email or "–"

    def contact_data(self, *, source: str, responsible_agent_id: int | None) -> dict[str, Any]:
        """The input of the contacts service (contact_validate/contact_create, later contact_intake)."""
        data: dict[str, Any] = {
            "salutation": self.salutation if self.salutation in SALUTATIONS else "",
            "first_name": self.first_name,
            "last_name": self.last_name,
            "street": self.street,
            "house_number": self.house_number,
            "postal_code": self.postal_code,
            "city": self.city,
            "source": source,
            "emails": [{"value": self.email}] if self.email else [],
            "phones": [{"value": self.phone}] if self.phone else [],
            "roles": ["prospect"],
            "responsible_agent_id": responsible_agent_id,
        }
        if not (self.first_name or self.last_name) and not self.email:
            data["last_name"] = "Unbekannt"
        return data
