"""The one way a mail leaves Maklerwerk: render, build, send, record.

Every mail of the product (offers, the inquiry manager's exposé and double-opt-in mails,
process-step mails, share-link mails) goes through `mail_send`, or through its three steps when
the caller must note something between them (the offer notes the Message-ID before the server
sees the mail, see `exposes.services.offer_recipient_send`):

- `mail_prepare`: render a template in the placeholder language for one recipient and build the
  MIME message (From "Agent | Office", Reply-To the agent, our Message-ID). Nothing is sent yet.
- `mail_transmit`: hand it to SMTP: the sender's own account where they set one up (Settings →
  own mail server), else the office's default mailer. Raises `SmtpError`.
- `mail_record`: store the `OutgoingMail` (what was sent, to whom, Message-ID) and, if asked, the
  activity on contact and property, in one transaction.

After the server accepted a mail, the `AFTER_SEND` hooks run (registered in an app's `ready()`):
the mail sync puts the mail into the sender's own Sent folder (IMAP APPEND). A hook's failure is
logged and never turns a sent mail into a failed one.

Only this module and `integrations/smtp` touch Django's mail classes (a test greps for it).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.utils.translation import gettext as _

from maklerwerk.contacts.selectors import contact_processing_allowed
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.core.registry import Registry
from maklerwerk.core.services import activity_create
from maklerwerk.integrations.smtp import client as smtp_client
from maklerwerk.mailing.services import (
    Attachment,
    RenderedMail,
    mail_message_build,
    mail_render,
    outgoing_mail_record,
    sender_for,
    smtp_account_for,
)

if TYPE_CHECKING:
    from django.core.mail import EmailMultiAlternatives

    from maklerwerk.accounts.models import Office, User
    from maklerwerk.core.models import Activity
    from maklerwerk.mailing.models import MailTemplate, OutgoingMail
    from maklerwerk.mailing.placeholders import MailContext


logger = logging.getLogger(__name__)

Mailer = BaseEmailBackend  # an open SMTP connection, for callers that send many mails over one


@dataclass(frozen=True)
class MailActivity:
    """The activity a sent mail leaves on its contact and property (the text is the mail's)."""

    type: str
    subject: str = ""  # empty: the mail's subject
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass
class PreparedMail:
    """A rendered, built message for one recipient, not sent yet."""

    office: Office
    sender: User | None  # whose SMTP account sends it (None: the office's default mailer)
    acting_user: User | None  # recorded as "sent by" and on the activity
    message: EmailMultiAlternatives
    rendered: RenderedMail
    attachments: list[Attachment]
    template: MailTemplate | None
    contact_id: int | None
    property_id: int | None

    @property
    def message_id(self) -> str:
        return str(self.message.extra_headers["Message-ID"])


@dataclass(frozen=True)
class AfterSend:
    """Told of every mail the SMTP server accepted (e.g. mailsync: APPEND to the Sent folder)."""

    key: str
    fn: Callable[[PreparedMail], None]
    order: int = 0


AFTER_SEND: Registry[AfterSend] = Registry("after-send hooks")


def _after_send(mail: PreparedMail) -> None:
    for hook in AFTER_SEND:
        try:
            hook.fn(mail)
        except Exception:  # the mail is sent; a hook must not make it look failed
            logger.exception("after-send hook %s failed", hook.key)


def mail_prepare(
    *,
    office: Office,
    ctx: MailContext,
    to_email: str,
    acting_user: User | None,
    sender: User | None = None,
    template: MailTemplate | None = None,
    subject: str | None = None,
    body: str | None = None,
    to_name: str | None = None,
    attachments: Sequence[Attachment] = (),
    headers: dict[str, str] | None = None,
) -> PreparedMail:
    """Render `subject`/`body` (default: the template's) for `ctx` and build the message.

    `sender` is the user whose own SMTP account sends the mail (default: `acting_user`).
    Raises ApplicationError (template error, field without value, invalid address, and a contact
    whose processing is restricted or blocked: Art. 18 DSGVO, "Kontakt sperren").
    """
    if ctx.contact is not None and not contact_processing_allowed(ctx.contact.pk):
        raise ApplicationError(_("This contact is blocked or restricted: no mail is sent to them."))
    subject = template.subject if subject is None and template is not None else subject or ""
    body = template.body if body is None and template is not None else body or ""
    rendered = mail_render(subject=subject, body=body, ctx=ctx)
    from_header, reply_to = sender_for(office=office, agent=ctx.agent)
    if to_name is None:
        to_name = ctx.contact.display_name if ctx.contact is not None else ""
    message = mail_message_build(
        rendered=rendered,
        to_email=to_email,
        to_name=to_name,
        from_header=from_header,
        reply_to=reply_to,
        attachments=list(attachments),
    )
    message.extra_headers.update(headers or {})
    return PreparedMail(
        office=office,
        sender=acting_user if sender is None else sender,
        acting_user=acting_user,
        message=message,
        rendered=rendered,
        attachments=list(attachments),
        template=template,
        contact_id=getattr(ctx.contact, "pk", None),
        property_id=getattr(ctx.prop, "pk", None),
    )


def mailer_for(user: User | None) -> BaseEmailBackend:
    """A mailer for `user`: their own SMTP account if active, else the office's default.

    Raises SmtpError when the user's stored password cannot be read (SECRET_KEY changed).
    """
    return smtp_client.mailer_open(smtp_account_for(user))


# Inside `mailer_pool()`, one open connection per sender, shared by every mail of the pass.
_POOL: ContextVar[dict[int | None, BaseEmailBackend] | None] = ContextVar("mailer_pool", default=None)


@contextmanager
def mailer_pool() -> Iterator[None]:
    """One SMTP connection per sender for all mails sent inside (a pass of the process manager):
    a login per pass, not per mail. A connection that failed reconnects on its next mail."""
    pool: dict[int | None, BaseEmailBackend] = {}
    token = _POOL.set(pool)
    try:
        yield
    finally:
        _POOL.reset(token)
        for mailer in pool.values():
            with suppress(Exception):  # closing a broken connection at the end of a pass
                mailer.close()


def mail_transmit(mail: PreparedMail, *, mailer: BaseEmailBackend | None = None) -> float:
    """Hand the message to SMTP (over `mailer`, or the sender's own); seconds spent. Raises SmtpError."""
    pool = _POOL.get()
    if mailer is None and pool is not None:
        key = mail.sender.pk if mail.sender is not None else None
        if key not in pool:
            pool[key] = mailer_for(mail.sender)
        mailer = pool[key]
    own = mailer or mailer_for(mail.sender)
    try:
        # Looked up on the module on every call, so tests can stand in for the network at one place.
        seconds = smtp_client.message_send(mail.message, mailer=own)
    finally:
        if mailer is None:
            own.close()
    _after_send(mail)
    return seconds


@transaction.atomic
def mail_record(
    mail: PreparedMail, *, activity: MailActivity | None = None
) -> tuple[OutgoingMail, Activity | None]:
    """Store a mail the server accepted and, if given, its activity on contact and property."""

    stored = outgoing_mail_record(
        office=mail.office,
        message=mail.message,
        rendered=mail.rendered,
        attachments=mail.attachments,
        acting_user=mail.acting_user,
        contact_id=mail.contact_id,
        property_id=mail.property_id,
        template=mail.template,
    )
    if activity is None or not (mail.contact_id or mail.property_id):
        return stored, None
    note = activity_create(
        office=mail.office,
        type=activity.type,
        subject=(activity.subject or mail.rendered.subject or _("E-mail"))[:300],
        acting_user=mail.acting_user,
        body=mail.rendered.text,
        contact_id=mail.contact_id,
        property_id=mail.property_id,
        payload={
            "message_id": stored.message_id,
            "subject": mail.rendered.subject,
            "to": stored.to_email,
            "from": stored.from_email,
            "reply_to": stored.reply_to,
            "attachments": stored.attachments,
            "text": mail.rendered.text,
            "links": mail.rendered.created_links,
            "outgoing_mail_id": stored.pk,
            **activity.payload,
        },
    )
    return stored, note


def mail_send(
    *,
    office: Office,
    ctx: MailContext,
    to_email: str,
    acting_user: User | None,
    sender: User | None = None,
    template: MailTemplate | None = None,
    subject: str | None = None,
    body: str | None = None,
    to_name: str | None = None,
    attachments: Sequence[Attachment] = (),
    headers: dict[str, str] | None = None,
    activity: MailActivity | None = None,
    mailer: BaseEmailBackend | None = None,
) -> OutgoingMail:
    """Render, send and record one mail to one address; returns the stored mail.

    Raises ApplicationError (nothing sent) or SmtpError (the server did not take it); nothing is
    recorded then.
    """
    mail = mail_prepare(
        office=office,
        ctx=ctx,
        to_email=to_email,
        acting_user=acting_user,
        sender=sender,
        template=template,
        subject=subject,
        body=body,
        to_name=to_name,
        attachments=attachments,
        headers=headers,
    )
    mail_transmit(mail, mailer=mailer)
    stored, _ = mail_record(mail, activity=activity)
    return stored
