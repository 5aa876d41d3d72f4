"""The archive of one message: decide, then claim and store it once per office in one transaction.

`mail_archive` is the claim per message: the `ArchivedMail` row (unique per office and key), the
activity and the attachment blobs are written in one transaction, so a killed worker leaves either
all of it or nothing, and a second worker (a colleague's mailbox with the same mail) meets the
unique key and counts the mail as known. What is not archived: mails without a known contact
(private mail), inquiries (the inquiry manager's), mails Maklerwerk sent itself (their activity
exists already).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from maklerwerk.contacts.selectors import contact_by_email
from maklerwerk.core.models import Activity
from maklerwerk.core.services import activity_create
from maklerwerk.inquiries.parsers import parse_message
from maklerwerk.inquiries.selectors import mail_taken_in
from maklerwerk.mailing.selectors import outgoing_mails_by_message_id
from maklerwerk.mailsync.mime import ParsedMail
from maklerwerk.mailsync.models import ArchivedMail, MailAccount, MailBlob
from maklerwerk.properties.selectors import property_by_reference, property_visible

logger = logging.getLogger(__name__)

_KENNUNG = re.compile(r"\b[A-Za-z]{0,6}-?\d{2,8}(?:-[A-Za-z0-9]{1,6})?\b")

REASON_PRIVATE = "Kein bekannter Kontakt beteiligt (private Mail, nicht archiviert)."
REASON_INQUIRY = "Anfrage: wird vom Anfragenmanager bearbeitet."
REASON_SENT_HERE = "Aus Maklerwerk gesendet: die Aktivität gibt es schon."


@dataclass
class Decision:
    state: str
    reason: str = ""
    activity_type: str = Activity.Type.EMAIL_RECEIVED
    contact_ids: list[int] = field(default_factory=list)
    property_id: int | None = None
    outgoing_activity_id: int | None = None


def own_addresses(account: MailAccount) -> set[str]:
    found = {account.email.lower(), account.username.lower(), (account.user.email or "").lower()}
    return {a for a in found if "@" in a}


def _property_for(account: MailAccount, mail: ParsedMail) -> int | None:
    """A reply to a mail that had a property, else a Kennung named in the subject."""
    sent = outgoing_mails_by_message_id(
        office_id=account.office_id, message_ids=[*mail.in_reply_to, *mail.references]
    )
    for mid in (*mail.in_reply_to, *reversed(mail.references)):
        row = sent.get(mid)
        if row is not None and row.property_id and property_visible(account.user, row.property_id):
            return row.property_id
    for token in _KENNUNG.findall(mail.subject)[:5]:
        prop = property_by_reference(office_id=account.office_id, external_id=token)
        if prop is not None and property_visible(account.user, prop.pk):
            return prop.pk
    return None


def mail_decide(account: MailAccount, mail: ParsedMail, raw: bytes) -> Decision:
    """What the archive does with this mail (reads only)."""
    office_id = account.office_id
    if mail.message_id:
        sent = outgoing_mails_by_message_id(office_id=office_id, message_ids=[mail.message_id])
        if sent:
            return Decision(ArchivedMail.State.SENT_HERE, REASON_SENT_HERE)
    mine = own_addresses(account)
    outgoing = mail.from_addr in mine
    contact_ids: list[int] = []
    for addr in mail.addresses:
        if addr in mine:
            continue
        contact = contact_by_email(office_id=office_id, email=addr)
        if contact is not None and contact.pk not in contact_ids:
            contact_ids.append(contact.pk)
    if not contact_ids:
        return Decision(ArchivedMail.State.SKIPPED, REASON_PRIVATE)
    # Portal parsers only for mails that would be archived: most private mail never reaches them.
    if not outgoing and (
        mail_taken_in(office_id=office_id, message_id=mail.message_id)
        or parse_message(raw).inquiry is not None
    ):
        return Decision(ArchivedMail.State.SKIPPED, REASON_INQUIRY)
    return Decision(
        ArchivedMail.State.ARCHIVED,
        activity_type=Activity.Type.EMAIL_SENT if outgoing else Activity.Type.EMAIL_RECEIVED,
        contact_ids=contact_ids,
        property_id=_property_for(account, mail),
    )


def _blob_store(office_id: int, data: bytes, sha256: str) -> None:
    if MailBlob.objects.filter(office_id=office_id, sha256=sha256).exists():
        return
    try:
        with transaction.atomic():
            blob = MailBlob(office_id=office_id, sha256=sha256, size=len(data))
            blob.file.save(f"{office_id}/{sha256[:2]}/{sha256}", ContentFile(data), save=False)
            blob.save()
    except IntegrityError:  # stored by a parallel worker meanwhile: once is enough
        return


def _stored(account: MailAccount, mail: ParsedMail, decision: Decision) -> ArchivedMail:
    keep_content = decision.state == ArchivedMail.State.ARCHIVED
    return ArchivedMail.objects.create(
        office_id=account.office_id,
        key=mail.key,
        state=decision.state,
        reason=decision.reason[:300],
        account=account,
        thread_key=mail.thread_key[:300] if keep_content else "",
        subject=mail.subject if keep_content else "",
        from_header=mail.from_header if keep_content else "",
        to_header=mail.to_header if keep_content else "",
        cc_header=mail.cc_header if keep_content else "",
        sent_at=mail.date if keep_content else None,
        body_text=mail.text if keep_content else "",
        body_html=mail.html if keep_content else "",
        attachments=[
            {"name": a.filename, "mimetype": a.content_type, "size": len(a.data), "sha256": a.sha256}
            for a in mail.attachments
        ]
        if keep_content
        else [],
        problems=list(mail.problems) if keep_content else [],
    )


def mail_archive(account: MailAccount, mail: ParsedMail, decision: Decision) -> ArchivedMail | None:
    """Claim and store the mail; None when the office has it already (another mailbox or folder)."""
    if ArchivedMail.objects.filter(office_id=account.office_id, key=mail.key).exists():
        return None
    try:
        with transaction.atomic():
            archived = _stored(account, mail, decision)
            if decision.state != ArchivedMail.State.ARCHIVED:
                return archived
            for att in mail.attachments:
                _blob_store(account.office_id, att.data, att.sha256)
            first, *further = decision.contact_ids
            activity = activity_create(
                office=account.office,
                type=decision.activity_type,
                subject=mail.subject,
                acting_user=account.user,
                body=mail.text[:100_000],
                occurred_at=mail.date or timezone.now(),
                contact_id=first,
                property_id=decision.property_id,
                further_contact_ids=further,
                payload={
                    "archived_mail_id": archived.pk,
                    "message_id": mail.message_id,
                    "thread": mail.thread_key,
                    "from": mail.from_header,
                    "to": mail.to_header,
                    "cc": mail.cc_header,
                    "attachments": archived.attachments,
                    "problems": list(mail.problems),
                    "view_url": reverse("mailsync:mail", args=[archived.pk]),
                },
            )
            archived.activity = activity
            archived.save(update_fields=["activity"])
            return archived
    except IntegrityError:
        # The same mail claimed meanwhile from another mailbox: it is archived once, by that one.
        return None
