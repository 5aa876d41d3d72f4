"""Writes for contacts. Every change is office-scoped, validated, and recorded in the history.

The `data` dicts use the API field names (see `CONTACT_FIELDS`), plus the lists `emails` and
`phones` (`[{"value": ..., "kind": ...}]`), `roles` (role values) and `tags` (tag names).
A NEW contact from any entry path goes through `contacts.intake.contact_intake` (validation, the
duplicate check and the source's duplicate rule, once); `contact_create` is the bare write it ends
in, for seeds, tests and data that needs no duplicate rule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from maklerwerk.accounts.permissions import ensure_capability
from maklerwerk.accounts.roles import Capability
from maklerwerk.contacts import duplicates
from maklerwerk.contacts.files import clean_upload_name
from maklerwerk.contacts.models import (
    Contact,
    ContactEmail,
    ContactFile,
    ContactPhone,
    ContactRole,
    ContactTag,
    Relationship,
    RelationshipKind,
    Role,
    Tag,
)
from maklerwerk.contacts.normalize import (
    normalize_bic,
    normalize_email,
    normalize_iban,
    normalize_phone,
    normalize_tax_number,
    normalize_vat_id,
    normalize_website,
)
from maklerwerk.contacts.selectors import contact_relationships
from maklerwerk.core.countries import country_code
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.core.history import history_record, snapshot
from maklerwerk.core.models import ChangeLog
from maklerwerk.core.registry import Registry

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from maklerwerk.accounts.models import Office, User

CONTACT_FIELDS = (
    "salutation", "title", "first_name", "last_name", "birth_date", "company_name",
    "street", "house_number", "postal_code", "city", "country", "preferred_language",
    "letter_salutation", "source", "responsible_agent_id",
    "legal_form", "position", "tax_number", "vat_id", "company_phone", "company_email", "website",
    "iban", "bic", "account_holder", "id_document_kind", "id_document_number", "remarks",
    "terms_confirmed", "terms_confirmed_on", "terms_confirmed_via",
    "marketing_consent", "marketing_consent_on", "marketing_consent_source",
)  # fmt: skip
LIST_FIELDS = ("emails", "phones", "roles", "tags")

# Field → normaliser raising a German ValidationError; empty values skip the check.
_NORMALISERS = {
    "iban": normalize_iban,
    "bic": normalize_bic,
    "vat_id": normalize_vat_id,
    "tax_number": normalize_tax_number,
    "company_phone": normalize_phone,
    "company_email": normalize_email,
    "website": normalize_website,
}


class ValidContact(dict[str, Any]):
    """Contact data as `contact_validate` returns it. Only that function makes one, and
    `contact_create` / `contact_update` do not validate it again (a contact is validated once)."""


def contact_validate(*, office: Office, data: dict[str, Any], partial: bool = False) -> ValidContact:
    """Normalise and check `data`; raises ValidationError with a German message per field.

    Idempotent: validating already validated data returns the same values.
    """
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key not in CONTACT_FIELDS and key not in LIST_FIELDS:
            errors.setdefault(key, []).append(_("Unknown field."))
            continue
        if isinstance(value, str):
            value = value.strip()
        if key in _NORMALISERS and value:
            try:
                value = _NORMALISERS[key](value)
            except ValidationError as exc:
                errors.setdefault(key, []).extend(exc.messages)
        elif key == "country" and value:
            try:
                value = country_code(str(value), alpha=2)  # "DEU" and "DE" alike
            except ValueError:
                errors.setdefault(key, []).append(
                    _("Unknown country “%(code)s”: choose one from the list.") % {"code": value}
                )
        elif key == "emails":
            value = _validate_entries(value or [], ContactEmail.Kind, normalize_email, "emails", errors)
        elif key == "phones":
            value = _validate_entries(value or [], ContactPhone.Kind, normalize_phone, "phones", errors)
        elif key == "roles":
            value = list(dict.fromkeys(value or []))
            bad = [r for r in value if r not in Role.values]
            if bad:
                errors.setdefault("roles", []).append(_("Unknown role: %s.") % ", ".join(map(str, bad)))
        elif key == "tags":
            value = list(dict.fromkeys(t.strip()[:50] for t in (value or []) if t and t.strip()))
        elif (
            key == "responsible_agent_id"
            and value is not None
            and not office.users.filter(pk=value, is_active=True).exists()
        ):
            errors.setdefault(key, []).append(_("This user is not an active user of your office."))
        out[key] = value
    if data.get("terms_confirmed") and not data.get("terms_confirmed_on"):
        out["terms_confirmed_on"] = timezone.localdate()
    if data.get("marketing_consent") and not data.get("marketing_consent_on"):
        out["marketing_consent_on"] = timezone.localdate()
    if (
        not partial
        and not any((out.get(k) or "") for k in ("last_name", "first_name", "company_name"))
        and not out.get("emails")
    ):
        errors.setdefault("last_name", []).append(_("Enter a last name or a company."))
    if errors:
        raise ValidationError(errors)
    return ValidContact(out)


def _validate_entries(
    entries: list[Any], kinds: Any, normaliser: Any, field: str, errors: dict[str, list[str]]
) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    seen: set[str] = set()
    for entry in entries:
        if isinstance(entry, str):
            entry = {"value": entry}
        value = str(entry.get("value") or "").strip()
        if not value:
            continue
        kind = entry.get("kind") or kinds.values[0]
        if kind not in kinds.values:
            errors.setdefault(field, []).append(_("Unknown kind “%s”.") % kind)
            continue
        try:
            value = normaliser(value)
        except ValidationError as exc:
            errors.setdefault(field, []).extend(exc.messages)
            continue
        if value.lower() in seen:
            continue
        seen.add(value.lower())
        out.append({"value": value, "kind": kind})
    return out


def duplicate_check_data(data: dict[str, Any]) -> dict[str, Any]:
    """The subset of validated `data` the duplicate engine compares."""
    keys = ("first_name", "last_name", "company_name", "street", "house_number", "postal_code", "city")
    out = {k: data.get(k, "") for k in keys}
    out.update(
        country=data.get("country") or "DE",
        birth_date=data.get("birth_date"),
        emails=[e["value"] for e in data.get("emails", [])],
        phones=[p["value"] for p in data.get("phones", [])],
    )
    return out


@dataclass(frozen=True)
class ConsentFieldWatcher:
    """Told when a contact's yes/no marketing consent field is set or cleared (form, API): the
    privacy app turns it into a consent record, the record marketing mail asks."""

    key: str
    fn: Callable[[Contact, bool, User | None], None]
    order: int = 0


CONSENT_FIELD_WATCHERS: Registry[ConsentFieldWatcher] = Registry("marketing consent field watchers")


def _consent_field_changed(contact: Contact, granted: bool, acting_user: User | None) -> None:
    for watcher in CONSENT_FIELD_WATCHERS:
        watcher.fn(contact, granted, acting_user)


def contact_snapshot(contact: Contact) -> dict[str, Any]:
    """The history snapshot of a contact, related lists included (read from the database)."""
    fresh = Contact.objects.select_related("responsible_agent").get(pk=contact.pk)
    return snapshot(
        fresh,
        extra={
            "emails": [f"{e.value} ({e.get_kind_display()})" for e in fresh.emails.all()],
            "phones": [f"{p.value} ({p.get_kind_display()})" for p in fresh.phones.all()],
            "roles": sorted(str(r.get_role_display()) for r in fresh.roles.all()),
            "tags": sorted(t.name for t in fresh.tags.all()),
        },
    )


def contact_fill(contact: Contact, data: dict[str, Any]) -> None:
    """Set the contact's own fields from validated `data` and check them (nothing saved): raises
    ValidationError (German, per field). `contacts.bulk` fills many contacts the same way."""
    for key in CONTACT_FIELDS:
        if key in data:
            value = data[key]
            if (
                value is None
                and key not in ("birth_date", "responsible_agent_id")
                and not key.endswith("_on")
            ):
                value = False if key in ("terms_confirmed", "marketing_consent") else ""
            setattr(contact, key, value)
    if not contact.terms_confirmed:
        contact.terms_confirmed_on, contact.terms_confirmed_via = None, ""
    if not contact.marketing_consent:
        contact.marketing_consent_on = None
    contact.update_keys()
    contact.full_clean(exclude=["office", "created_by", "responsible_agent", "tags"])


def _apply(contact: Contact, data: dict[str, Any], acting_user: User | None) -> None:
    contact_fill(contact, data)
    contact.save()
    if "emails" in data:
        contact.emails.all().delete()
        ContactEmail.objects.bulk_create(
            ContactEmail(
                contact=contact,
                office_id=contact.office_id,
                value=e["value"],
                value_normalized=e["value"].lower(),
                kind=e["kind"],
                position=i,
            )
            for i, e in enumerate(data["emails"])
        )
    if "phones" in data:
        contact.phones.all().delete()
        ContactPhone.objects.bulk_create(
            ContactPhone(
                contact=contact, office_id=contact.office_id, value=p["value"], kind=p["kind"], position=i
            )
            for i, p in enumerate(data["phones"])
        )
    if "roles" in data:
        contact.roles.exclude(role__in=data["roles"]).delete()
        have = set(contact.roles.values_list("role", flat=True))
        ContactRole.objects.bulk_create(
            ContactRole(office_id=contact.office_id, contact=contact, role=r)
            for r in data["roles"]
            if r not in have
        )
    if "tags" in data:
        tags = [tag_get_or_create(office_id=contact.office_id, name=n) for n in data["tags"]]
        contact.contact_tags.exclude(tag__in=tags).delete()
        have_ids = set(contact.contact_tags.values_list("tag_id", flat=True))
        ContactTag.objects.bulk_create(
            ContactTag(office_id=contact.office_id, contact=contact, tag=t)
            for t in tags
            if t.pk not in have_ids
        )


def tag_get_or_create(*, office_id: int, name: str) -> Tag:
    name = name.strip()[:50]
    tag = Tag.objects.filter(office_id=office_id, name__iexact=name).first()
    if tag is not None:
        return tag
    try:
        with transaction.atomic():  # a savepoint: the surrounding transaction survives a clash
            return Tag.objects.create(office_id=office_id, name=name)
    except IntegrityError:
        # Another request created the same tag between our look-up and our insert.
        return Tag.objects.get(office_id=office_id, name=name)


@transaction.atomic
def contact_create(
    *, office: Office, acting_user: User | None, data: dict[str, Any], history_note: str = ""
) -> Contact:
    """Create a contact with its e-mails, phones, roles and tags; records the history.

    `history_note` says why, e.g. that a user saved despite a possible duplicate.
    """
    if not isinstance(data, ValidContact):
        data = contact_validate(office=office, data=data)
    contact = Contact(office=office, created_by=acting_user)
    if not data.get("responsible_agent_id") and "responsible_agent_id" not in data and acting_user:
        contact.responsible_agent = acting_user
    _apply(contact, data, acting_user)
    duplicates.contact_saved(contact)
    if contact.marketing_consent:
        _consent_field_changed(contact, True, acting_user)
    after = contact_snapshot(contact)
    history_record(
        instance=contact,
        acting_user=acting_user,
        action=ChangeLog.Action.CREATE,
        after=after,
        note=history_note,
    )
    return contact


@transaction.atomic
def contact_update(
    *, contact: Contact, acting_user: User | None, data: dict[str, Any], history_note: str = ""
) -> Contact:
    """Change the given fields (others stay); records old and new value of each changed field."""
    if not isinstance(data, ValidContact):
        data = contact_validate(office=contact.office, data=data, partial=True)
    before = contact_snapshot(contact)
    contact.refresh_from_db()  # a ModelForm may have changed the instance while validating
    consent_before = contact.marketing_consent
    _apply(contact, data, acting_user)
    if contact.marketing_consent != consent_before:
        _consent_field_changed(contact, contact.marketing_consent, acting_user)
    remaining = {k: getattr(contact, k) for k in ("last_name", "first_name", "company_name")}
    if not any(remaining.values()) and not contact.emails.exists():
        raise ValidationError({"last_name": [_("Enter a last name or a company.")]})
    duplicates.contact_saved(contact)
    history_record(
        instance=contact,
        acting_user=acting_user,
        action=ChangeLog.Action.UPDATE,
        before=before,
        after=contact_snapshot(contact),
        note=history_note,
    )
    return contact


@transaction.atomic
def contact_terms_confirm(
    *, contact_id: int, confirmed_on: dt.date, via: str, acting_user: User | None, note: str = ""
) -> bool:
    """Mark AGB/Provision as confirmed (e.g. accepted through a document link's consent gate).

    The contact's fields are the one record the badge and the lists read; an earlier confirmation
    keeps its date. Returns whether the contact changed."""
    contact = Contact.objects.select_for_update().filter(pk=contact_id).first()
    if contact is None or contact.terms_confirmed:
        return False
    contact_update(
        contact=contact,
        acting_user=acting_user,
        data={"terms_confirmed": True, "terms_confirmed_on": confirmed_on, "terms_confirmed_via": via},
        history_note=note,
    )
    return True


@transaction.atomic
def contact_delete(*, contact: Contact, acting_user: User | None) -> None:
    """Delete the contact with its files (also from storage, after commit) and relationships."""
    ensure_capability(acting_user, Capability.DELETE)
    before = contact_snapshot(contact)
    paths = list(contact.files.values_list("file", flat=True))
    history_record(instance=contact, acting_user=acting_user, action=ChangeLog.Action.DELETE, before=before)
    duplicates.contact_deleted(contact)
    contact.delete()

    def remove_files() -> None:
        from django.core.files.storage import default_storage

        for path in paths:
            default_storage.delete(path)

    transaction.on_commit(remove_files)


@transaction.atomic
def contacts_tag(*, office: Office, acting_user: User | None, contact_ids: list[int], tag_name: str) -> int:
    """Add a tag to many contacts of the office (bulk action); returns how many got it newly."""
    name = tag_name.strip()
    if not name:
        raise ApplicationError(_("Please enter a tag."))
    tag = tag_get_or_create(office_id=office.pk, name=name)
    contacts = Contact.objects.filter(office=office, pk__in=contact_ids).exclude(contact_tags__tag=tag)
    added = 0
    for contact in contacts:
        before = {"tags": sorted(t.name for t in contact.tags.all())}
        ContactTag.objects.create(office=office, contact=contact, tag=tag)
        history_record(
            instance=contact,
            acting_user=acting_user,
            action=ChangeLog.Action.UPDATE,
            before=before,
            after={"tags": sorted([*before["tags"], tag.name])},
        )
        added += 1
    return added


# --- Files -----------------------------------------------------------------------------------


def _files_snapshot(contact: Contact) -> dict[str, Any]:
    return {"files": [f.name for f in contact.files.order_by("pk")]}


def _checked_upload_name(upload: UploadedFile) -> str:
    name = clean_upload_name(upload.name or "")
    limit = settings.MAX_UPLOAD_BYTES
    if not name:
        raise ApplicationError(_("The file name “%s” is not allowed.") % (upload.name or ""))
    if upload.size is None or upload.size > limit:
        raise ApplicationError(
            _("“%(name)s” is too large (%(size)s); files may be at most %(limit)s.")
            % {"name": name, "size": filesizeformat(upload.size or 0), "limit": filesizeformat(limit)}
        )
    return name


def contact_files_add(
    *, contact: Contact, acting_user: User | None, uploads: Sequence[UploadedFile]
) -> list[ContactFile]:
    """Several files at once, all or nothing: every file is checked before one is stored, and if
    storing fails halfway the files already written are removed again (no orphans in media/)."""
    if not uploads:
        raise ApplicationError(_("Please choose at least one file."))
    for upload in uploads:
        _checked_upload_name(upload)
    rows: list[ContactFile] = []
    try:
        with transaction.atomic():
            for upload in uploads:
                rows.append(contact_file_add(contact=contact, acting_user=acting_user, upload=upload))
    except Exception:
        for row in rows:
            row.file.storage.delete(row.file.name)  # type: ignore[arg-type]  # a stored file has a name
        raise
    return rows


@transaction.atomic
def contact_file_add(*, contact: Contact, acting_user: User | None, upload: UploadedFile) -> ContactFile:
    """Store an upload with the contact under a random name; the shown name is cleaned."""
    name = _checked_upload_name(upload)
    before = _files_snapshot(contact)
    row = ContactFile(  # type: ignore[misc]  # size: every upload Django parsed has one
        office_id=contact.office_id,
        contact=contact,
        name=name,
        size=upload.size,
        content_type=(upload.content_type or "")[:100],
        uploaded_by=acting_user,
    )
    row.file.save(name, upload, save=False)
    try:
        row.save()
        history_record(
            instance=contact,
            acting_user=acting_user,
            action=ChangeLog.Action.UPDATE,
            before=before,
            after=_files_snapshot(contact),
        )
    except Exception:
        row.file.delete(save=False)
        raise
    return row


@transaction.atomic
def contact_file_delete(*, file: ContactFile, acting_user: User | None) -> None:
    ensure_capability(acting_user, Capability.DELETE)
    contact = file.contact
    before = _files_snapshot(contact)
    path = file.file.name
    file.delete()
    history_record(
        instance=contact,
        acting_user=acting_user,
        action=ChangeLog.Action.UPDATE,
        before=before,
        after=_files_snapshot(contact),
    )

    def remove() -> None:
        from django.core.files.storage import default_storage

        default_storage.delete(path)  # type: ignore[arg-type]  # a stored file has a name

    transaction.on_commit(remove)


# --- Relationships ---------------------------------------------------------------------------


def _relationships_snapshot(contact: Contact) -> dict[str, Any]:

    return {
        "relationships": sorted(f"{r.other.display_name}: {r.label}" for r in contact_relationships(contact))
    }


@transaction.atomic
def relationship_create(
    *,
    contact: Contact,
    other: Contact,
    kind: str,
    acting_user: User | None,
    label: str = "",
    inverse_label: str = "",
) -> Relationship:
    """Relate `other` to `contact` as its `kind` ("other is contact's Kind"); stored once."""
    if other.office_id != contact.office_id:
        raise ApplicationError(_("Unknown contact."), extra={"field": "other_id"})
    if other.pk == contact.pk:
        raise ApplicationError(_("A contact cannot be related to itself."), extra={"field": "other_id"})
    if kind not in RelationshipKind.values:
        raise ValidationError({"kind": [_("Unknown relationship.")]})
    if kind == RelationshipKind.CUSTOM and not label.strip():
        raise ValidationError({"label": [_("Name the custom relationship.")]})
    exists = Relationship.objects.filter(
        Q(from_contact=contact, to_contact=other) | Q(from_contact=other, to_contact=contact)
    ).exists()
    if exists:
        raise ApplicationError(
            _("%(other)s is already related to %(contact)s.")
            % {"other": other.display_name, "contact": contact.display_name},
            extra={"field": "other_id"},
        )
    befores = {c.pk: _relationships_snapshot(c) for c in (contact, other)}
    rel = Relationship(
        office_id=contact.office_id,
        from_contact=contact,
        to_contact=other,
        kind=kind,
        label=label.strip() if kind == RelationshipKind.CUSTOM else "",
        inverse_label=inverse_label.strip() if kind == RelationshipKind.CUSTOM else "",
    )
    rel.full_clean()
    rel.save()
    for c in (contact, other):
        history_record(
            instance=c,
            acting_user=acting_user,
            action=ChangeLog.Action.UPDATE,
            before=befores[c.pk],
            after=_relationships_snapshot(c),
        )
    return rel


@transaction.atomic
def relationship_update(
    *,
    relationship: Relationship,
    acting_user: User | None,
    kind: str,
    label: str = "",
    inverse_label: str = "",
    seen_from: Contact | None = None,
) -> Relationship:
    """Change the kind. `seen_from` is the contact whose page the user edits it on: the kind then
    describes the *other* person from that side, as it was shown there."""
    if kind not in RelationshipKind.values:
        raise ValidationError({"kind": [_("Unknown relationship.")]})
    if kind == RelationshipKind.CUSTOM and not label.strip():
        raise ValidationError({"label": [_("Name the custom relationship.")]})
    people = (relationship.from_contact, relationship.to_contact)
    befores = {c.pk: _relationships_snapshot(c) for c in people}
    if seen_from is not None and seen_from.pk == relationship.to_contact_id:
        # Edited from the other side: store it the other way round, so the labels match what was chosen.
        relationship.from_contact, relationship.to_contact = (
            relationship.to_contact,
            relationship.from_contact,
        )
    relationship.kind = kind
    relationship.label = label.strip() if kind == RelationshipKind.CUSTOM else ""
    relationship.inverse_label = inverse_label.strip() if kind == RelationshipKind.CUSTOM else ""
    relationship.full_clean()
    relationship.save()
    for c in people:
        history_record(
            instance=c,
            acting_user=acting_user,
            action=ChangeLog.Action.UPDATE,
            before=befores[c.pk],
            after=_relationships_snapshot(c),
        )
    return relationship


@transaction.atomic
def relationship_delete(*, relationship: Relationship, acting_user: User | None) -> None:
    ensure_capability(acting_user, Capability.DELETE)
    people = (relationship.from_contact, relationship.to_contact)
    befores = {c.pk: _relationships_snapshot(c) for c in people}
    relationship.delete()
    for c in people:
        history_record(
            instance=c,
            acting_user=acting_user,
            action=ChangeLog.Action.UPDATE,
            before=befores[c.pk],
            after=_relationships_snapshot(c),
        )


def contact_touch_activity(*, contact_id: int, occurred_at: dt.datetime) -> None:
    """Keep `last_activity_at` (list column, sortable by index) at the newest activity."""
    Contact.objects.filter(pk=contact_id).filter(
        Q(last_activity_at__isnull=True) | Q(last_activity_at__lt=occurred_at)
    ).update(last_activity_at=occurred_at)


@transaction.atomic
def contact_photo_set(
    *, contact: Contact, acting_user: User | None, data: bytes, history_note: str = ""
) -> None:
    """Replace the contact's photo with `data` (JPEG/PNG/GIF bytes checked by the caller)."""
    before = contact_snapshot(contact)
    contact.photo.save(f"{contact.pk}.jpg", ContentFile(data), save=False)
    contact.save(update_fields=["photo", "updated_at"])
    history_record(
        instance=contact,
        acting_user=acting_user,
        action=ChangeLog.Action.UPDATE,
        before=before,
        after=contact_snapshot(contact),
        note=history_note,
    )
