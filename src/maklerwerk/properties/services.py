"""Writes for properties, their media and contact roles, and the office's property settings.

Every service is keyword-only, atomic, validates with `full_clean()` and records history on the
property or profile (images, documents and contact roles appear as list changes on the property).
Other apps hear of each create and update through `watchers` (matching re-matches at once).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from maklerwerk.accounts.permissions import ensure_capability
from maklerwerk.accounts.roles import Capability
from maklerwerk.core.exceptions import ApplicationError, ConflictError
from maklerwerk.core.history import history_record, snapshot
from maklerwerk.core.models import ChangeLog
from maklerwerk.properties import selectors
from maklerwerk.properties.images import prepare_image
from maklerwerk.properties.models import (
    MatchSettings,
    Property,
    PropertyContact,
    PropertyDocument,
    PropertyImage,
    PropertyViewer,
)
from maklerwerk.properties.places import place_coordinates
from maklerwerk.properties.selectors import prospect_link_get
from maklerwerk.properties.watchers import states_before, tell_watchers

if TYPE_CHECKING:
    from maklerwerk.accounts.models import Office, User
    from maklerwerk.contacts.models import Contact

PROPERTY_DERIVED = {
    "match_price",
    "city_key",
    "district_key",
    "features_mask",
    "geo_band",
    "created_by",
    "office",
}
DOCUMENT_EXTENSIONS = {
    "pdf",
    "jpg",
    "jpeg",
    "png",
    "webp",
    "tif",
    "tiff",
    "doc",
    "docx",
    "xls",
    "xlsx",
    "odt",
    "ods",
    "txt",
}


# --- snapshots ------------------------------------------------------------------------------------


def property_snapshot(prop: Property) -> dict[str, Any]:
    """What the property's history tracks: its fields plus images, documents and viewers.

    Not the contact roles: a listing gathers thousands of prospects, and every change would copy
    them all. Each role change records its own line (`_record_contact_role`).
    """
    extra = {
        "images": [
            f"{i.caption or i.file.name.rsplit('/', 1)[-1]} ({i.get_kind_display()})"  # type: ignore[union-attr]  # named
            for i in prop.images.all()
        ],
        "documents": [
            f"{d.title} ({d.get_kind_display()}{', ' + str(_('protected')) if d.protected else ''})"
            for d in prop.documents.all()
        ],
        "viewers": sorted(str(v.user) for v in prop.viewers.select_related("user")),
    }
    return {k: v for k, v in snapshot(prop, extra=extra).items() if k not in PROPERTY_DERIVED}


def _record_property_change(prop: Property, before: dict[str, Any], acting_user: User | None) -> None:
    """Media, documents and contact roles are part of the property's snapshot, so their changes
    are recorded in the property's history."""
    history_record(
        instance=prop,
        acting_user=acting_user,
        action=ChangeLog.Action.UPDATE,
        before=before,
        after=property_snapshot(prop),
    )


def _media_changed(prop: Property) -> None:
    """Pictures and documents are part of what portals publish: their change is a change of the
    property (`updated_at`), which the portal transfer looks for."""
    prop.updated_at = property_published_content_changed(property_id=prop.pk)


def property_published_content_changed(*, property_id: int) -> dt.datetime:
    """Something other apps publish with the property changed (e.g. a virtual tour switched on or
    off): its `updated_at` moves, so the next partial portal transfer sends it. Returns the time."""
    now = timezone.now()
    Property.objects.filter(pk=property_id).update(updated_at=now)
    return now


def _contact_role_line(link: PropertyContact, contact: Contact) -> str:
    status = f" – {link.get_interest_status_display()}" if link.interest_status else ""
    return f"{contact}: {link.get_role_display()}{status}"


def _record_contact_role(prop: Property, old: str | None, new: str | None, acting_user: User | None) -> None:
    """One history line per role change ("Anna Schäfer: Interessent – Exposé versendet"), so linking
    the 1,000th prospect costs what the first did."""
    history_record(
        instance=prop,
        acting_user=acting_user,
        action=ChangeLog.Action.UPDATE,
        before={"contact_role": old},
        after={"contact_role": new},
    )


def _fresh_property(prop: Property) -> Property:
    return Property.objects.get(pk=prop.pk)


# --- properties -----------------------------------------------------------------------------------


def _check_agent(office_id: int, user: Any) -> None:
    if user is not None and getattr(user, "office_id", None) != office_id:
        raise ApplicationError(_("Unknown user."), extra={"field": "responsible_agent"})


