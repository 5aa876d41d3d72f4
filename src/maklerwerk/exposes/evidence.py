"""The evidence record (Nachweis): what was sent to a contact about a property and what they accepted.

Built only from stored rows (activities, sent mails, share links), in time order, never retyped.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_noop

from maklerwerk.core.models import Activity

if TYPE_CHECKING:
    import datetime as dt

    from maklerwerk.contacts.models import Contact
    from maklerwerk.properties.models import Property

# Payload keys worth showing, in this order, with their label msgids.
DETAIL_KEYS = [
    ("message_id", gettext_noop("Message-ID")),
    ("to", gettext_noop("To")),
    ("subject", gettext_noop("Subject")),
    ("consent_text_version", gettext_noop("Consent text version")),
    ("consent_text_hash", gettext_noop("Consent text hash")),
    ("text_version", gettext_noop("Text version")),
    ("text_hash", gettext_noop("Text hash")),
    ("ip", gettext_noop("IP address (shortened)")),
    ("coarse_ip", gettext_noop("IP address (shortened)")),
    ("document", gettext_noop("Document")),
    ("document_title", gettext_noop("Document")),
    ("action", gettext_noop("Action")),
    ("expires_at", gettext_noop("Valid until")),
]


@dataclass
class Entry:
    at: dt.datetime
    kind: str
    title: str
    user: str = ""
    details: list[tuple[str, str]] = field(default_factory=list)
    attachments: list[dict[str, Any]] = field(default_factory=list)
    text: str = ""


def _activity_entry(a: Activity) -> Entry:
    payload = a.payload or {}
    details = []
    for key, label in DETAIL_KEYS:
        value = payload.get(key)
        if value not in (None, "", []):
            details.append((label, str(value)))
    return Entry(
        at=a.occurred_at,
        kind=str(a.get_type_display()),
        title=a.subject,
        user=str(a.user) if a.user else "",
        details=details,
        attachments=list(payload.get("attachments") or []),
        text=str(payload.get("text") or a.body or ""),
    )


def _share_link_entries(contact: Contact, prop: Property) -> list[Entry]:
    try:
        from maklerwerk.sharing.models import ShareLink
    except ImportError:
        return []
    names = {f.name for f in ShareLink._meta.get_fields()}
    if not {"contact", "property"} <= names:
        return []
    entries = []
    for link in ShareLink.objects.filter(contact=contact, property=prop):
        created = getattr(link, "created_at", None)
        if created is None:
            continue
        details = []
        if getattr(link, "expires_at", None):
            details.append(
                (gettext_noop("Valid until"), timezone.localtime(link.expires_at).strftime("%d.%m.%Y %H:%M"))
            )
        entries.append(
            Entry(
                at=created,
                kind=gettext_noop("Share link"),
                title=gettext_noop("Share link created"),
                details=details,
            )
        )
    return entries


def evidence_entries(*, contact: Contact, prop: Property) -> list[Entry]:
    """Every stored event between this contact and property, oldest first."""
    activities = (
        Activity.objects.filter(office_id=contact.office_id, contact=contact)
        .filter(Q(property=prop) | Q(property__isnull=True, type=Activity.Type.DOCUMENT_OPENED))
        .select_related("user")
        .order_by("occurred_at", "id")
    )
    entries = [_activity_entry(a) for a in activities]
    # A share link also logs an activity; only add the link itself when it did not.
    logged_links = {str(e.title) for e in entries}
    entries += [e for e in _share_link_entries(contact, prop) if e.title not in logged_links]
    entries.sort(key=lambda e: e.at)
    return entries


def evidence_pdf(*, contact: Contact, prop: Property, acting_user: Any) -> tuple[str, bytes]:
    """(file name, PDF bytes) of the evidence record."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    entries = evidence_entries(contact=contact, prop=prop)
    digest = hashlib.sha256(
        "|".join(f"{e.at.isoformat()}|{e.title}|{e.text}" for e in entries).encode("utf-8")
    ).hexdigest()
    html = render_to_string(
        "exposes/evidence.html",
        {
            "contact": contact,
            "prop": prop,
            "entries": entries,
            "created": timezone.now(),
            "user": acting_user,
            "office": prop.office,
            "digest": digest,
        },
    )
    pdf = HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"}, timeout=1)).write_pdf()
    name = f"Nachweis {slugify(prop.external_id)} {slugify(contact.display_name)}.pdf"
    return name, pdf
