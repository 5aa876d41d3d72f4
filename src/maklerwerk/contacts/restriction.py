"""Restriction (Art. 18 DSGVO, §35 BDSG), "Kontakt sperren" and anonymisation (Art. 17) of a contact.

These are the contacts' own writes for the privacy app: a restricted contact disappears from lists,
searches and mailings (`selectors.contact_list`, `selectors.contact_processing_allowed`) but keeps
its data while a retention duty holds it; anonymising keeps the row (statistics, the links of held
records) and removes everything that names or reaches the person. Both record the history.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from maklerwerk.accounts.permissions import ensure_capability
from maklerwerk.accounts.roles import Capability
from maklerwerk.contacts import duplicates
from maklerwerk.contacts.models import (
    Contact,
    ContactEmail,
    ContactFile,
    ContactPhone,
    ContactRole,
    ContactTag,
    Relationship,
)
from maklerwerk.contacts.services import contact_snapshot
from maklerwerk.core.history import history_record, history_values_erase
from maklerwerk.core.models import ChangeLog

if TYPE_CHECKING:
    from maklerwerk.accounts.models import User

# Personal fields an anonymised contact keeps empty; role, source, dates and the agent stay.
_PERSONAL_FIELDS = (
    "salutation",
    "title",
    "first_name",
    "company_name",
    "street",
    "house_number",
    "postal_code",
    "city",
    "letter_salutation",
    "legal_form",
    "position",
    "tax_number",
    "vat_id",
    "company_phone",
    "company_email",
    "website",
    "iban",
    "bic",
    "account_holder",
    "id_document_kind",
    "id_document_number",
    "remarks",
    "marketing_consent_source",
)


def anonymised_name(contact_id: int) -> str:
    return _("Deleted #%(id)s") % {"id": contact_id}


@transaction.atomic
def contact_restrict(
    *, contact: Contact, until: dt.date | None, reason: str, acting_user: User | None
) -> Contact:
    """Restrict the processing of a contact (until the end of a retention hold, or open-ended for
    "Kontakt sperren"); it leaves lists, searches and mailings."""
    values = {"restricted": True, "restricted_until": until, "restriction_reason": reason[:300]}
    return _restriction_set(contact, values, acting_user, note=reason)


@transaction.atomic
def contact_unrestrict(*, contact: Contact, acting_user: User | None, note: str = "") -> Contact:
    """Lift a restriction or a block ("Kontakt entsperren")."""
    values = {"restricted": False, "restricted_until": None, "restriction_reason": ""}
    return _restriction_set(contact, values, acting_user, note=note)


def _restriction_set(
    contact: Contact, values: dict[str, Any], acting_user: User | None, note: str
) -> Contact:
    ensure_capability(acting_user, Capability.PRIVACY)
    before = contact_snapshot(contact)
    Contact.objects.filter(pk=contact.pk).update(**values)
    contact.refresh_from_db()
    history_record(
        instance=contact,
        acting_user=acting_user,
        action=ChangeLog.Action.UPDATE,
        before=before,
        after=contact_snapshot(contact),
        note=note,
    )
    return contact


@transaction.atomic
def contact_anonymise(*, contact: Contact, acting_user: User | None, note: str) -> Contact:
    """Erase what names or reaches the person (Art. 17 DSGVO) and keep the row for statistics:
    the name becomes "Gelöscht #id", e-mails, phones, tags, files, relationships and the photo go,
    and the history keeps who changed what when but no longer the values."""
    ensure_capability(acting_user, Capability.PRIVACY)
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    paths = [*contact.files.values_list("file", flat=True), *([contact.photo.name] if contact.photo else [])]
    for name in _PERSONAL_FIELDS:
        setattr(contact, name, "")
    contact.last_name = anonymised_name(contact.pk)
    contact.birth_date = None
    contact.photo = ""
    contact.marketing_consent, contact.marketing_consent_on = False, None
    contact.restricted, contact.restricted_until, contact.restriction_reason = False, None, ""
    contact.update_keys()
    contact.save()
    contact.emails.all().delete()
    contact.phones.all().delete()
    contact.contact_tags.all().delete()
    contact.files.all().delete()
    Relationship.objects.filter(from_contact=contact).delete()
    Relationship.objects.filter(to_contact=contact).delete()
    duplicates.contact_deleted(contact)
    history_values_erase(contact)
    history_record(
        instance=contact,
        acting_user=acting_user,
        action=ChangeLog.Action.UPDATE,
        before={"anonymised": False},
        after={"anonymised": True},
        note=note,
    )

    transaction.on_commit(lambda: _remove_files(paths))
    return contact


@transaction.atomic
def contact_rows_erase(
    *, contact: Contact, model: str, ids: list[int], acting_user: User | None, note: str
) -> int:
    """Delete some of a contact's own rows (e-mails, phones, tags, files, relationships) for an
    erasure; the history records the contact before and after. Returns how many rows went."""
    ensure_capability(acting_user, Capability.PRIVACY)
    allowed = {m._meta.label: m for m in (ContactEmail, ContactPhone, ContactRole, ContactTag, ContactFile)}
    before = contact_snapshot(contact)
    paths: list[str] = []
    if model == "contacts.Relationship":
        count, _by_model = Relationship.objects.filter(
            Q(from_contact=contact) | Q(to_contact=contact), pk__in=ids
        ).delete()
    elif model in allowed:
        if model == "contacts.ContactFile":
            paths = list(
                ContactFile.objects.filter(contact=contact, pk__in=ids).values_list("file", flat=True)
            )
        count, _by_model = allowed[model]._default_manager.filter(contact=contact, pk__in=ids).delete()
    else:
        raise ValueError(f"not a row of a contact: {model}")
    history_record(
        instance=contact,
        acting_user=acting_user,
        action=ChangeLog.Action.UPDATE,
        before=before,
        after=contact_snapshot(contact),
        note=note,
    )
    transaction.on_commit(lambda: _remove_files(paths))
    return count


def _remove_files(paths: list[str]) -> None:
    for path in paths:
        default_storage.delete(path)