def _locate(prop: Property, data: dict[str, Any], *, stored: Property | None) -> None:
    """Coordinates come from the address (packaged place list), never from typing: set when the place
    changed or none are known. Coordinates given explicitly (API, import) are kept."""
    if data.get("latitude") is not None or data.get("longitude") is not None:
        return
    moved = stored is None or any(
        getattr(stored, f) != getattr(prop, f) for f in ("city", "district", "postal_code", "country")
    )
    if not moved and prop.latitude is not None:
        return
    found = place_coordinates(
        city=prop.city, district=prop.district, postal_code=prop.postal_code, country=prop.country
    )
    if found is not None or moved:
        prop.latitude, prop.longitude = found or (None, None)


@transaction.atomic
def property_create(
    *,
    office: Office,
    acting_user: User | None,
    data: dict[str, Any],
    viewers: list[User] | None = None,
    images: list[Any] | None = None,
) -> Property:
    """Create a property; if it is in active marketing, record its matches as "new in the portfolio".

    Without an external id it gets the next one by the office's pattern (MW-0021). `images` are added
    in the same transaction: one bad picture and nothing is created, so the form can be sent again."""
    if not (data.get("external_id") or "").strip():
        data = {**data, "external_id": selectors.kennung_suggest(office_id=office.pk)}
    prop = Property(office=office, created_by=acting_user)
    for key, value in data.items():
        setattr(prop, key, value)
    if prop.responsible_agent_id is None and acting_user is not None and "responsible_agent" not in data:
        prop.responsible_agent = acting_user
    _check_agent(office.pk, prop.responsible_agent)
    _locate(prop, data, stored=None)
    prop.refresh_match_fields()
    if Property.objects.filter(office=office, external_id=prop.external_id).exists():
        raise ConflictError(
            _("A property with this external id already exists."), extra={"field": "external_id"}
        )
    prop.full_clean(validate_constraints=False)
    prop.save()
    prop.refresh_from_db()  # decimals as stored, so history compares like with like
    if viewers is not None:
        _set_viewers(prop, viewers)
    history_record(
        instance=prop, acting_user=acting_user, action=ChangeLog.Action.CREATE, after=property_snapshot(prop)
    )
    if images:
        property_images_add(prop=prop, acting_user=acting_user, files=images)
    tell_watchers(prop, None)  # matching: new matches
    return prop


@transaction.atomic
def property_update(
    *, prop: Property, acting_user: User | None, data: dict[str, Any], viewers: list[User] | None = None
) -> Property:
    """Change a property; pairs that start to match are recorded ("Preis gesenkt", ...)."""
    stored = _fresh_property(prop)
    before = property_snapshot(stored)
    watched = states_before(stored)
    for key, value in data.items():
        setattr(prop, key, value)
    if prop.external_id != stored.external_id:
        listed = selectors.kennung_locked_by(prop=stored)
        if listed:
            raise ApplicationError(
                _(
                    "The external id can no longer change: the property is published (%(where)s) and "
                    "portals and their inquiries find it by this id."
                )
                % {"where": ", ".join(listed)},
                extra={"field": "external_id"},
            )
    _check_agent(prop.office_id, prop.responsible_agent)
    _locate(prop, data, stored=stored)
    prop.refresh_match_fields()
    if (
        Property.objects.filter(office_id=prop.office_id, external_id=prop.external_id)
        .exclude(pk=prop.pk)
        .exists()
    ):
        raise ConflictError(
            _("A property with this external id already exists."), extra={"field": "external_id"}
        )
    prop.full_clean(validate_constraints=False)
    prop.save()
    prop.refresh_from_db()  # decimals as stored, so history compares like with like
    if viewers is not None:
        _set_viewers(prop, viewers)
    _record_property_change(prop, before, acting_user)
    tell_watchers(prop, watched)
    return prop


def _set_viewers(prop: Property, users: list[User]) -> None:
    for u in users:
        _check_agent(prop.office_id, u)
    PropertyViewer.objects.filter(property=prop).exclude(user__in=users).delete()
    have = set(PropertyViewer.objects.filter(property=prop).values_list("user_id", flat=True))
    PropertyViewer.objects.bulk_create(
        [PropertyViewer(property=prop, user=u) for u in users if u.pk not in have]
    )


