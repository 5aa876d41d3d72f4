"""Consent records and marketing mail: no marketing mail without a granted consent, and every one
carries a working one-click unsubscribe (a link in the text and the `List-Unsubscribe` /
`List-Unsubscribe-Post` headers of RFC 8058), sent through `mailing.sending` like every mail.

The unsubscribe token is signed (`django.core.signing`, salted): unguessable and bound to one
contact and purpose, so nothing needs storing; a withdrawal is a new `ConsentRecord`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from maklerwerk.accounts.permissions import ensure_capability
from maklerwerk.accounts.roles import Capability
from maklerwerk.contacts.models import Contact
from maklerwerk.contacts.services import contact_update
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


# What an offer of properties (exposés to chosen contacts, `exposes.offer_create`) asks: no
# withdrawal or objection for either purpose. It needs no granted record: the prospect asked for
# offers (search profile, inquiry; pre-contractual, Art. 6 Abs. 1 lit. b DSGVO). A newsletter asks
# for a granted record of its purpose (`marketing_mail_prepare`).
OFFER_PURPOSES = (ConsentRecord.Purpose.PROPERTY_CONTACT, ConsentRecord.Purpose.NEWSLETTER)


def _day(value: dt.datetime) -> str:
    return date_format(timezone.localtime(value), "SHORT_DATE_FORMAT")


def marketing_blocked(
    *, contact_ids: Iterable[int], purposes: Sequence[str], need_grant: bool
) -> dict[int, str]:
    """The one consent gate of every marketing mail path: contact id → the German reason it gets
    no marketing mail (contacts that may be mailed are not in the answer). Reads the consent
    records (the latest per purpose holds), objections (Art. 21) and restrictions (Art. 18) in
    three queries, whatever the number of contacts."""
    ids = set(contact_ids)
    blocked: dict[int, str] = {}
    for pk in Contact.objects.filter(pk__in=ids, restricted=True).values_list("pk", flat=True):
        blocked[pk] = _("contact blocked or restricted (Art. 18 GDPR)")
    latest: dict[tuple[int, str], ConsentRecord] = {}
    rows = ConsentRecord.objects.filter(contact_id__in=ids, purpose__in=purposes).order_by(
        "contact_id", "purpose", "-recorded_at", "-pk"
    )
    for record in rows.only("contact_id", "purpose", "status", "channel", "recorded_at"):
        latest.setdefault((record.contact_id, record.purpose), record)
    objections = dict(
        ConsentRecord.objects.filter(
            contact_id__in=ids, channel=ConsentRecord.Channel.OBJECTION, status=ConsentRecord.Status.WITHDRAWN
        )
        .order_by("contact_id", "recorded_at")
        .values_list("contact_id", "recorded_at")
    )
    for pk in ids - set(blocked):
        records = [latest[(pk, p)] for p in purposes if (pk, p) in latest]
        withdrawn = [r for r in records if r.status == ConsentRecord.Status.WITHDRAWN]
        if pk in objections and any(r.channel == ConsentRecord.Channel.OBJECTION for r in withdrawn):
            blocked[pk] = _("objection to marketing on %(date)s (Art. 21 GDPR)") % {
                "date": _day(objections[pk])
            }
        elif withdrawn:
            blocked[pk] = _("marketing consent withdrawn on %(date)s") % {
                "date": _day(withdrawn[0].recorded_at)
            }
        elif need_grant and not any(r.status == ConsentRecord.Status.GRANTED for r in records):
            pending = any(r.status == ConsentRecord.Status.PENDING for r in records)
            blocked[pk] = (
                _("consent not confirmed yet (double opt-in)")
                if pending
                else _("no marketing consent recorded")
            )
    return blocked


def consent_field_changed(contact: Contact, granted: bool, acting_user: User | None) -> None:
    """The contact's yes/no field was ticked or cleared (form, API): the same as a consent record
    for the newsletter, kept with the field's source as evidence (`contacts.CONSENT_FIELD_WATCHERS`)."""
    current = consent_current(contact_id=contact.pk, purpose=ConsentRecord.Purpose.NEWSLETTER)
    status = ConsentRecord.Status.GRANTED if granted else ConsentRecord.Status.WITHDRAWN
    if (current is None and not granted) or (current is not None and current.status == status):
        return
    on = contact.marketing_consent_on
    consent_record(
        contact=contact,
        purpose=ConsentRecord.Purpose.NEWSLETTER,
        status=status,
        channel=ConsentRecord.Channel.CONTACT_RECORD,
        acting_user=acting_user,
        evidence={"source": contact.marketing_consent_source, "given_on": on.isoformat() if on else ""},
    )


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
    record = consent_record(
        contact=contact,
        purpose=purpose,
        status=ConsentRecord.Status.WITHDRAWN,
        channel=ConsentRecord.Channel.UNSUBSCRIBE,
        acting_user=None,
        evidence={"ip": ip_coarse},
    )
    marketing_field_clear(contact=contact, acting_user=None)
    return record


def marketing_field_clear(*, contact: Contact, acting_user: User | None) -> None:
    """The contact's yes/no field follows a withdrawal, so the contact page says "no"."""
    if contact.marketing_consent:
        contact_update(contact=contact, acting_user=acting_user, data={"marketing_consent": False})


def unsubscribe_headers(*, office: Office, contact_id: int, purpose: str) -> tuple[str, dict[str, str]]:
    """The unsubscribe link and the RFC 8058 headers of a marketing mail to `contact_id`."""
    token = unsubscribe_token(contact_id=contact_id, purpose=purpose)
    url = absolute_url(reverse("privacy:unsubscribe", args=[token]), office=office)
    return url, {"List-Unsubscribe": f"<{url}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


def marketing_mail_prepare(
    *, office: Office, ctx: MailContext, to_email: str, acting_user: User | None, purpose: str, **kwargs: Any
) -> PreparedMail:
    """`mailing.sending.mail_prepare` for a marketing mail: refused without a granted consent; the
    text ends with the unsubscribe link and the headers offer the one-click unsubscribe."""
    contact = ctx.contact
    if contact is None:
        raise ApplicationError(_("No granted consent for this purpose: no marketing mail is sent."))
    reason = marketing_blocked(contact_ids=[contact.pk], purposes=[purpose], need_grant=True).get(contact.pk)
    if reason:
        raise ApplicationError(
            _("No granted consent for this purpose: no marketing mail is sent.") + f" ({reason})"
        )
    url, unsubscribe = unsubscribe_headers(office=office, contact_id=contact.pk, purpose=purpose)
    body = kwargs.pop("body", None)
    template = kwargs.get("template")
    if body is None and template is not None:
        body = template.body
    body = f"{body or ''}\n\n{_('Unsubscribe')}: {url}"
    headers = {**kwargs.pop("headers", {}), **unsubscribe}
    return mail_prepare(
        office=office,
        ctx=ctx,
        to_email=to_email,
        acting_user=acting_user,
        body=body,
        headers=headers,
        **kwargs,
    )
