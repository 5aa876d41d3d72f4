"""Writes of the inquiry manager: the website form, confirmation, expiry, mailboxes.

Intake lives in inquiries.intake, the automation in inquiries.automation. Idempotency: a mail is
taken in once per mailbox (unique Message-ID + content hash on `ProcessedMail`); the automation
of an inquiry, the confirmation and the exposé are each claimed with a conditional UPDATE before
their side effect, so the same message twice, a crash halfway or two workers at once give one
inquiry, one contact and one exposé.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from maklerwerk.contacts.services import contact_validate
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.core.history import history_record, snapshot
from maklerwerk.core.models import Activity, ChangeLog
from maklerwerk.inquiries.automation import (
    confirmation_url,
    contact_by_email,
    contact_for_inquiry,
    expose_send,
    inquiry_automate,
    inquiry_process,
    inquiry_retry,
    property_resolve,
    settings_for,
    token_hash,
)
from maklerwerk.inquiries.intake import MAX_RAW_BYTES, mail_intake, parsed_store_on
from maklerwerk.inquiries.models import Inquiry, Mailbox, PortalListing
from maklerwerk.inquiries.parsers import ParsedInquiry
from maklerwerk.inquiries.prospect import Prospect
from maklerwerk.inquiries.steps import inquiry_status_set, step_record

if TYPE_CHECKING:
    from maklerwerk.accounts.models import Office, User

logger = logging.getLogger(__name__)

__all__ = [  # intake and automation live in their own modules; these names stay importable from here
    "MAX_RAW_BYTES",
    "confirmation_url",
    "contact_by_email",
    "inquiry_automate",
    "inquiry_process",
    "inquiry_retry",
    "mail_intake",
    "property_resolve",
    "settings_for",
]


# --- intake ------------------------------------------------------------------------------------


def inquiry_create_from_form(
    *, office: Office, acting_user: User, data: dict[str, Any], source: str = "website"
) -> Inquiry:
    """The office's website form (POST /api/v1/inquiries), or another form of ours such as the
    virtual tour's registration (`source` "tour"): an inquiry that then runs the automation."""
    parsed = ParsedInquiry(
        source=source,
        prospect=Prospect.from_mapping(data),
        message=str(data.get("message") or ""),
        property_external_id=str(data.get("property_external_id") or ""),
        portal_property_id=str(data.get("portal_property_id") or ""),
        property_title=str(data.get("property_title") or ""),
    )
    if not parsed.prospect.email:
        raise ValidationError({"email": ["Bitte geben Sie eine E-Mail-Adresse an."]})
    if not (parsed.property_external_id or parsed.portal_property_id):
        raise ValidationError({"property_external_id": ["Bitte geben Sie die Objekt-Kennung an."]})
    raw_key = "|".join(f"{k}={v}" for k, v in sorted(data.items())).encode()
    kind = "Rundgang" if source == "tour" else "Website"
    inquiry = Inquiry(
        office=office,
        subject=f"{kind}-Anfrage {parsed.property_external_id}".strip(),
        sender=parsed.prospect.email,
        content_hash=hashlib.sha256(raw_key).hexdigest(),
        assigned_to=acting_user,
    )
    parsed_store_on(parsed, inquiry)
    inquiry.full_clean(exclude=["raw"])
    inquiry.save()
    step_record(
        inquiry,
        "received",
        "Registrierung auf dem virtuellen Rundgang eingegangen"
        if source == "tour"
        else "Anfrage über das Website-Formular eingegangen",
    )
    return inquiry


# --- double opt-in confirmation -----------------------------------------------------------------