@transaction.atomic
def property_delete(*, prop: Property, acting_user: User | None) -> None:
    ensure_capability(acting_user, Capability.DELETE)
    before = property_snapshot(prop)
    files = [i.file.name for i in prop.images.all()] + [i.thumbnail.name for i in prop.images.all()]
    files += [d.file.name for d in prop.documents.all()]
    history_record(instance=prop, acting_user=acting_user, action=ChangeLog.Action.DELETE, before=before)
    storage = PropertyImage._meta.get_field("file").storage
    prop.delete()
    transaction.on_commit(lambda: [storage.delete(name) for name in files if name])  # type: ignore[func-returns-value]  # runs them


# --- images ---------------------------------------------------------------------------------------


@transaction.atomic
def property_images_add(
    *,
    prop: Property,
    acting_user: User | None,
    files: list[Any],
    kind: str = PropertyImage.Kind.PHOTO,
    captions: list[str] | None = None,
) -> list[PropertyImage]:
    """Add several pictures at once, after the last one. All are checked first: one bad file, none saved."""
    if not files:
        raise ApplicationError(_("Choose at least one image."), extra={"field": "files"})
    if kind not in PropertyImage.Kind.values:
        raise ApplicationError(_("Unknown image kind."), extra={"field": "kind"})
    prepared = [prepare_image(f) for f in files]  # raises before anything is written
    before = property_snapshot(prop)
    position = (prop.images.order_by("-position").values_list("position", flat=True).first() or 0) + 1
    created: list[PropertyImage] = []
    written: list[str] = []
    try:
        for i, item in enumerate(prepared):
            image = PropertyImage(
                property=prop,
                kind=kind,
                caption=((captions or [])[i] if captions and i < len(captions) else "")[:200],
                position=position + i,
            )
            image.file.save(item.name, ContentFile(item.content), save=False)
            written.append(image.file.name)  # type: ignore[arg-type]  # just saved: named
            image.thumbnail.save(
                f"thumb_{item.name.rsplit('.', 1)[0]}.jpg", ContentFile(item.thumbnail), save=False
            )
            written.append(image.thumbnail.name)  # type: ignore[arg-type]  # just saved: named
            image.full_clean()
            image.save()
            created.append(image)
    except Exception:
        storage = PropertyImage._meta.get_field("file").storage
        for name in written:
            storage.delete(name)
        raise
    _record_property_change(prop, before, acting_user)
    _media_changed(prop)
    return created


@transaction.atomic
def property_images_reorder(*, prop: Property, acting_user: User | None, image_ids: list[int]) -> None:
    """New order of the pictures; the first is the title image. Must name exactly the property's images."""
    current = list(prop.images.values_list("pk", flat=True))
    if sorted(current) != sorted(image_ids) or len(set(image_ids)) != len(image_ids):
        raise ApplicationError(
            _("The new order must list every image of the property once."), extra={"field": "image_ids"}
        )
    before = property_snapshot(prop)
    images = PropertyImage.objects.in_bulk(image_ids)
    for position, pk in enumerate(image_ids, start=1):
        images[pk].position = position
    PropertyImage.objects.bulk_update(images.values(), ["position"])
    _record_property_change(prop, before, acting_user)
    _media_changed(prop)


@transaction.atomic
def property_image_update(
    *, image: PropertyImage, acting_user: User | None, caption: str, kind: str
) -> PropertyImage:
    prop = image.property
    before = property_snapshot(prop)
    image.caption = caption
    image.kind = kind
    image.full_clean()
    image.save(update_fields=["caption", "kind"])
    _record_property_change(prop, before, acting_user)
    _media_changed(prop)
    return image


@transaction.atomic
def property_image_delete(*, image: PropertyImage, acting_user: User | None) -> None:
    ensure_capability(acting_user, Capability.DELETE)
    prop = image.property
    before = property_snapshot(prop)
    names = [image.file.name, image.thumbnail.name]
    storage = image.file.storage
    image.delete()
    _record_property_change(prop, before, acting_user)
    _media_changed(prop)
    transaction.on_commit(lambda: [storage.delete(n) for n in names if n])  # type: ignore[func-returns-value]  # runs them


# --- documents ------------------------------------------------------------------------------------


