import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from maklerwerk.contacts.services import contact_create, contact_file_add
from maklerwerk.core.services import activity_create
from maklerwerk.matching.services import search_profile_create
from maklerwerk.privacy.services import retention_mark_create

BERLIN = dt.timezone(dt.timedelta(hours=1))


def at(year: int, month: int, day: int) -> dt.datetime:
    return dt.datetime(year, month, day, 10, 0, tzinfo=BERLIN)


@pytest.fixture
def buyer(office: Any, admin_user: Any) -> Any:
    """Berta Käufer, a buyer: an invoice (a file marked as such), an e-mail about the purchase
    (a business letter), an exposé sent (the Nachweis) and things no duty keeps."""
    contact = contact_create(
        office=office,
        acting_user=admin_user,
        data={
            "first_name": "Berta",
            "last_name": "Käufer",
            "street": "Domstraße",
            "house_number": "5",
            "postal_code": "50667",
            "city": "Köln",
            "remarks": "Zahlt bar, ruft abends an",
            "emails": [{"value": "berta@example.org", "kind": "private"}],
            "phones": [{"value": "+49 221 1234567", "kind": "mobile"}],
            "roles": ["buyer"],
        },
    )
    invoice = contact_file_add(
        contact=contact,
        acting_user=admin_user,
        upload=SimpleUploadedFile(
            "Provisionsrechnung.pdf", b"%PDF-1.4\n% Rechnung 2025-17\n", "application/pdf"
        ),
    )
    contact_file_add(
        contact=contact,
        acting_user=admin_user,
        upload=SimpleUploadedFile("Notiz.txt", "Privat: Scheidung läuft".encode(), "text/plain"),
    )
    retention_mark_create(
        contact=contact,
        section="files",
        object_id=invoice.pk,
        kind="invoice",
        document_date=dt.date(2025, 6, 10),
        acting_user=admin_user,
    )
    for type_, subject, when in (
        ("email_sent", "Ihr Kaufvertragsentwurf", at(2024, 5, 2)),
        ("expose_sent", "Exposé Domstraße 5", at(2025, 3, 1)),
        ("note", "Ruft abends an, Scheidung läuft", at(2025, 4, 1)),
    ):
        activity_create(
            office=office,
            type=type_,
            subject=subject,
            acting_user=admin_user,
            contact_id=contact.pk,
            occurred_at=when,
        )
    search_profile_create(
        contact=contact,
        acting_user=admin_user,
        data={
            "name": "Altbau Köln",
            "marketing_type": "kauf",
            "object_kinds": ["wohnung"],
            "price_max": Decimal(500000),
        },
    )
    return contact


def today() -> dt.date:
    return timezone.localdate()
