"""Writes of document sharing: links, clouds and their files, per-person access. What a recipient's
visit writes (consent, the access log) is in `visits`."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
import secrets
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from maklerwerk.accounts.roles import Capability
from maklerwerk.core.baseurl import absolute_url
from maklerwerk.core.exceptions import ApplicationError, NotFoundError
from maklerwerk.core.history import history_record, snapshot
from maklerwerk.core.models import Activity, ChangeLog
from maklerwerk.core.services import activity_create
from maklerwerk.integrations.smtp.client import SmtpError
from maklerwerk.mailing.placeholders import LINK_EXPIRY_FIELD, LINK_FIELD, MailContext
from maklerwerk.mailing.sending import MailActivity, mail_send
from maklerwerk.mailing.services import smtp_reason, template_default, template_with_field
from maklerwerk.sharing.models import (
    DEFAULT_LINK_DAYS,
    AccessDeactivation,
    CloudFile,
    CloudFolder,
    DocumentCloud,
    PersonalFile,
    ShareLink,
    SharingSettings,
)

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from maklerwerk.accounts.models import Office, User
    from maklerwerk.contacts.models import Contact
    from maklerwerk.mailing.placeholders import MailContext
    from maklerwerk.properties.models import Property

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")
_TOKEN_SALT = "maklerwerk.sharing.token"  # noqa: S105 - a salt, not a secret
_FILE_SALT = "maklerwerk.sharing.file"


class ConsentGateError(ApplicationError):
    """Only administrators may create a link without the office's consent gate."""

    status_code = 403


