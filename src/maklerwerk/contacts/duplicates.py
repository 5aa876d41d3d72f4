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
from maklerwerk.duplicates.services import BatchCheck, Candidate, InnerPair

if TYPE_CHECKING:
    from collections.abc import Sequence

    from maklerwerk.accounts.models import Office
    from maklerwerk.contacts.models import Contact
    from maklerwerk.duplicates.normalize import Record

__all__ = [
    "BatchCheck",
    "Candidate",
    "InnerPair",
    "check_duplicates",
    "check_duplicates_many",
    "contact_deleted",
    "contact_saved",
    "contacts_created_many",
    "reviews_add_many",
]


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


def check_duplicates_many(*, office: Office, datas: Sequence[dict[str, Any]]) -> BatchCheck:
    """`check_duplicates` for many new contacts at once (`datas` in the same shape), with the
    pairs among them (the same person twice in one file); a fixed number of queries in all."""
    return duplicate_services.duplicates_check_many(office=office, datas=datas)


def contacts_created_many(*, office: Office, saved: Sequence[tuple[int, Record]]) -> None:
    """Called by `contacts.bulk` after inserting new contacts (ids with the check's records)."""
    duplicate_services.contact_keys_add_many(office=office, saved=saved)


def reviews_add_many(*, office: Office, found: Sequence[tuple[Contact, Candidate]], source: str) -> None:
    """List new contacts with their possible duplicate on the Dubletten page, in one insert."""
    duplicate_services.review_add_many(office=office, found=found, source=source)
