"""Writes of the tours app: link a tour, publish it, registrations (→ inquiry), access grants.

Beacons, visits and the provider webhook are in `tracking`; the 360° title image in `banner`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from maklerwerk.accounts.permissions import Capability, ensure_capability
from maklerwerk.core import crypto
from maklerwerk.core.baseurl import absolute_url
from maklerwerk.core.exceptions import ApplicationError, ConflictError
from maklerwerk.core.history import history_record, snapshot
from maklerwerk.core.models import ChangeLog
from maklerwerk.inquiries.automation import automation_start
from maklerwerk.inquiries.services import (
    inquiry_create_from_form,
    portal_listing_forget,
    portal_listing_record,
)
from maklerwerk.mailing.placeholders import MailContext, contact_email
from maklerwerk.mailing.sending import mail_send
from maklerwerk.mailing.services import template_default, template_with_field
from maklerwerk.portals.selectors import portal_names
from maklerwerk.properties.services import property_published_content_changed
from maklerwerk.sharing.visits import consent_texts
from maklerwerk.tours import providers
from maklerwerk.tours.models import DEFAULT_GRANT_DAYS, Grant, Registration, Tour

if TYPE_CHECKING:
    from maklerwerk.accounts.models import User
    from maklerwerk.contacts.models import Contact
    from maklerwerk.properties.models import Property

INQUIRY_SOURCE = "tour"  # inquiries.models.Source.TOUR ("Rundgang")
CRYPTO_PURPOSE = "tours.webhook"  # HKDF info of the webhook secrets: never change it
GRANT_TEMPLATE = "tour_access"
GRANT_FIELD = "links.rundgang"
ROOM_KEY_RE = re.compile(r"[^a-z0-9_-]+")
# Switches of a published tour: the exposé, every OpenImmo feed, IS24, or one portal ("portal:<id>").
CHANNELS = ("expose", "openimmo", "is24")


# --- tokens ----------------------------------------------------------------------------------------


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def webhook_secret(tour: Tour) -> str:
    return crypto.decrypt(tour.webhook_secret_encrypted, purpose=CRYPTO_PURPOSE)


def page_url(tour: Tour) -> str:
    """The restricted link: Maklerwerk's tour page (open rooms and the registration form)."""
    return absolute_url(reverse("tours:page", args=[tour.page_key]), office=tour.office_id)


def grant_url(token: str, *, office_id: int) -> str:
    return absolute_url(reverse("tours:personal", args=[token]), office=office_id)


# --- link ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TourData:
    link: str = ""  # a pasted link or id; the provider is recognised from it
    provider: str = ""
    external_id: str = ""
    title: str = ""
    restricted_url: str = ""
    embed_url: str = ""
    requires_registration: bool = False
    rooms: tuple[dict[str, Any], ...] = ()


def rooms_clean(rooms: Any) -> list[dict[str, Any]]:
    """[{key, name, restricted}] with unique, URL-safe keys; a bad list is a German 400."""
    if not isinstance(rooms, list | tuple):
        raise ApplicationError(_("Rooms must be a list."))
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for raw in rooms[:100]:
        if not isinstance(raw, dict):
            raise ApplicationError(_("Each room needs a key and a name."))
        name = str(raw.get("name") or "").strip()[:100]
        key = ROOM_KEY_RE.sub("-", str(raw.get("key") or name).strip().lower()).strip("-")[:60]
        if not key or key in seen:
            raise ApplicationError(_("Each room needs its own key (%(key)s).") % {"key": key or "–"})
        seen.add(key)
        out.append({"key": key, "name": name or key, "restricted": bool(raw.get("restricted"))})
    return out


def rooms_parse(text: str) -> list[dict[str, Any]]:
    """The form's room lines: "key: Name" or "Name", a trailing " *" marks a room that needs registration."""
    rooms = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        restricted = line.endswith("*")
        line = line.rstrip("*").strip()
        key, _sep, name = line.partition(":") if ":" in line else ("", "", line)
        rooms.append({"key": key.strip() or name.strip(), "name": name.strip(), "restricted": restricted})
    return rooms_clean(rooms)


def _apply(tour: Tour, data: TourData) -> None:
    found = providers.recognise(data.link or data.external_id, provider=data.provider)
    tour.provider = found.provider
    tour.external_id = (data.external_id or found.external_id)[:200]
    tour.open_url = found.open_url
    tour.embed_url = data.embed_url or found.embed_url
    tour.title = data.title.strip()[:200]
    tour.restricted_url = data.restricted_url
    tour.requires_registration = data.requires_registration
    tour.rooms = rooms_clean(list(data.rooms))
    if not tour.open_url and not tour.embed_url:
        raise ApplicationError(
            _("Please paste the tour's link (or a Matterport model id): an id alone gives no link for %(p)s.")
            % {"p": providers.label(tour.provider)}
        )


def tour_reference(tour: Tour) -> str:
    """What a provider's registration mail names the tour by: its id there, else its link."""
    if tour.external_id:
        return tour.external_id[:100]
    return tour.open_url if len(tour.open_url) <= 100 else ""


