"""Reads of document sharing. Agent-facing selectors take `user` and scope by the office."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from maklerwerk.properties.models import PropertyDocument
from maklerwerk.properties.selectors import property_get, property_visible_q
from maklerwerk.sharing.models import (
    AccessDeactivation,
    AccessEvent,
    CloudFile,
    ConsentAcceptance,
    DocumentCloud,
    PersonalFile,
    ShareLink,
)
from maklerwerk.sharing.services import cloud_for, file_key, safe_file_name
from maklerwerk.sharing.visits import TrackedFile

if TYPE_CHECKING:
    from django.db.models.fields.files import FieldFile

    from maklerwerk.accounts.models import User
    from maklerwerk.contacts.models import Contact


@dataclass
class Entry:
    """One file as the public page shows it."""

    source: str
    id: int
    name: str
    filename: str  # for Content-Disposition and inside the ZIP
    size: int
    folder: str
    file: FieldFile
    key: str = ""

    @property
    def extension(self) -> str:
        return self.filename.rsplit(".", 1)[-1].lower() if "." in self.filename else ""

    @property
    def icon(self) -> str:
        ext = self.extension
        if ext == "pdf":
            return "ti-file-type-pdf"
        if ext in {"jpg", "jpeg", "png", "gif", "webp", "tif", "tiff"}:
            return "ti-photo"
        if ext in {"doc", "docx", "odt", "rtf"}:
            return "ti-file-type-doc"
        if ext in {"xls", "xlsx", "ods", "csv"}:
            return "ti-file-spreadsheet"
        if ext == "zip":
            return "ti-file-zip"
        return "ti-file"

    def tracked(self) -> TrackedFile:
        return TrackedFile(source=self.source, id=self.id, name=self.filename, size=self.size)


def _download_name(title: str, stored_name: str | None) -> str:
    stored = stored_name or ""
    base = safe_file_name(title) or "Dokument"
    ext = stored.rsplit(".", 1)[-1] if "." in stored.rsplit("/", 1)[-1] else ""
    if ext and not base.lower().endswith("." + ext.lower()) and len(ext) <= 8:
        base = f"{base}.{ext}"
    return base


def cloud_entries(cloud: DocumentCloud, contact: Contact | Any | None = None) -> list[Entry]:
    """The property's protected documents, the cloud's files, and (with `contact`) their personal files."""

    entries: list[Entry] = []
    docs = PropertyDocument.objects.filter(property_id=cloud.property_id, protected=True).only(
        "pk", "title", "file", "size"
    )
    for d in docs:
        entries.append(
            Entry(
                AccessEvent.Source.PROPERTY_DOCUMENT,
                d.pk,
                d.title,
                _download_name(d.title, d.file.name),
                d.size,
                "",
                d.file,
            )
        )
    for f in CloudFile.objects.filter(cloud=cloud).select_related("folder"):
        entries.append(
            Entry(
                AccessEvent.Source.CLOUD_FILE,
                f.pk,
                f.name,
                _download_name(f.name, f.file.name),
                f.size,
                f.folder.name if f.folder else "",
                f.file,
            )
        )
    if contact is not None:
        personal = str(_("Personal documents"))
        for p in PersonalFile.objects.filter(cloud=cloud, contact=contact):
            entries.append(
                Entry(
                    AccessEvent.Source.PERSONAL_FILE,
                    p.pk,
                    p.name,
                    _download_name(p.name, p.file.name),
                    p.size,
                    personal,
                    p.file,
                )
            )
    return entries


def link_entries(link: ShareLink) -> list[Entry]:
    entries = cloud_entries(link.cloud, link.contact)
    for e in entries:
        e.key = file_key(link, e.source, e.id)
    return entries


def filter_entries(entries: list[Entry], q: str, sort: str) -> list[Entry]:
    """What the public page shows: files whose name or folder contains `q`, sorted by name or size."""
    needle = (q or "").strip().casefold()
    if needle:
        entries = [e for e in entries if needle in e.name.casefold() or needle in e.folder.casefold()]
    if sort in {"size", "-size"}:
        entries = sorted(entries, key=lambda e: (e.size, e.name.casefold()), reverse=sort == "-size")
    else:
        entries = sorted(entries, key=lambda e: e.name.casefold(), reverse=sort == "-name")
    return entries


def group_by_folder(entries: list[Entry]) -> list[tuple[str, list[Entry]]]:
    """Top-level files first, then folders by name."""
    groups: dict[str, list[Entry]] = {}
    for e in entries:
        groups.setdefault(e.folder, []).append(e)
    return sorted(groups.items(), key=lambda kv: (kv[0] != "", kv[0].casefold()))


# --- agent side -------------------------------------------------------------------------------------


def _visible(user: User) -> Q:
    """Rows of properties the user may see (restricted properties stay restricted here too)."""

    return property_visible_q(user)


def share_links(
    *, user: User, contact_id: int | None = None, property_id: int | None = None
) -> QuerySet[ShareLink]:
    qs = (
        ShareLink.objects.filter(office=user.office_id)
        .filter(_visible(user))
        .select_related("contact", "property", "created_by")
    )
    if contact_id is not None:
        qs = qs.filter(contact_id=contact_id)
    if property_id is not None:
        qs = qs.filter(property_id=property_id)
    return qs.annotate(
        download_count=Count("events", filter=Q(events__kind__in=["download", "zip"]), distinct=True)
    )


def share_link_get(*, user: User, pk: int) -> ShareLink:
    try:
        return (
            ShareLink.objects.select_related("contact", "property", "office", "cloud")
            .filter(_visible(user))
            .get(pk=pk, office=user.office_id)
        )
    except (ShareLink.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def link_state(link: ShareLink, deactivated: set[int] | None = None) -> str:
    if link.deleted_at is not None:
        return "deleted"
    if link.expires_at <= timezone.now():
        return "expired"
    if deactivated is not None and link.contact_id in deactivated:
        return "deactivated"
    return "active"


def deactivated_contacts(cloud_id: int | None) -> set[int]:
    if cloud_id is None:
        return set()
    return set(AccessDeactivation.objects.filter(cloud_id=cloud_id).values_list("contact_id", flat=True))


def access_events(
    *,
    user: User,
    contact_id: int | None = None,
    property_id: int | None = None,
    link_id: int | None = None,
) -> QuerySet[AccessEvent]:
    qs = (
        AccessEvent.objects.filter(office=user.office_id)
        .filter(_visible(user))
        .select_related("contact", "property")
    )
    if contact_id is not None:
        qs = qs.filter(contact_id=contact_id)
    if property_id is not None:
        qs = qs.filter(property_id=property_id)
    if link_id is not None:
        qs = qs.filter(link_id=link_id)
    return qs


@dataclass
class AccessRow:
    contact: Any
    active: bool
    links: int
    opened: int
    valid_until: Any


def access_overview(cloud: DocumentCloud) -> list[AccessRow]:
    """Every contact with a link to this cloud that is neither deleted nor expired, and whether it is on."""
    off = deactivated_contacts(cloud.pk)
    rows: dict[int, AccessRow] = {}
    links = ShareLink.objects.filter(
        cloud=cloud, deleted_at__isnull=True, expires_at__gt=timezone.now()
    ).select_related("contact")
    for link in links.order_by("contact__last_name", "contact__first_name", "pk"):
        row = rows.get(link.contact_id)
        if row is None:
            row = rows[link.contact_id] = AccessRow(link.contact, link.contact_id not in off, 0, 0, None)
        row.links += 1
        row.opened += link.open_count
        row.valid_until = max(row.valid_until or link.expires_at, link.expires_at)
    return list(rows.values())


def consents_for_contact(*, user: User, contact_id: int) -> QuerySet[ConsentAcceptance]:
    return (
        ConsentAcceptance.objects.filter(office=user.office_id, contact_id=contact_id)
        .filter(_visible(user))
        .select_related("property")
    )


def personal_files_for_contact(*, user: User, contact_id: int) -> QuerySet[PersonalFile]:
    """The contact's personal files in clouds of properties the user may see."""
    return (
        PersonalFile.objects.filter(office=user.office_id, contact_id=contact_id)
        .filter(_visible_cloud(user))
        .select_related("cloud__property")
    )


def _visible_cloud(user: User) -> Q:

    return property_visible_q(user, "cloud__property")


def agent_file_get(*, user: User, source: str, pk: int) -> CloudFile | PersonalFile:
    """A cloud or personal file of a property the user may see; else 404."""
    by_source: dict[str, type[CloudFile] | type[PersonalFile]] = {
        "cloud": CloudFile,
        "personal": PersonalFile,
    }
    model = by_source.get(source)
    if model is None:
        raise Http404
    obj = model.objects.filter(pk=pk, office=user.office_id).filter(_visible_cloud(user)).first()
    if obj is None:
        raise Http404
    return obj


def cloud_get(*, user: User, property_id: int) -> DocumentCloud:
    """The cloud of a property the user may see (created on first use); else 404."""

    return cloud_for(property_get(user=user, pk=property_id))
