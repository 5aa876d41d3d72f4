"""A recipient's visit of a share link: the consent gate (texts, need, acceptance) and the access
log (views and downloads, coarse IPs, a cap per link)."""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from maklerwerk.contacts.services import contact_terms_confirm
from maklerwerk.core.models import Activity
from maklerwerk.core.services import activity_create
from maklerwerk.sharing.models import (
    AccessEvent,
    ConsentAcceptance,
    ShareLink,
)
from maklerwerk.sharing.services import sharing_settings_for

if TYPE_CHECKING:
    from maklerwerk.accounts.models import Office


# --- consent ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConsentTexts:
    cancellation_notice: str
    terms: str  # empty when not required
    version: str  # SHA-256 over both texts: a changed text asks again

    @property
    def combined(self) -> str:
        parts = [f"Widerrufsbelehrung\n\n{self.cancellation_notice}"]
        if self.terms:
            parts.append(f"AGB\n\n{self.terms}")
        return "\n\n".join(parts)


def consent_texts(office: Office) -> ConsentTexts:
    cfg = sharing_settings_for(office)
    notice = office.cancellation_notice_text or ""
    terms = office.terms_text if cfg.require_terms else ""
    version = hashlib.sha256(f"{notice}\x00{terms or ''}".encode()).hexdigest()
    return ConsentTexts(cancellation_notice=notice, terms=terms or "", version=version)


def consent_needed(link: ShareLink) -> bool:
    """Does the visitor still have to accept the texts before seeing the documents?"""
    if not link.consent_required or not sharing_settings_for(link.office).consent_gate:
        return False
    texts = consent_texts(link.office)
    if not texts.cancellation_notice and not texts.terms:
        return False
    return not ConsentAcceptance.objects.filter(link=link, text_version=texts.version).exists()


@transaction.atomic
def consent_accept(*, link: ShareLink, ip: str, user_agent: str) -> ConsentAcceptance:
    texts = consent_texts(link.office)
    consent = ConsentAcceptance.objects.create(
        office=link.office,
        link=link,
        contact_id=link.contact_id,
        property_id=link.property_id,
        text_version=texts.version,
        cancellation_notice_sha256=hashlib.sha256(texts.cancellation_notice.encode()).hexdigest(),
        terms_sha256=hashlib.sha256(texts.terms.encode()).hexdigest() if texts.terms else "",
        accepted_text=texts.combined,
        ip_coarse=coarse_ip(ip),
        user_agent=user_agent[:300],
    )
    what = _("cancellation notice and terms") if texts.terms else _("cancellation notice")
    # The contact's "AGB / Provision" record is the one source the badge reads: the gate confirms it.

    contact_terms_confirm(
        contact_id=link.contact_id,
        confirmed_on=timezone.localdate(consent.accepted_at),
        via="online",
        acting_user=None,
        # No property named: the contact's history is read by colleagues who may not see it.
        note=_("Accepted via document link"),
    )
    activity_create(
        office=link.office,
        type=Activity.Type.SYSTEM,
        subject=_("%(what)s accepted via document link") % {"what": what[:1].upper() + what[1:]},
        acting_user=None,
        contact_id=link.contact_id,
        property_id=link.property_id,
        payload={
            "share_link_id": link.pk,
            "consent_id": consent.pk,
            "text_version": texts.version,
            "ip": consent.ip_coarse,
        },
    )
    return consent


# --- tracking --------------------------------------------------------------------------------------


def coarse_ip(ip: str) -> str:
    """The visitor's network, not the address: IPv4 /24, IPv6 /48."""
    try:
        addr = ipaddress.ip_address((ip or "").strip())
    except ValueError:
        return ""
    prefix = 24 if addr.version == 4 else 48
    return str(ipaddress.ip_network(f"{addr}/{prefix}", strict=False))


@dataclass(frozen=True)
class TrackedFile:
    source: str
    id: int
    name: str
    size: int


def _max_events_per_link() -> int:
    return int(getattr(settings, "SHARING_MAX_EVENTS_PER_LINK", 2000))


@transaction.atomic
def access_record(
    *,
    link: ShareLink,
    kind: str,
    ip: str,
    user_agent: str,
    files: list[TrackedFile] | None = None,
) -> None:
    """Record a view, a download or a ZIP download: tracking rows plus one activity on the contact.

    Tracking stays bounded: a repeat of the same access (link, action, file, network, browser) on
    the same day raises the count of that day's first row, and the activity is only logged for the
    first. Once a link has `SHARING_MAX_EVENTS_PER_LINK` rows, further accesses are counted on the
    latest row of the same action and file. The first access of each day stays a row of its own,
    which is what the evidence record (Nachweis) needs.
    """
    now = timezone.now()
    net = coarse_ip(ip)
    ua = (user_agent or "")[:300]
    files = files or []
    base = {
        "office_id": link.office_id,
        "link": link,
        "contact_id": link.contact_id,
        "property_id": link.property_id,
        "kind": kind,
        "at": now,
        "user_agent": ua,
        "ip_coarse": net,
    }
    day_start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    full = AccessEvent.objects.filter(link=link).count() >= _max_events_per_link()
    new_rows = []
    targets: Sequence[TrackedFile | None] = files or [None]
    for f in targets:
        same_file = {
            "link": link,
            "kind": kind,
            "file_source": f.source if f else "",
            "file_id": f.id if f else None,
        }
        repeats = AccessEvent.objects.filter(**same_file)
        if not full:
            repeats = repeats.filter(ip_coarse=net, user_agent=ua, at__gte=day_start)
        latest = repeats.order_by("-at", "-pk").values("pk")[:1]
        if AccessEvent.objects.filter(pk__in=latest).update(count=F("count") + 1, last_at=now):
            continue
        extra = (
            {"file_source": f.source, "file_id": f.id, "file_name": f.name, "file_size": f.size} if f else {}
        )
        new_rows.append(AccessEvent(**base, **extra))
    AccessEvent.objects.bulk_create(new_rows)
    if kind == AccessEvent.Kind.VIEW:
        ShareLink.objects.filter(pk=link.pk).update(open_count=F("open_count") + 1, last_opened_at=now)
    if not new_rows:
        return  # a repeat: counted above, already in the activity log
    payload: dict[str, Any] = {"share_link_id": link.pk, "event": kind, "ip": net, "user_agent": ua}
    if kind == AccessEvent.Kind.VIEW:
        subject = _("Document link opened: %(property)s") % {"property": link.property}
    elif kind == AccessEvent.Kind.ZIP:
        payload["files"] = [{"source": f.source, "id": f.id, "name": f.name, "size": f.size} for f in files]
        subject = _("%(n)s documents downloaded as ZIP: %(property)s") % {
            "n": len(files),
            "property": link.property,
        }
    else:
        f = files[0]
        payload["file"] = {"source": f.source, "id": f.id, "name": f.name, "size": f.size}
        subject = _("Document downloaded: %(name)s") % {"name": f.name}
    activity_create(
        office=link.office,
        type=Activity.Type.DOCUMENT_OPENED,
        subject=subject[:300],
        acting_user=None,
        occurred_at=now,
        contact_id=link.contact_id,
        property_id=link.property_id,
        payload=payload,
    )