# --- tokens -----------------------------------------------------------------------------------------


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _derive_token(seed: str, secret: str) -> str:
    """The URL token of a link: HMAC-SHA256 of its random 256-bit seed under a server-side key."""
    key = hashlib.sha256(f"{_TOKEN_SALT}:{secret}".encode()).digest()
    digest = hmac.new(key, seed.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _secrets() -> list[str]:
    return [settings.SECRET_KEY, *map(str, settings.SECRET_KEY_FALLBACKS)]  # Django always defines them


def share_link_token(link: ShareLink) -> str:
    """The link's token, re-derived (it is never stored). Survives a rotated SECRET_KEY via fallbacks."""
    for secret in _secrets():
        token = _derive_token(link.token_seed, secret)
        if hmac.compare_digest(token_hash(token), link.token_hash):
            return token
    raise ApplicationError(_("This link can no longer be shown; please create a new one."))


def share_link_public_url(link: ShareLink) -> str:
    """The absolute URL the contact opens (base per core/baseurl.py + /sharing/d/<token>/)."""
    return absolute_url(reverse("sharing:public", args=[share_link_token(link)]), office=link.office_id)


def file_key(link: ShareLink, source: str, file_id: int) -> str:
    """An opaque, per-link id of a file in public URLs (no sequential ids, useless with another link)."""
    key = hashlib.sha256(f"{_FILE_SALT}:{settings.SECRET_KEY}".encode()).digest()
    mac = hmac.new(key, f"{link.token_hash}:{source}:{file_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:18]).decode()  # 144 bits, 24 characters


# --- settings and clouds ----------------------------------------------------------------------------


def sharing_settings_for(office: Office) -> SharingSettings:
    found = SharingSettings.objects.filter(office=office).first()
    return found or SharingSettings(office=office)


@transaction.atomic
def sharing_settings_update(
    *, office: Office, acting_user: User | None, consent_gate: bool, require_terms: bool
) -> SharingSettings:
    obj, _created = SharingSettings.objects.get_or_create(office=office)
    before = snapshot(obj)
    obj.consent_gate = consent_gate
    obj.require_terms = require_terms
    obj.full_clean()
    obj.save()
    history_record(instance=obj, acting_user=acting_user, action=ChangeLog.Action.UPDATE, before=before)
    return obj


def cloud_for(prop: Property) -> DocumentCloud:
    """The property's document cloud, created on first use (exactly one per property)."""
    cloud = DocumentCloud.objects.filter(property=prop).first()
    if cloud is not None:
        return cloud
    try:
        with transaction.atomic():
            return DocumentCloud.objects.create(office_id=prop.office_id, property=prop)
    except IntegrityError:  # created concurrently
        return DocumentCloud.objects.get(property=prop)


@transaction.atomic
def cloud_folder_create(*, cloud: DocumentCloud, name: str, acting_user: User | None) -> CloudFolder:
    name = _clean_name(name)
    if not name:
        raise ApplicationError(_("Please enter a folder name."))
    if CloudFolder.objects.filter(cloud=cloud, name=name).exists():
        raise ApplicationError(_("A folder with this name exists already."))
    folder = CloudFolder(office_id=cloud.office_id, cloud=cloud, name=name)
    folder.full_clean()
    folder.save()
    history_record(instance=folder, acting_user=acting_user, action=ChangeLog.Action.CREATE)
    return folder


@transaction.atomic
def cloud_folder_delete(*, folder: CloudFolder, acting_user: User | None) -> None:
    """Delete the folder; its files move to the top level (nothing is lost)."""
    history_record(instance=folder, acting_user=acting_user, action=ChangeLog.Action.DELETE)
    folder.files.update(folder=None)
    folder.delete()


def _check_upload(upload: UploadedFile) -> None:
    limit = getattr(settings, "MAX_UPLOAD_BYTES", 25 * 1024 * 1024)
    if upload.size and upload.size > limit:
        raise ApplicationError(
            _("The file is too large (at most %(mb)s MB).") % {"mb": limit // (1024 * 1024)}
        )


@transaction.atomic
def cloud_file_add(
    *,
    cloud: DocumentCloud,
    upload: UploadedFile,
    acting_user: User | None,
    folder: CloudFolder | None = None,
    name: str = "",
) -> CloudFile:
    _check_upload(upload)
    if folder is not None and folder.cloud_id != cloud.pk:
        raise NotFoundError(_("Unknown folder."))
    obj = CloudFile(
        office_id=cloud.office_id,
        cloud=cloud,
        folder=folder,
        name=_clean_name(name or upload.name or "") or "Datei",
        size=upload.size or 0,
        uploaded_by=acting_user,
    )
    obj.file.save(_clean_name(upload.name or "") or "datei", upload, save=False)
    obj.full_clean()
    obj.save()
    history_record(instance=obj, acting_user=acting_user, action=ChangeLog.Action.CREATE)
    return obj


@transaction.atomic
def cloud_file_delete(*, obj: CloudFile | PersonalFile, acting_user: User | None) -> None:
    history_record(instance=obj, acting_user=acting_user, action=ChangeLog.Action.DELETE)
    storage_name = obj.file.name
    storage = obj.file.storage
    obj.delete()
    transaction.on_commit(lambda: storage.delete(storage_name))  # type: ignore[arg-type]  # stored: named


@transaction.atomic
def personal_file_add(
    *, cloud: DocumentCloud, contact: Contact, upload: UploadedFile, acting_user: User | None, name: str = ""
) -> PersonalFile:
    _check_upload(upload)
    if contact.office_id != cloud.office_id:
        raise NotFoundError(_("Unknown contact."))
    obj = PersonalFile(
        office_id=cloud.office_id,
        cloud=cloud,
        contact=contact,
        name=_clean_name(name or upload.name or "") or "Datei",
        size=upload.size or 0,
        uploaded_by=acting_user,
    )
    obj.file.save(_clean_name(upload.name or "") or "datei", upload, save=False)
    obj.full_clean()
    obj.save()
    history_record(instance=obj, acting_user=acting_user, action=ChangeLog.Action.CREATE)
    return obj


# --- links ------------------------------------------------------------------------------------------


def _check_same_office(office: Office, contact: Contact, prop: Property) -> None:
    if contact.office_id != office.pk:
        raise NotFoundError(_("Unknown contact."), extra={"field": "contact_id"})
    if prop.office_id != office.pk:
        raise NotFoundError(_("Unknown property."), extra={"field": "property_id"})


@transaction.atomic
def share_link_create(
    *,
    office: Office,
    contact: Contact,
    property: Property,
    acting_user: User | None,
    expires_at: dt.datetime | None = None,
    consent_required: bool = True,
) -> ShareLink:
    """A new personal link of `contact` to `property`'s documents (default validity 30 days).

    The office's consent gate protects its commission claims: only administrators may open a link
    without it (`acting_user` None is the system, e.g. a migration or an admin command).
    """
    _check_same_office(office, contact, property)
    if not consent_required and acting_user is not None and not acting_user.can(Capability.MANAGE_OFFICE):
        raise ConsentGateError(
            _("Only administrators may create a link without the consent gate."),
            extra={"field": "consent_required"},
        )
    now = timezone.now()
    if expires_at is None:
        expires_at = now + dt.timedelta(days=DEFAULT_LINK_DAYS)
    if expires_at <= now:
        raise ApplicationError(_("The expiry date must be in the future."), extra={"field": "expires_at"})
    seed = secrets.token_hex(32)  # 256 random bits
    link = ShareLink(
        office=office,
        cloud=cloud_for(property),
        property=property,
        contact=contact,
        token_seed=seed,
        token_hash=token_hash(_derive_token(seed, settings.SECRET_KEY)),
        expires_at=expires_at,
        consent_required=consent_required,
        created_by=acting_user,
    )
    link.full_clean()
    link.save()
    history_record(instance=link, acting_user=acting_user, action=ChangeLog.Action.CREATE)
    activity_create(
        office=office,
        type=Activity.Type.SYSTEM,
        subject=_("Document link created: %(property)s") % {"property": property},
        acting_user=acting_user,
        contact_id=contact.pk,
        property_id=property.pk,
        payload={"share_link_id": link.pk, "expires_at": link.expires_at.isoformat()},
    )
    return link


def share_link_active_q() -> Any:
    from django.db.models import Q

    return Q(deleted_at__isnull=True, expires_at__gt=timezone.now())


def share_link_for_mail(ctx: MailContext, contact: Contact, prop: Property) -> str:
    """`{{ links.dokumente }}` in a mail (registered with mailing in SharingConfig.ready)."""
    link, created = share_link_get_or_create(
        office=ctx.office, contact=contact, property=prop, acting_user=ctx.acting_user
    )
    ctx.created_links.append({"kind": "share_link", "id": link.pk, "created": created})
    return str(share_link_public_url(link))


@transaction.atomic
def share_link_get_or_create(
    *,
    office: Office,
    contact: Contact,
    property: Property,
    acting_user: User | None,
    expires_at: dt.datetime | None = None,
) -> tuple[ShareLink, bool]:
    """An active link of this contact to this property, or a new one. (link, created)

    Used by the offer process (exposé e-mails); the URL is `share_link_public_url(link)`.
    An existing link is reused as it is; its expiry is extended when `expires_at` is later.
    """
    _check_same_office(office, contact, property)
    existing = (
        ShareLink.objects.select_for_update()
        .filter(share_link_active_q(), office=office, contact=contact, property=property)
        .order_by("-expires_at", "-pk")
        .first()
    )
    if existing is not None:
        if expires_at is not None and expires_at > existing.expires_at:
            before = snapshot(existing)
            existing.expires_at = expires_at
            existing.save(update_fields=["expires_at"])
            history_record(
                instance=existing, acting_user=acting_user, action=ChangeLog.Action.UPDATE, before=before
            )
        return existing, False
    return (
        share_link_create(
            office=office, contact=contact, property=property, acting_user=acting_user, expires_at=expires_at
        ),
        True,
    )


@transaction.atomic
def share_link_delete(*, link: ShareLink, acting_user: User | None) -> None:
    """End the link at once. The row stays (soft delete) so its tracking remains evidence."""
    if link.deleted_at is not None:
        return
    before = snapshot(ShareLink.objects.get(pk=link.pk))
    link.deleted_at = timezone.now()
    link.save(update_fields=["deleted_at"])
    history_record(instance=link, acting_user=acting_user, action=ChangeLog.Action.UPDATE, before=before)
    activity_create(
        office=link.office,
        type=Activity.Type.SYSTEM,
        subject=_("Document link deleted: %(property)s") % {"property": link.property},
        acting_user=acting_user,
        contact_id=link.contact_id,
        property_id=link.property_id,
        payload={"share_link_id": link.pk},
    )


SHARE_LINK_TEMPLATE_KEY = "share_link"


def share_link_send_email(*, link: ShareLink, acting_user: User | None) -> str:
    """Mail the link to the contact's first e-mail address; returns the address.

    The text is the office's mail template "Dokumentenfreigabe per E-Mail" (key `share_link`),
    sent through `mailing` (the user's own SMTP account where set) and recorded with an activity.
    """

    if link.deleted_at is not None or link.is_expired:
        raise ApplicationError(_("This link is no longer valid."))
    email = link.contact.emails.order_by("position", "pk").first()
    if email is None:
        raise ApplicationError(_("The contact has no e-mail address."))
    office = link.office
    ctx = MailContext(office=office, acting_user=acting_user, contact=link.contact, prop=link.property)
    # This very link (not another one `links.dokumente` would find or create) and its expiry.
    ctx.cache[LINK_FIELD] = share_link_public_url(link)
    ctx.cache[LINK_EXPIRY_FIELD] = timezone.localtime(link.expires_at).strftime("%d.%m.%Y")
    template = template_default(office=office, key=SHARE_LINK_TEMPLATE_KEY)
    try:
        mail_send(
            office=office,
            ctx=ctx,
            to_email=email.value,
            acting_user=acting_user,
            template=template,
            body=template_with_field(template.body, LINK_FIELD),
            activity=MailActivity(type=Activity.Type.EMAIL_SENT, payload={"share_link_id": link.pk}),
        )
    except SmtpError as exc:
        raise ApplicationError(smtp_reason(exc)) from exc
    return email.value


def share_link_resolve(token: str) -> ShareLink | None:
    """The usable link for `token`, or None: unknown, deleted, expired and deactivated look the same."""
    if not isinstance(token, str) or not TOKEN_RE.match(token):
        return None
    digest = token_hash(token)
    link = (
        ShareLink.objects.select_related("office", "contact", "property", "cloud")
        .filter(token_hash=digest)
        .first()
    )
    if link is None or not hmac.compare_digest(link.token_hash, digest):
        return None
    if link.deleted_at is not None or link.is_expired:
        return None
    if AccessDeactivation.objects.filter(cloud_id=link.cloud_id, contact_id=link.contact_id).exists():
        return None
    return link


# --- per-person access ------------------------------------------------------------------------------


@transaction.atomic
def access_set(*, cloud: DocumentCloud, contact: Contact, active: bool, acting_user: User | None) -> None:
    """Switch one contact's access to this cloud on or off; other contacts are untouched."""
    if contact.office_id != cloud.office_id:
        raise NotFoundError(_("Unknown contact."), extra={"field": "contact_id"})
    existing = AccessDeactivation.objects.filter(cloud=cloud, contact=contact).first()
    if active and existing is not None:
        history_record(instance=existing, acting_user=acting_user, action=ChangeLog.Action.DELETE)
        existing.delete()
        subject = _("Document access reactivated: %(property)s")
    elif not active and existing is None:
        row = AccessDeactivation.objects.create(
            office_id=cloud.office_id, cloud=cloud, contact=contact, created_by=acting_user
        )
        history_record(instance=row, acting_user=acting_user, action=ChangeLog.Action.CREATE)
        subject = _("Document access deactivated: %(property)s")
    else:
        return
    activity_create(
        office=cloud.office,
        type=Activity.Type.SYSTEM,
        subject=subject % {"property": cloud.property},
        acting_user=acting_user,
        contact_id=contact.pk,
        property_id=cloud.property_id,
        payload={"document_cloud_id": cloud.pk, "active": active},
    )


# --- helpers ----------------------------------------------------------------------------------------

_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def _clean_name(name: str) -> str:
    """A file or folder name without path parts or characters file systems and headers dislike."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", name).strip().strip(".").strip()
    return name[:200]


def safe_file_name(name: str) -> str:
    """A title as a file name: separators and control characters become "_", nothing is cut off."""
    name = _UNSAFE.sub("_", name or "")
    name = re.sub(r"\s+", " ", name).strip().strip(".").strip()
    return name[:200]
