"""The seam between contacts and the duplicate engine (the duplicates app implements the bodies).

Contacts call `check_duplicates` before creating or changing a contact (form, API, vCard import,
later the inquiry manager and sync), `contact_saved` after every save and `contact_deleted`
before a delete, inside the same transaction, so the engine can keep its match keys and the
office's name counts current.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from maklerwerk.accounts.models import Office
    from maklerwerk.contacts.models import Contact


@dataclass(frozen=True)
class Candidate:
    """An existing contact that may be the same person as the data being checked."""

    contact: Contact
    score: float  # 0..1
    level: Literal["certain", "possible"]  # office thresholds "sicher Dublette" / "mögliche Dublette"
    reasons: list[str] = field(default_factory=list)  # German, for users: "gleiche E-Mail-Adresse"
    similarities: dict[str, float] = field(default_factory=dict)  # per field, 0..1
    codes: list[str] = field(default_factory=list)  # the reason codes behind `reasons`


def check_duplicates(
    *, office: Office, data: dict[str, Any], exclude_id: int | None = None
) -> list[Candidate]:
    """Ranked candidates (best first) for contact `data` in `office`.

    `data` uses the API field names: first_name, last_name, company_name, emails (list of str or
    {"value": ...}), phones (same), street, house_number, postal_code, city, country, birth_date.
    `exclude_id` leaves out the contact being edited.
    """
    from maklerwerk.duplicates.services import duplicates_check

    return duplicates_check(office=office, data=data, exclude_id=exclude_id)


def contact_saved(contact: Contact) -> None:
    """Called by contact services after a contact, its e-mails or its phones changed."""
    from maklerwerk.duplicates.services import contact_keys_refresh

    contact_keys_refresh(contact=contact)


def contact_deleted(contact: Contact) -> None:
    """Called by contact services before a contact is deleted: its names stop counting."""
    from maklerwerk.duplicates.services import contact_keys_forget

    contact_keys_forget(contact=contact)
