"""Creating many new contacts at once: the write `contacts.intake.contact_intake_many` ends in.

The same rows `services.contact_create` writes per contact (the contact with its e-mails, phones,
roles and tags, its match keys and name counts, a history entry "created" with the same snapshot),
in a few bulk inserts for the whole batch instead of some twenty queries per contact. Contacts are
built and checked first (`contact_build`: German field errors before anything is written), then
saved together (`contacts_save_many`, inside the caller's transaction).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db import transaction

from maklerwerk.accounts.models import User
from maklerwerk.contacts import duplicates, services
from maklerwerk.contacts.models import Contact, ContactEmail, ContactPhone, ContactRole, ContactTag, Role, Tag
from maklerwerk.core.history import history_created_many, snapshot

if TYPE_CHECKING:
    from maklerwerk.accounts.models import Office
    from maklerwerk.duplicates.normalize import Record


def contact_build(*, office: Office, acting_user: User | None, data: services.ValidContact) -> Contact:
    """An unsaved contact filled from validated `data` as `contact_create` fills it (the acting
    user responsible unless `data` names someone or nobody); raises ValidationError."""
    contact = Contact(office=office, created_by=acting_user)
    if not data.get("responsible_agent_id") and "responsible_agent_id" not in data and acting_user:
        contact.responsible_agent = acting_user
    services.contact_fill(contact, data)
    return contact


def _snapshot(contact: Contact, data: dict[str, Any], tags: dict[str, Tag]) -> dict[str, Any]:
    """What `services.contact_snapshot` reads back from the database, from what was written."""
    return snapshot(
        contact,
        extra={
            "emails": [
                f"{e['value']} ({ContactEmail.Kind(e['kind']).label})" for e in data.get("emails", [])
            ],
            "phones": [
                f"{p['value']} ({ContactPhone.Kind(p['kind']).label})" for p in data.get("phones", [])
            ],
            "roles": sorted(str(Role(r).label) for r in data.get("roles", [])),
            "tags": sorted(tags[n.lower()].name for n in data.get("tags", [])),
        },
    )


def _tags(office: Office, batch: Sequence[tuple[Contact, dict[str, Any], Record]]) -> dict[str, Tag]:
    """The office's tags by lower-case name, those the batch names created once each."""
    names = {n.strip()[:50].lower(): n for _c, data, _r in batch for n in data.get("tags", [])}
    return {key: services.tag_get_or_create(office_id=office.pk, name=name) for key, name in names.items()}


def _users(contacts: Sequence[Contact]) -> None:
    """Load each responsible agent named by id once (the history names them)."""
    ids = {c.responsible_agent_id for c in contacts if c.responsible_agent_id}
    users = User.objects.in_bulk(list(ids)) if ids else {}
    for contact in contacts:
        if contact.responsible_agent_id in users:
            contact.responsible_agent = users[contact.responsible_agent_id]


@transaction.atomic
def contacts_save_many(
    *,
    office: Office,
    acting_user: User | None,
    batch: Sequence[tuple[Contact, dict[str, Any], Record]],
    history_note: str = "",
) -> None:
    """Insert built contacts (`contact_build`) with their lists, keys and history, in bulk.

    `batch` holds (contact, validated data, the duplicate check's record) each; the contacts get
    their ids."""
    if not batch:
        return
    contacts = [c for c, _d, _r in batch]
    Contact.objects.bulk_create(contacts, batch_size=1000)
    tags = _tags(office, batch)
    emails: list[ContactEmail] = []
    phones: list[ContactPhone] = []
    roles: list[ContactRole] = []
    links: list[ContactTag] = []
    for contact, data, _r in batch:
        for i, e in enumerate(data.get("emails", [])):
            low = e["value"].lower()
            emails.append(
                ContactEmail(contact=contact, office_id=office.pk, value=e["value"], value_normalized=low,
                             kind=e["kind"], position=i)
            )  # fmt: skip
        for i, p in enumerate(data.get("phones", [])):
            phones.append(
                ContactPhone(
                    contact=contact, office_id=office.pk, value=p["value"], kind=p["kind"], position=i
                )
            )
        roles += [ContactRole(office_id=office.pk, contact=contact, role=r) for r in data.get("roles", [])]
        chosen = {tags[n.lower()].pk: tags[n.lower()] for n in data.get("tags", [])}
        links += [ContactTag(office_id=office.pk, contact=contact, tag=t) for t in chosen.values()]
    ContactEmail.objects.bulk_create(emails, batch_size=2000)
    ContactPhone.objects.bulk_create(phones, batch_size=2000)
    ContactRole.objects.bulk_create(roles, batch_size=2000)
    ContactTag.objects.bulk_create(links, batch_size=2000)
    duplicates.contacts_created_many(office=office, saved=[(c.pk, r) for c, _d, r in batch])
    _users(contacts)
    history_created_many(
        items=[(c, _snapshot(c, d, tags)) for c, d, _r in batch], acting_user=acting_user, note=history_note
    )
