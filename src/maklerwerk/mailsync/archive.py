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
from typing import TYPE_CHECKING

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from maklerwerk.contacts.selectors import contact_ids_by_email
from maklerwerk.core.models import Activity
from maklerwerk.core.services import NewActivity, activities_create_many
from maklerwerk.inquiries.parsers import parse_message
from maklerwerk.inquiries.selectors import mails_taken_in
from maklerwerk.mailing.selectors import outgoing_mails_by_message_id
from maklerwerk.mailsync.mime import ParsedMail
from maklerwerk.mailsync.models import ArchivedMail, MailAccount, MailBlob
from maklerwerk.properties.selectors import properties_by_reference, property_visible

if TYPE_CHECKING:
    from maklerwerk.mailing.models import OutgoingMail
    from maklerwerk.properties.models import Property

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


def _kennungen(subject: str) -> list[str]:
    return _KENNUNG.findall(subject)[:5]


@dataclass
class Lookups:
    """What deciding a batch of mails reads from other apps, in a few queries for the whole batch."""

    mine: set[str]
    contacts: dict[str, int]  # lower-case e-mail -> contact id
    sent: dict[str, OutgoingMail]  # lower-case Message-ID -> the mail Maklerwerk sent
    taken_in: set[str]  # Message-IDs an inquiry mailbox took in
    properties: dict[str, Property]  # lower-case Kennung -> property
    visible: dict[int, bool] = field(default_factory=dict)  # property id -> the user may see it


def lookups_for(account: MailAccount, mails: list[ParsedMail]) -> Lookups:
    """Read what `mail_decide` needs for these mails (reads only)."""
    office_id = account.office_id
    ids = [m for mail in mails for m in (mail.message_id, *mail.in_reply_to, *mail.references) if m]
    return Lookups(
        mine=own_addresses(account),
        contacts=contact_ids_by_email(office_id=office_id, emails=[a for m in mails for a in m.addresses]),
        sent=outgoing_mails_by_message_id(office_id=office_id, message_ids=ids),
        taken_in=mails_taken_in(office_id=office_id, message_ids=[m.message_id for m in mails]),
        properties=properties_by_reference(
            office_id=office_id, external_ids=[k for m in mails for k in _kennungen(m.subject)]
        ),
    )


def _visible(account: MailAccount, lookups: Lookups, property_id: int) -> bool:
    if property_id not in lookups.visible:
        lookups.visible[property_id] = property_visible(account.user, property_id)
    return lookups.visible[property_id]


def _property_for(account: MailAccount, mail: ParsedMail, lookups: Lookups) -> int | None:
    """A reply to a mail that had a property, else a Kennung named in the subject."""
    for mid in (*mail.in_reply_to, *reversed(mail.references)):
        row = lookups.sent.get(mid)
        if row is not None and row.property_id and _visible(account, lookups, row.property_id):
            return row.property_id
    for token in _kennungen(mail.subject):
        prop = lookups.properties.get(token.lower())
        if prop is not None and _visible(account, lookups, prop.pk):
            return prop.pk
    return None


