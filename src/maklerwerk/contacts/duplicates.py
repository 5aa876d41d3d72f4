"""The seam between contacts and the duplicate engine (the duplicates app implements the bodies).

`contacts.intake.contact_intake` runs `check_duplicates` before creating a contact (form, API,
vCard import, inquiries, and every later entry path); the form also runs it before changing one.
Contact services call `contact_saved` after every save and `contact_deleted` before a delete,
inside the same transaction, so the engine can keep its match keys and the office's name counts
current. Imports point one way only: contacts → duplicates.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from maklerwerk.duplicates import services as duplicate_services
from maklerwerk.duplicates.services import Candidate

if TYPE_CHECKING:
    from maklerwerk.accounts.models import Office
    from maklerwerk.contacts.models import Contact

__all__ = ["Candidate", "check_duplicates", "contact_deleted", "contact_saved"]


def check_duplicates(
    *, office: Office, data: dict[str, Any], exclude_id: int | None = None
) -> list[Candidate]:
    """Ranked candidates (best first) for contact `data` in `office`.

    `data` uses the API field names: first_name, last_name, company_name, emails (list of str or
    {"value": ...}), phones (same), street, house_number, postal_code, city, country, birth_date.
    `exclude_id` leaves out the contact being edited.
    """
    return duplicate_services.duplicates_check(office=office, data=data, exclude_id=exclude_id)


def contact_saved(contact: Contact) -> None:
    """Called by contact services after a contact, its e-mails or its phones changed."""
    duplicate_services.contact_keys_refresh(contact=contact)


def contact_deleted(contact: Contact) -> None:
    """Called by contact services before a contact is deleted: its names stop counting."""
    duplicate_services.contact_keys_forget(contact=contact)