def _listings_sync(office_id: int, property_id: int) -> None:
    """The property's tours as the inquiry manager's listings of source "tour", so a provider's
    registration mail that names only the tour finds the property."""
    portal_listing_forget(office_id=office_id, property_id=property_id, source=INQUIRY_SOURCE)
    for tour in Tour.objects.filter(office_id=office_id, property_id=property_id).order_by("pk"):
        ref = tour_reference(tour)
        if ref:
            portal_listing_record(
                office_id=office_id, property_id=property_id, source=INQUIRY_SOURCE, portal_id=ref
            )


@transaction.atomic
def tour_create(*, prop: Property, data: TourData, acting_user: User | None) -> tuple[Tour, str]:
    """Link a tour to a property; returns it and its webhook secret (shown this once)."""
    ensure_capability(acting_user, Capability.EDIT)
    secret = secrets.token_urlsafe(32)
    tour = Tour(office_id=prop.office_id, property=prop, created_by=acting_user)
    _apply(tour, data)
    tour.webhook_secret_encrypted = crypto.encrypt(secret, purpose=CRYPTO_PURPOSE)
    tour.full_clean()
    tour.save()
    history_record(
        instance=tour, acting_user=acting_user, action=ChangeLog.Action.CREATE, after=snapshot(tour)
    )
    _listings_sync(tour.office_id, tour.property_id)
    return tour, secret


@transaction.atomic
def tour_update(*, tour: Tour, data: TourData, acting_user: User | None) -> Tour:
    ensure_capability(acting_user, Capability.EDIT)
    before = snapshot(Tour.objects.get(pk=tour.pk))
    _apply(tour, data)
    tour.full_clean()
    tour.save()
    history_record(instance=tour, acting_user=acting_user, action=ChangeLog.Action.UPDATE, before=before)
    _listings_sync(tour.office_id, tour.property_id)
    return tour


@transaction.atomic
def tour_delete(*, tour: Tour, acting_user: User | None) -> None:
    ensure_capability(acting_user, Capability.DELETE)
    history_record(
        instance=tour, acting_user=acting_user, action=ChangeLog.Action.DELETE, before=snapshot(tour)
    )
    office_id, property_id = tour.office_id, tour.property_id
    tour.delete()
    _listings_sync(office_id, property_id)


@transaction.atomic
def tour_publish(
    *, tour: Tour, published: bool, acting_user: User | None, channels_off: list[str] | None = None
) -> Tour:
    """The Ja/Nein switch: on, the banner title image and the open link go to the exposé and the
    portals (except `channels_off`) with the next transfer; off, they are gone with the next one."""
    ensure_capability(acting_user, Capability.EDIT)
    before = snapshot(Tour.objects.get(pk=tour.pk))
    if published and not tour.open_url:
        raise ApplicationError(_("The tour has no open link to publish."))
    if channels_off is not None:
        portals = {f"portal:{pk}" for pk, _name, _kind in portal_names(office_id=tour.office_id)}
        unknown = [c for c in channels_off if c not in CHANNELS and c not in portals]
        if unknown:
            raise ApplicationError(_("Unknown channel: %(c)s") % {"c": ", ".join(unknown)})
        tour.channels_off = sorted(set(channels_off))
    if published and not tour.published:
        tour.published_at = timezone.now()
    tour.published = published
    tour.save(update_fields=["published", "published_at", "channels_off", "updated_at"])
    # The banner and the link go out with the property: its next partial transfer must send it.
    property_published_content_changed(property_id=tour.property_id)
    history_record(instance=tour, acting_user=acting_user, action=ChangeLog.Action.UPDATE, before=before)
    return tour


# --- registration ----------------------------------------------------------------------------------


class AlreadyRegistered(ConflictError):
    pass


def _split_name(name: str) -> tuple[str, str]:
    parts = name.strip().rsplit(" ", 1)
    return (parts[0], parts[1]) if len(parts) == 2 else ("", parts[0])


def registration_create(
    *, tour: Tour, name: str, email: str, phone: str, consent_version: str
) -> Registration:
    """A prospect's registration on the gated page: stored once per e-mail and tour, then an
    inquiry of source "Rundgang" that the inquiry manager automates (duplicate check, processes)."""
    texts = consent_texts(tour.office)
    if consent_version != texts.version:
        raise ApplicationError(_("Please confirm that you accept the texts."))
    prop = tour.property
    agent = prop.responsible_agent or tour.created_by
    first, last = _split_name(name)
    try:
        with transaction.atomic():
            reg = Registration(
                office_id=tour.office_id,
                tour=tour,
                name=name.strip(),
                email=email.strip(),
                email_key=email.strip().lower(),
                phone=phone.strip(),
                consent_version=texts.version,
                consent_text=texts.combined,
            )
            reg.full_clean(validate_constraints=False)  # the unique e-mail: IntegrityError below
            reg.save()
            inquiry = inquiry_create_from_form(
                office=tour.office,
                acting_user=agent,  # type: ignore[arg-type]  # None: the inquiry stays for a person
                data={
                    "email": reg.email,
                    "first_name": first,
                    "last_name": last,
                    "phone": reg.phone,
                    "property_external_id": prop.external_id,
                    "property_title": prop.title,
                    "message": _("Registration on the virtual tour “%(tour)s”") % {"tour": tour},
                },
                source=INQUIRY_SOURCE,
            )
            reg.inquiry = inquiry
            reg.save(update_fields=["inquiry"])
    except IntegrityError as exc:
        raise AlreadyRegistered(_("This e-mail address is already registered for this tour.")) from exc
    transaction.on_commit(lambda: automation_start(tour.office_id, [inquiry.pk]))
    transaction.on_commit(lambda: _notify_agent(reg))
    return reg


