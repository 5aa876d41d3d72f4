from __future__ import annotations

from typing import Any

import pytest

from maklerwerk.duplicates.normalize import normalize_phone


def make_contact(
    office: Any, *, emails: tuple[str, ...] = (), phones: tuple[str, ...] = (), **fields: Any
) -> Any:
    """A contact saved the way contact services do it: row, e-mails, phones, then the seam."""
    from maklerwerk.contacts.duplicates import contact_saved
    from maklerwerk.contacts.models import Contact, ContactEmail, ContactPhone

    contact = Contact.objects.create(office=office, **fields)
    for i, email in enumerate(emails):
        ContactEmail.objects.create(contact=contact, value=email, value_normalized=email.lower(), position=i)
    for i, phone in enumerate(phones):
        ContactPhone.objects.create(contact=contact, value=normalize_phone(phone) or phone, position=i)
    contact_saved(contact)
    return contact


MUELLER: dict[str, Any] = {
    "first_name": "Thomas",
    "last_name": "Müller",
    "street": "Hauptstraße",
    "house_number": "12a",
    "postal_code": "50667",
    "city": "Köln",
}


@pytest.fixture
def mueller(office: Any) -> Any:
    return make_contact(office, emails=("thomas.mueller@example.de",), phones=("0221 1234567",), **MUELLER)