def mail_decide(
    account: MailAccount, mail: ParsedMail, raw: bytes, lookups: Lookups | None = None
) -> Decision:
    """What the archive does with this mail (reads only; `lookups` from `lookups_for` for a batch)."""
    lookups = lookups or lookups_for(account, [mail])
    if mail.message_id and mail.message_id in lookups.sent:
        return Decision(ArchivedMail.State.SENT_HERE, REASON_SENT_HERE)
    outgoing = mail.from_addr in lookups.mine
    contact_ids: list[int] = []
    for addr in mail.addresses:
        if addr in lookups.mine:
            continue
        contact_id = lookups.contacts.get(addr)
        if contact_id is not None and contact_id not in contact_ids:
            contact_ids.append(contact_id)
    if not contact_ids:
        return Decision(ArchivedMail.State.SKIPPED, REASON_PRIVATE)
    # Portal parsers only for mails that would be archived: most private mail never reaches them.
    if not outgoing and (mail.message_id in lookups.taken_in or parse_message(raw).inquiry is not None):
        return Decision(ArchivedMail.State.SKIPPED, REASON_INQUIRY)
    return Decision(
        ArchivedMail.State.ARCHIVED,
        activity_type=Activity.Type.EMAIL_SENT if outgoing else Activity.Type.EMAIL_RECEIVED,
        contact_ids=contact_ids,
        property_id=_property_for(account, mail, lookups),
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


def _row(account: MailAccount, mail: ParsedMail, decision: Decision) -> ArchivedMail:
    keep_content = decision.state == ArchivedMail.State.ARCHIVED
    return ArchivedMail(
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


def _activity(mail: ParsedMail, decision: Decision, archived: ArchivedMail) -> NewActivity:
    first, *further = decision.contact_ids
    return NewActivity(
        type=decision.activity_type,
        subject=mail.subject,
        body=mail.text[:100_000],
        occurred_at=mail.date or timezone.now(),
        contact_id=first,
        property_id=decision.property_id,
        further_contact_ids=tuple(further),
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


def _write(account: MailAccount, pairs: list[tuple[ParsedMail, Decision]]) -> list[ArchivedMail]:
    """Claim rows, attachments and activities of mails the office does not have, in bulk."""
    rows = ArchivedMail.objects.bulk_create([_row(account, mail, decision) for mail, decision in pairs])
    archived = [
        (mail, decision, row)
        for (mail, decision), row in zip(pairs, rows, strict=True)
        if decision.state == ArchivedMail.State.ARCHIVED
    ]
    blobs = {a.sha256: a.data for mail, _d, _r in archived for a in mail.attachments}
    if blobs:
        have = set(
            MailBlob.objects.filter(office_id=account.office_id, sha256__in=list(blobs)).values_list(
                "sha256", flat=True
            )
        )
        for sha256, data in blobs.items():
            if sha256 not in have:
                _blob_store(account.office_id, data, sha256)
    if archived:
        activities = activities_create_many(
            office=account.office,
            acting_user=account.user,
            entries=[_activity(mail, decision, row) for mail, decision, row in archived],
        )
        for (_mail, _decision, row), activity in zip(archived, activities, strict=True):
            row.activity = activity
        ArchivedMail.objects.bulk_update([row for _m, _d, row in archived], ["activity"])
    return rows


def mail_archive(account: MailAccount, mail: ParsedMail, decision: Decision) -> ArchivedMail | None:
    """Claim and store the mail; None when the office has it already (another mailbox or folder)."""
    return mails_archive(account, [(mail, decision)])[0]


def mails_archive(
    account: MailAccount, pairs: list[tuple[ParsedMail, Decision]]
) -> list[ArchivedMail | None]:
    """Claim and store a batch of mails in one transaction, each once per office.

    Per mail the stored row, or None when the office has it already (another mailbox or folder, or
    earlier in this batch). When a parallel worker claims one of them meanwhile, the batch is rolled
    back and written mail by mail, so that worker keeps its mails and this one the rest.
    """
    keys = {mail.key for mail, _decision in pairs}
    known = set(
        ArchivedMail.objects.filter(office_id=account.office_id, key__in=keys).values_list("key", flat=True)
    )
    todo: dict[str, tuple[ParsedMail, Decision]] = {}
    for mail, decision in pairs:
        if mail.key not in known:
            todo.setdefault(mail.key, (mail, decision))
    try:
        with transaction.atomic():
            rows = _write(account, list(todo.values()))
    except IntegrityError:
        if len(pairs) == 1:  # claimed meanwhile from another mailbox: archived once, by that one
            return [None]
        return [mails_archive(account, [pair])[0] for pair in pairs]
    by_key = {row.key: row for row in rows}
    out: list[ArchivedMail | None] = []
    for mail, _decision in pairs:
        out.append(by_key.pop(mail.key, None))  # a second copy in the batch is "known"
    return out