def _notify_agent(reg: Registration) -> None:
    """The agent's mail with the "Zugriff gestatten" link (best effort: the inquiry is stored)."""
    tour = reg.tour
    agent = tour.property.responsible_agent or tour.created_by
    if agent is None or not agent.email:
        return
    link = absolute_url(reverse("tours:registration_grant", args=[reg.pk]), office=tour.office_id)
    body = _(
        "%(name)s <%(email)s> registered for the virtual tour “%(tour)s” of %(property)s.\n\n"
        "Grant access (Zugriff gestatten): %(link)s\n"
    ) % {"name": reg.name, "email": reg.email, "tour": tour, "property": tour.property, "link": link}
    try:
        mail_send(
            office=tour.office,
            ctx=MailContext(office=tour.office, acting_user=None, prop=tour.property),
            to_email=agent.email,
            acting_user=None,
            subject=_("New registration for the virtual tour: %(name)s") % {"name": reg.name},
            body=body.replace("{", "(").replace("}", ")"),
        )
    except Exception:  # the registration and its inquiry stand; the inquiry list shows it
        return


# --- grants ----------------------------------------------------------------------------------------


def registration_contact_id(reg: Registration) -> int | None:
    return reg.inquiry.contact_id if reg.inquiry is not None else None


@transaction.atomic
def grant_create(
    *,
    tour: Tour,
    contact: Contact,
    acting_user: User | None,
    registration: Registration | None = None,
    days: int = DEFAULT_GRANT_DAYS,
    send: bool = True,
    token: str = "",
) -> tuple[Grant, str]:
    """Full access for `contact`: a personal link, mailed with the office's template `tour_access`."""
    ensure_capability(acting_user, Capability.EDIT)
    if contact.office_id != tour.office_id:
        raise ApplicationError(_("The contact belongs to another office."))
    if not 1 <= days <= 365:
        raise ApplicationError(_("Access can be granted for 1 to 365 days."))
    token = token or secrets.token_urlsafe(24)  # a given one: derived from the mail that carries it
    grant = Grant.objects.create(
        office_id=tour.office_id,
        tour=tour,
        contact=contact,
        registration=registration,
        token_hash=token_hash(token),
        expires_at=timezone.now() + dt.timedelta(days=days),
        granted_by=acting_user,
    )
    history_record(
        instance=grant, acting_user=acting_user, action=ChangeLog.Action.CREATE, after=snapshot(grant)
    )
    if send:
        grant_send(grant=grant, token=token, acting_user=acting_user)
    return grant, token


def grant_send(*, grant: Grant, token: str, acting_user: User | None) -> None:
    to = contact_email(grant.contact)
    if not to and grant.registration is not None:
        to = grant.registration.email
    if not to:
        raise ApplicationError(_("The contact has no e-mail address."))
    template = template_default(office=grant.tour.office, key=GRANT_TEMPLATE)
    ctx = MailContext(
        office=grant.tour.office, acting_user=acting_user, contact=grant.contact, prop=grant.tour.property
    )
    ctx.extra[GRANT_FIELD] = grant_url(token, office_id=grant.office_id)
    ctx.extra["links.gueltig_bis"] = timezone.localtime(grant.expires_at).strftime("%d.%m.%Y")
    mail_send(
        office=grant.tour.office,
        ctx=ctx,
        to_email=to,
        acting_user=acting_user,
        sender=acting_user,
        subject=template.subject,
        body=template_with_field(template.body, GRANT_FIELD),
    )


@transaction.atomic
def grant_revoke(*, grant: Grant, acting_user: User | None) -> Grant:
    ensure_capability(acting_user, Capability.EDIT)
    before = snapshot(Grant.objects.get(pk=grant.pk))
    if grant.revoked_at is None:
        grant.revoked_at = timezone.now()
        grant.save(update_fields=["revoked_at"])
        history_record(instance=grant, acting_user=acting_user, action=ChangeLog.Action.UPDATE, before=before)
    return grant


def grant_resolve(token: str) -> Grant | None:
    """The grant behind a personal link, whatever its state (the page words each state)."""
    if not token or len(token) > 100:
        return None
    return (
        Grant.objects.select_related("tour", "tour__property", "tour__office", "contact")
        .filter(token_hash=token_hash(token))
        .first()
    )
