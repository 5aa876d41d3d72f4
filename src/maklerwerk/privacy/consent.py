"""Consent records and marketing mail: no marketing mail without a granted consent, and every one
carries a working one-click unsubscribe (a link in the text and the `List-Unsubscribe` /
`List-Unsubscribe-Post` headers of RFC 8058), sent through `mailing.sending` like every mail.

The unsubscribe token is signed (`django.core.signing`, salted): unguessable and bound to one
contact and purpose, so nothing needs storing; a withdrawal is a new `ConsentRecord`.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from maklerwerk.accounts.permissions import ensure_capability
from maklerwerk.accounts.roles import Capability
from maklerwerk.contacts.models import Contact
from maklerwerk.core.baseurl import absolute_url
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.mailing.sending import PreparedMail, mail_prepare
from maklerwerk.privacy.models import ConsentRecord

if TYPE_CHECKING:
    from maklerwerk.accounts.models import Office, User
    from maklerwerk.mailing.placeholders import MailContext

_SALT = "privacy.unsubscribe"


def consent_current(*, contact_id: int, purpose: str) -> ConsentRecord | None:
    """The latest record of the contact for `purpose` (its status is what holds now)."""
    return (
        ConsentRecord.objects.filter(contact_id=contact_id, purpose=purpose)
        .order_by("-recorded_at", "-pk")
        .first()
    )


def consent_granted(*, contact_id: int, purpose: str) -> bool:
    record = consent_current(contact_id=contact_id, purpose=purpose)
    return record is not None and record.status == ConsentRecord.Status.GRANTED


@transaction.atomic
def consent_record(
    *,
    contact: Contact,
    purpose: str,
    status: str,
    channel: str,
    acting_user: User | None,
    text: str = "",
    text_version: str = "",
    evidence: dict[str, Any] | None = None,
) -> ConsentRecord:
    """Record a consent, a pending double opt-in or a withdrawal, with the text's hash as proof."""
    ensure_capability(acting_user, Capability.EDIT)
    record = ConsentRecord(
        office_id=contact.office_id,
        contact=contact,
        purpose=purpose,
        status=status,
        channel=channel,
        text_version=text_version,
        text_hash=hashlib.sha256(text.encode()).hexdigest() if text else "",
        evidence=evidence or {},
        recorded_by=acting_user,
        withdrawn_at=timezone.now() if status == ConsentRecord.Status.WITHDRAWN else None,
    )
    record.full_clean(exclude=["office", "contact", "recorded_by"])
    record.save()
    return record


def unsubscribe_token(*, contact_id: int, purpose: str) -> str:
    return signing.dumps({"c": contact_id, "p": purpose}, salt=_SALT, compress=True)


def unsubscribe_read(token: str) -> tuple[Contact, str] | None:
    """The contact and purpose a token names; None for a forged or unknown one."""
    try:
        data = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        return None
    contact = Contact.objects.filter(pk=data.get("c")).first()
    return (contact, str(data.get("p"))) if contact is not None else None


@transaction.atomic
def unsubscribe(*, token: str, ip_coarse: str = "") -> ConsentRecord | None:
    """The one click: withdraw the consent the token names (again harmless). None if the token is bad."""
    found = unsubscribe_read(token)
    if found is None:
        return None
    contact, purpose = found
    current = consent_current(contact_id=contact.pk, purpose=purpose)
    if current is not None and current.status == ConsentRecord.Status.WITHDRAWN:
        return current
    return consent_record(
        contact=contact,
        purpose=purpose,
        status=ConsentRecord.Status.WITHDRAWN,
        channel=ConsentRecord.Channel.UNSUBSCRIBE,
        acting_user=None,
        evidence={"ip": ip_coarse},
    )


def marketing_mail_prepare(
    *, office: Office, ctx: MailContext, to_email: str, acting_user: User | None, purpose: str, **kwargs: Any
) -> PreparedMail:
    """`mailing.sending.mail_prepare` for a marketing mail: refused without a granted consent; the
    text ends with the unsubscribe link and the headers offer the one-click unsubscribe."""
    contact = ctx.contact
    if contact is None or not consent_granted(contact_id=contact.pk, purpose=purpose):
        raise ApplicationError(_("No granted consent for this purpose: no marketing mail is sent."))
    token = unsubscribe_token(contact_id=contact.pk, purpose=purpose)
    url = absolute_url(reverse("privacy:unsubscribe", args=[token]), office=office)
    body = kwargs.pop("body", None)
    template = kwargs.get("template")
    if body is None and template is not None:
        body = template.body
    body = f"{body or ''}\n\n{_('Unsubscribe')}: {url}"
    headers = {
        **kwargs.pop("headers", {}),
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    return mail_prepare(
        office=office,
        ctx=ctx,
        to_email=to_email,
        acting_user=acting_user,
        body=body,
        headers=headers,
        **kwargs,
    )