class ConfirmationInvalid(ApplicationError):
    """`kind` is "unknown", "used" or "expired"; the public page words each one in German."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


def confirmation_resolve(token: str) -> Inquiry:
    if not token or len(token) > 100:
        raise ConfirmationInvalid("unknown")
    inquiry = (
        Inquiry.objects.select_related("office", "property").filter(token_hash=token_hash(token)).first()
    )
    if inquiry is None:
        raise ConfirmationInvalid("unknown")
    if inquiry.confirmed_at is not None or inquiry.status != Inquiry.Status.WAITING:
        raise ConfirmationInvalid(
            "expired" if inquiry.status == Inquiry.Status.ABORTED and inquiry.confirmed_at is None else "used"
        )
    if inquiry.token_expires_at and inquiry.token_expires_at <= timezone.now():
        raise ConfirmationInvalid("expired")
    return inquiry


# What the prospect completes on the confirmation page (the e-mail address is what they confirm).
CONFIRM_FIELDS = tuple(f for f in Prospect.fields() if f != "email")


def inquiry_confirm(*, token: str, data: dict[str, Any]) -> Inquiry:
    """The prospect confirmed the e-mail address and completed the data (step 4, then 5).

    The claim (confirmed_at) and the contact are written in one transaction: a second click or a
    concurrent request finds the claim taken and gets ConfirmationInvalid("used").
    """
    inquiry = confirmation_resolve(token)
    with transaction.atomic():
        claimed = Inquiry.objects.filter(
            pk=inquiry.pk,
            status=Inquiry.Status.WAITING,
            confirmed_at__isnull=True,
            token_expires_at__gt=timezone.now(),
        ).update(confirmed_at=timezone.now())
        if not claimed:
            raise ConfirmationInvalid("used")
        inquiry = Inquiry.objects.select_related(
            "office", "property", "mailbox__main_user", "assigned_to"
        ).get(pk=inquiry.pk)
        fields = Prospect.of(inquiry).completed(data).store_on(inquiry)
        inquiry.save(update_fields=[*fields, "updated_at"])
        step_record(
            inquiry,
            "confirmed",
            f"{inquiry.display_name} hat die E-Mail-Adresse bestätigt und die Anschrift ergänzt",
            activity=Activity.Type.INQUIRY,
        )
        cfg = settings_for(inquiry.office)
        contact = contact_by_email(office=inquiry.office, email=inquiry.email)
        if contact is not None:
            inquiry.contact = contact
            inquiry.save(update_fields=["contact", "updated_at"])
            step_record(inquiry, "known_contact", f"E-Mail-Adresse gehört inzwischen zu Kontakt {contact}")
        else:
            contact = contact_for_inquiry(inquiry, cfg)
        if contact is None:
            return inquiry
    expose_send(inquiry)
    inquiry.refresh_from_db()
    return inquiry


def confirmation_validate(*, office: Office, data: dict[str, Any]) -> None:
    """Check the completed data like the contact form would (German messages per field)."""

    contact_validate(
        office=office,
        data={
            "phones": [{"value": data["phone"]}] if data.get("phone") else [],
            "postal_code": data.get("postal_code", ""),
            "last_name": data.get("last_name", ""),
            "first_name": data.get("first_name", ""),
        },
    )


def inquiries_expire(*, now: dt.datetime | None = None) -> int:
    """Unconfirmed inquiries past their link's expiry are aborted with a reason. Returns how many."""
    now = now or timezone.now()
    count = 0
    for inquiry in Inquiry.objects.filter(
        status=Inquiry.Status.WAITING, confirmed_at__isnull=True, token_expires_at__lte=now
    ).select_related("office"):
        with transaction.atomic():
            # Claimed against a confirmation arriving at the same moment (it claims confirmed_at).
            if not inquiry_status_set(
                inquiry,
                Inquiry.Status.ABORTED,
                "Bestätigung abgelaufen: der Interessent hat den Link nicht rechtzeitig bestätigt.",
                only_from=[Inquiry.Status.WAITING],
                where={"confirmed_at__isnull": True},
            ):
                continue
            step_record(inquiry, "expired", inquiry.reason, ok=False, activity=Activity.Type.INQUIRY)
            count += 1
    return count


# --- mailboxes -----------------------------------------------------------------------------------


def _mailbox_snapshot(mailbox: Mailbox) -> dict[str, Any]:

    data = snapshot(mailbox)
    data.pop("password_encrypted", None)  # never in the history, not even encrypted
    data.pop("last_error", None)
    data.pop("last_status", None)
    data.pop("last_fetch_at", None)
    return data


MAILBOX_FIELDS = ("name", "host", "port", "security", "username", "folder", "action", "move_to", "active")


@transaction.atomic
def mailbox_create(*, office: Office, acting_user: User, data: dict[str, Any]) -> Mailbox:

    main_user_id = data.get("main_user_id") or acting_user.pk
    if not office.users.filter(pk=main_user_id, is_active=True).exists():
        raise ValidationError({"main_user_id": ["Dieser Benutzer gehört nicht zu Ihrem Büro."]})
    mailbox = Mailbox(office=office, main_user_id=main_user_id)
    for key in MAILBOX_FIELDS:
        if data.get(key) is not None:
            setattr(mailbox, key, data[key])
    if not mailbox.name:
        mailbox.name = f"{mailbox.username}@{mailbox.host}"[:100]
    mailbox.full_clean(exclude=["office", "main_user"])
    mailbox.set_password(data.get("password") or "")
    mailbox.save()
    history_record(
        instance=mailbox,
        acting_user=acting_user,
        action=ChangeLog.Action.CREATE,
        after=_mailbox_snapshot(mailbox),
    )
    return mailbox


@transaction.atomic
def mailbox_update(*, mailbox: Mailbox, acting_user: User, data: dict[str, Any]) -> Mailbox:

    before = _mailbox_snapshot(Mailbox.objects.get(pk=mailbox.pk))
    for key in MAILBOX_FIELDS:
        if data.get(key) is not None:
            setattr(mailbox, key, data[key])
    if data.get("main_user_id"):
        if not mailbox.office.users.filter(pk=data["main_user_id"], is_active=True).exists():
            raise ValidationError({"main_user_id": ["Dieser Benutzer gehört nicht zu Ihrem Büro."]})
        mailbox.main_user_id = data["main_user_id"]
    if data.get("password"):
        mailbox.set_password(data["password"])
    mailbox.full_clean(exclude=["office", "main_user"])
    mailbox.save()
    history_record(
        instance=mailbox,
        acting_user=acting_user,
        action=ChangeLog.Action.UPDATE,
        before=before,
        after=_mailbox_snapshot(mailbox),
    )
    return mailbox


# --- portal listings (written by the portal transfer) ---------------------------------------------


def portal_listing_record(*, office_id: int, property_id: int, source: str, portal_id: str) -> None:
    """The portal's id of a property that went online there, so its inquiries find the property."""
    PortalListing.objects.update_or_create(
        office_id=office_id, source=source, portal_id=portal_id, defaults={"property_id": property_id}
    )


def portal_listing_forget(*, office_id: int, property_id: int, source: str) -> None:
    """The property was taken off the portal: its old id there no longer names it."""
    PortalListing.objects.filter(office_id=office_id, property_id=property_id, source=source).delete()