@transaction.atomic
def property_document_add(
    *, prop: Property, acting_user: User | None, file: Any, kind: str, title: str = "", protected: bool = True
) -> PropertyDocument:
    from django.conf import settings

    name = getattr(file, "name", "") or ""
    if not file:
        raise ApplicationError(_("Choose a file."), extra={"field": "file"})
    if (getattr(file, "size", 0) or 0) > settings.MAX_UPLOAD_BYTES:
        raise ApplicationError(
            _("The file is too large (at most %(mb)s MB).")
            % {"mb": settings.MAX_UPLOAD_BYTES // (1024 * 1024)},
            extra={"field": "file"},
        )
    if name.rsplit(".", 1)[-1].lower() not in DOCUMENT_EXTENSIONS:
        raise ApplicationError(
            _("This file type is not allowed (PDF, images, office documents)."), extra={"field": "file"}
        )
    before = property_snapshot(prop)
    doc = PropertyDocument(
        property=prop,
        kind=kind,
        title=(title or name.rsplit(".", 1)[0])[:200],
        protected=protected,
        size=file.size or 0,
    )
    doc.file.save(name.rsplit("/", 1)[-1], file, save=False)
    try:
        doc.full_clean()
        doc.save()
    except Exception:
        doc.file.storage.delete(doc.file.name)  # type: ignore[arg-type]  # just saved: named
        raise
    _record_property_change(prop, before, acting_user)
    _media_changed(prop)
    return doc


@transaction.atomic
def property_document_update(
    *, document: PropertyDocument, acting_user: User | None, title: str, kind: str, protected: bool
) -> PropertyDocument:
    prop = document.property
    before = property_snapshot(prop)
    document.title, document.kind, document.protected = title, kind, protected
    document.full_clean()
    document.save(update_fields=["title", "kind", "protected"])
    _record_property_change(prop, before, acting_user)
    _media_changed(prop)
    return document


@transaction.atomic
def property_document_delete(*, document: PropertyDocument, acting_user: User | None) -> None:
    ensure_capability(acting_user, Capability.DELETE)
    prop = document.property
    before = property_snapshot(prop)
    name, storage = document.file.name, document.file.storage
    document.delete()
    _record_property_change(prop, before, acting_user)
    _media_changed(prop)
    transaction.on_commit(lambda: storage.delete(name))  # type: ignore[arg-type]  # a stored file: named


# --- contact roles --------------------------------------------------------------------------------


@transaction.atomic
def property_contact_set(
    *,
    prop: Property,
    contact: Contact,
    acting_user: User | None,
    role: str,
    interest_status: str = "",
    note: str = "",
) -> PropertyContact:
    """Add a contact in a role, or change the interest status/note of the existing role."""
    if contact.office_id != prop.office_id:
        raise ApplicationError(_("Unknown contact."), extra={"field": "contact"})
    link = PropertyContact.objects.filter(property=prop, contact=contact, role=role).first()
    old = _contact_role_line(link, contact) if link else None
    if link is None:
        link = PropertyContact(office_id=prop.office_id, property=prop, contact=contact, role=role)
    link.interest_status = interest_status
    link.note = note
    # Property and contact are given (same office, checked above); a second link in the same role
    # is refused by the database's unique constraint below (no query to look for it first).
    link.full_clean(exclude=["office", "property", "contact"])
    try:
        with transaction.atomic():
            link.save()
    except IntegrityError as exc:
        raise ConflictError(_("This contact already has this role.")) from exc
    _record_contact_role(prop, old, _contact_role_line(link, contact), acting_user)
    return link


def property_prospect_ensure(
    *, prop: Property, contact: Contact, note: str = "", interest_status: str = ""
) -> PropertyContact:
    """The contact as a prospect of the property (inquiries, offers); an existing link keeps its note
    and its status unless `interest_status` is given."""

    existing = prospect_link_get(property_id=prop.pk, contact_id=contact.pk)
    if existing is not None and (not interest_status or existing.interest_status == interest_status):
        return existing
    return property_contact_set(
        prop=prop,
        contact=contact,
        acting_user=None,
        role=PropertyContact.Role.PROSPECT,
        interest_status=interest_status or (existing.interest_status if existing else "") or "new",
        note=(existing.note if existing else note)[:300],
    )


@transaction.atomic
def property_contact_delete(*, link: PropertyContact, acting_user: User | None) -> None:
    ensure_capability(acting_user, Capability.DELETE)
    prop = link.property
    old = _contact_role_line(link, link.contact)
    link.delete()
    _record_contact_role(prop, old, None, acting_user)


# --- settings --------------------------------------------------------------------------------------


@transaction.atomic
def match_settings_update(*, office: Office, acting_user: User | None, data: dict[str, Any]) -> MatchSettings:
    settings_row, _created = MatchSettings.objects.get_or_create(office=office)
    before = snapshot(settings_row)
    for key, value in data.items():
        setattr(settings_row, key, value)
    settings_row.full_clean()
    settings_row.save()
    history_record(
        instance=settings_row, acting_user=acting_user, action=ChangeLog.Action.UPDATE, before=before
    )
    return settings_row
