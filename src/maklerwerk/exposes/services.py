"""Offers (Angebotsvorgang): create one with its recipients, send it as a job, retry the missing."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from maklerwerk.accounts.models import User
from maklerwerk.core.exceptions import ApplicationError, ConflictError
from maklerwerk.core.jobs import job_alive, job_start
from maklerwerk.core.models import Activity, Job
from maklerwerk.core.services import activity_create
from maklerwerk.exposes.extras import OFFER_EXTRAS, OfferExtraFor, extras_for
from maklerwerk.exposes.models import ExposeTemplate, Offer, OfferRecipient, PropertyExposeSettings
from maklerwerk.exposes.render import ExposePdfExporter
from maklerwerk.integrations.smtp.client import SmtpError
from maklerwerk.mailing.placeholders import MailContext, contact_email
from maklerwerk.mailing.sending import (
    MailActivity,
    Mailer,
    PreparedMail,
    mail_prepare,
    mail_record,
    mail_transmit,
    mailer_for,
)
from maklerwerk.mailing.services import Attachment, smtp_reason, template_check
from maklerwerk.privacy.consent import OFFER_PURPOSES, marketing_blocked, unsubscribe_headers
from maklerwerk.properties.models import PropertyContact, PropertyDocument

if TYPE_CHECKING:
    from maklerwerk.accounts.models import Office, User
    from maklerwerk.contacts.models import Contact
    from maklerwerk.mailing.models import MailTemplate
    from maklerwerk.properties.models import Property

logger = logging.getLogger(__name__)

RETRYABLE = (OfferRecipient.Status.PENDING, OfferRecipient.Status.FAILED)


def consent_problems(contacts: Iterable[Contact]) -> dict[int, str]:
    """Contact id → why no offer may be mailed to them (withdrawn consent, objection, block): the
    privacy app's one consent gate, asked once for all recipients."""
    return marketing_blocked(contact_ids=[c.pk for c in contacts], purposes=OFFER_PURPOSES, need_grant=False)


def recipient_problem(contact: Contact, problems: dict[int, str] | None = None) -> tuple[str, str]:
    """(e-mail, reason to skip or "") for a contact (`problems`: `consent_problems` of a batch)."""
    address = contact_email(contact)
    if not address:
        return "", _("no e-mail address")
    reason = (consent_problems([contact]) if problems is None else problems).get(contact.pk, "")
    return address, reason


@transaction.atomic
def offer_create(
    *,
    office: Office,
    acting_user: User | None,
    contacts: list[Contact],
    properties: list[Property],
    mail_template: MailTemplate,
    attach_expose: bool = True,
    expose_template: ExposeTemplate | None = None,
    expose_language: str = "de",
    document_ids: list[int] | None = None,
    subject: str | None = None,
    body: str | None = None,
    extras: list[str] | None = None,
) -> Offer:
    """An offer to every (contact, property) pair; contacts without address or consent are skipped.

    The template text is copied into the offer, so later edits of the template change nothing here.
    """
    if not contacts:
        raise ApplicationError(_("Choose at least one contact."), extra={"field": "contacts"})
    if not properties:
        raise ApplicationError(_("Choose at least one property."), extra={"field": "properties"})
    if mail_template.office_id != office.pk:
        raise ApplicationError(_("Unknown template."), extra={"field": "template"})
    if expose_template is not None and expose_template.office_id != office.pk:
        raise ApplicationError(_("Unknown exposé template."), extra={"field": "expose_template"})
    if any(c.office_id != office.pk for c in contacts) or any(p.office_id != office.pk for p in properties):
        raise ApplicationError(_("Unknown contact or property."))
    subject = mail_template.subject if subject is None else subject
    body = mail_template.body if body is None else body
    problems = template_check(subject=subject, body=body)
    if problems:
        raise ApplicationError("; ".join(str(p) for p in problems), extra={"field": "template"})
    if expose_language not in ("de", "en"):
        raise ApplicationError(_("Unknown language."), extra={"field": "language"})

    ids = sorted(set(document_ids or []))
    if ids and PropertyDocument.objects.filter(pk__in=ids, property__in=properties).count() != len(ids):
        raise ApplicationError(_("Unknown document."), extra={"field": "documents"})
    extras = sorted(set(extras or []))
    unknown = [k for k in extras if k not in OFFER_EXTRAS]
    if unknown:
        raise ApplicationError(
            _("Unknown attachment: %(keys)s") % {"keys": ", ".join(unknown)}, extra={"field": "extras"}
        )
    offer = Offer.objects.create(
        office=office,
        extras=extras,
        mail_template=mail_template,
        subject=subject,
        body=body,
        attach_expose=attach_expose,
        expose_template=expose_template,
        expose_language=expose_language,
        document_ids=ids,
        created_by=acting_user,
    )
    rows = []
    blocked = consent_problems(contacts)
    for contact in dict.fromkeys(contacts):
        address, reason = recipient_problem(contact, blocked)
        for prop in dict.fromkeys(properties):
            rows.append(
                OfferRecipient(
                    offer=offer,
                    contact=contact,
                    property=prop,
                    email=address,
                    status=OfferRecipient.Status.SKIPPED if reason else OfferRecipient.Status.PENDING,
                    reason=reason,
                )
            )
    OfferRecipient.objects.bulk_create(rows, batch_size=1000)
    return offer


def offer_send_start(*, offer: Offer, acting_user: User | None) -> Job:
    """Send (or retry) the offer in the background: only recipients still waiting or failed get a mail.

    A job still queued or running under its lease is returned; a dead one is declared dead on the way
    (which may resume it) and never returned.
    """
    last = Job.objects.filter(pk=offer.last_job_id).first() if offer.last_job_id else None
    if job_alive(last):
        return last
    # Declaring it dead may have resumed the work in a new job: that one is the answer.
    offer.refresh_from_db(fields=["last_job"])
    if last is not None and offer.last_job is not None and offer.last_job.resumed_from_id == last.pk:
        return offer.last_job
    if not offer.recipients.filter(status__in=RETRYABLE).exists():
        raise ApplicationError(_("There is nobody left to send this offer to."))
    return _offer_job_start(offer=offer, acting_user=acting_user)


def _offer_job_start(*, offer: Offer, acting_user: User | None, resumed_from: Job | None = None) -> Job:
    job = job_start(
        kind="exposes.offer_send",
        title=_("Sending offer: %(subject)s") % {"subject": offer.mail_template.name[:150]},
        office=offer.office,
        created_by=acting_user,
        resumed_from=resumed_from,
        offer_id=offer.pk,
        acting_user_id=getattr(acting_user, "pk", None),
    )
    Offer.objects.filter(pk=offer.pk).update(last_job=job)
    offer.last_job = job
    return job


def offer_job_interrupted(job: Job) -> None:
    """The offer job died (core.jobs): the mail in flight becomes "delivery unclear", the rest goes on.

    A recipient still "sending" was claimed and may or may not have reached the server: it is never
    sent again automatically. Those still waiting get their mail from a new job.
    """
    offer = Offer.objects.select_related("mail_template").filter(pk=job.params.get("offer_id")).first()
    if offer is None:
        return
    stuck = offer.recipients.filter(status=OfferRecipient.Status.SENDING)
    for recipient_id in stuck.values_list("pk", flat=True):
        recipient_unclear(recipient_id, _("The job worker stopped while this mail was being sent."))
    if offer.last_job_id not in (None, job.pk):
        return  # a newer job already carries on
    if offer.recipients.filter(status=OfferRecipient.Status.PENDING).exists():
        user = User.objects.filter(pk=job.params.get("acting_user_id")).first()
        _offer_job_start(offer=offer, acting_user=user, resumed_from=job)
        Job.objects.filter(pk=job.pk).update(
            message=(job.message + " " + _("The waiting recipients get their mail in a new job."))[:300]
        )


def recipient_claim(recipient_id: int) -> bool:
    """Claim one recipient for sending (conditional UPDATE); False if someone else has it or it is done."""
    return bool(
        OfferRecipient.objects.filter(pk=recipient_id, status__in=RETRYABLE).update(
            status=OfferRecipient.Status.SENDING,
            attempts=F("attempts") + 1,
            claimed_at=timezone.now(),
            reason="",
        )
    )


def recipient_addressed(recipient_id: int, *, message_id: str, email: str) -> None:
    """Keep the Message-ID and address of a claimed recipient before talking to the server: if the
    process dies after the server accepted the mail, the recipient stays "sending", never resent."""
    OfferRecipient.objects.filter(pk=recipient_id).update(message_id=message_id, email=email)


def recipient_failed(recipient_id: int, reason: str) -> None:
    OfferRecipient.objects.filter(pk=recipient_id, status=OfferRecipient.Status.SENDING).update(
        status=OfferRecipient.Status.FAILED, reason=reason[:500]
    )


def recipient_unclear(recipient_id: int, cause: str) -> None:
    """A claimed mail whose fate is unknown (it may have reached the server): the agent decides."""
    reason = _(
        "Delivery unclear (%(cause)s): check with the recipient, then send again or mark as delivered."
    )
    OfferRecipient.objects.filter(pk=recipient_id, status=OfferRecipient.Status.SENDING).update(
        status=OfferRecipient.Status.UNCLEAR, reason=(reason % {"cause": cause})[:500]
    )


def recipient_sent_unrecorded(recipient_id: int, error: str) -> None:
    """The server accepted the mail but recording it failed: sent (never resent), with the reason."""
    OfferRecipient.objects.filter(pk=recipient_id, status=OfferRecipient.Status.SENDING).update(
        status=OfferRecipient.Status.SENT,
        sent_at=timezone.now(),
        reason=(_("Sent, but recording it failed: %(error)s") % {"error": error})[:500],
    )


@transaction.atomic
def recipient_unclear_resolve(
    *, offer: Offer, recipient_id: int, delivered: bool, acting_user: User | None
) -> OfferRecipient:
    """The agent's decision on a "delivery unclear" mail: it arrived (sent), or send it again (waiting).

    "Send again" starts the offer job for it at once.
    """
    recipient = offer.recipients.select_for_update().filter(pk=recipient_id).first()
    if recipient is None:
        raise ApplicationError(_("Unknown recipient."))
    if recipient.status != OfferRecipient.Status.UNCLEAR:
        raise ConflictError(_("This mail is no longer waiting for a decision."))
    name = (acting_user.get_full_name() or acting_user.get_username()) if acting_user else "?"
    if delivered:
        recipient.status = OfferRecipient.Status.SENT
        recipient.sent_at = recipient.claimed_at or timezone.now()
        recipient.reason = _("Marked as delivered by %(user)s.") % {"user": name}
        # The evidence record (Nachweis) is built from activities: a mail the agent confirmed
        # counts as sent, with who confirmed it and the Message-ID the worker had recorded.
        recipient.activity = activity_create(
            office=offer.office,
            type=Activity.Type.EXPOSE_SENT,
            subject=_("Exposé sent: %(title)s")
            % {"title": recipient.property.title or recipient.property.external_id},
            body=recipient.reason,
            acting_user=acting_user,
            occurred_at=recipient.sent_at,
            payload={"offer_id": offer.pk, "message_id": recipient.message_id, "to": recipient.email},
            contact_id=recipient.contact_id,
            property_id=recipient.property_id,
        )
        interest_status_mark_sent(prop=recipient.property, contact=recipient.contact, acting_user=acting_user)
    else:
        recipient.status = OfferRecipient.Status.PENDING
        recipient.reason = _("Sent again on the decision of %(user)s.") % {"user": name}
    recipient.save(update_fields=["status", "sent_at", "reason", "activity"])
    if not delivered:
        transaction.on_commit(lambda: offer_send_start(offer=offer, acting_user=acting_user))
    return recipient


def interest_status_mark_sent(*, prop: Property, contact: Contact, acting_user: User | None) -> bool:
    """Move the contact's interest in the property to "exposé sent" (never back from a later stage).

    Written on the model, not through `properties.services.property_contact_set`: that one snapshots
    the whole property (all contact roles) into the history on every call, which makes an offer to
    500 prospects quadratic. The "Exposé versendet" activity written next to it is the record.
    """

    new, sent = PropertyContact.InterestStatus.NEW, PropertyContact.InterestStatus.EXPOSE_SENT
    link = PropertyContact.objects.filter(
        property=prop, contact=contact, role=PropertyContact.Role.PROSPECT
    ).first()
    if link is None:
        link = PropertyContact(
            office_id=prop.office_id, property=prop, contact=contact, role=PropertyContact.Role.PROSPECT
        )
    elif link.interest_status not in ("", new):
        return False
    link.interest_status = sent
    # Property and contact are given objects of the office: no query per key to check them again.
    link.full_clean(exclude=["office", "property", "contact"], validate_constraints=False)
    if link.pk is None:
        link.save()
    else:
        link.save(update_fields=["interest_status", "updated_at"])
    return True


@transaction.atomic
def recipient_sent(*, recipient: OfferRecipient, mail: PreparedMail) -> None:
    """Record a mail the server accepted: stored mail, activity on contact and property, status."""
    offer = recipient.offer
    stored, activity = mail_record(
        mail,
        activity=MailActivity(
            type="expose_sent",
            subject=_("Exposé sent: %(title)s")
            % {"title": recipient.property.title or recipient.property.external_id},
            payload={"offer_id": offer.pk},
        ),
    )
    interest_status_mark_sent(
        prop=recipient.property, contact=recipient.contact, acting_user=mail.acting_user
    )
    OfferRecipient.objects.filter(pk=recipient.pk).update(
        status=OfferRecipient.Status.SENT,
        sent_at=timezone.now(),
        outgoing_mail=stored,
        activity=activity,
        message_id=stored.message_id,
        reason="",
    )


# --- sending ----------------------------------------------------------------------------------------


class Outcome(StrEnum):
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"
    TAKEN = "taken"  # claimed by another worker, or no longer waiting: not touched


@dataclass(frozen=True)
class RecipientResult:
    outcome: Outcome
    reason: str = ""
    smtp_seconds: float = 0.0


def offer_attachments(
    offer: Offer, prop: Property, cache: dict[int, list[Attachment]] | None = None
) -> list[Attachment]:
    """The exposé PDF (if the offer attaches it) and the chosen documents of `prop`.

    Built once per property when the caller passes a `cache` (the offer job: one per job).
    """
    if cache is not None and prop.pk in cache:
        return cache[prop.pk]

    items: list[Attachment] = []
    if offer.attach_expose:
        name, mimetype, content = ExposePdfExporter().render(
            prop, template=offer.expose_template, language=offer.expose_language
        )
        items.append(Attachment(name, content, mimetype))
    for doc in PropertyDocument.objects.filter(pk__in=offer.document_ids, property=prop):
        stored: str = doc.file.name  # type: ignore[assignment]  # a stored file has a name
        with doc.file.open("rb") as fh:
            items.append(
                Attachment(
                    stored.rsplit("/", 1)[-1].split("_", 1)[-1],
                    fh.read(),
                    "application/pdf" if stored.lower().endswith(".pdf") else "application/octet-stream",
                )
            )
    if cache is not None:
        cache[prop.pk] = items
    return items


def offer_recipient_send(
    *,
    recipient: OfferRecipient,
    acting_user: User | None,
    mailer: Mailer | None = None,
    to_email: str = "",
    headers: dict[str, str] | None = None,
    attachments_cache: dict[int, list[Attachment]] | None = None,
) -> RecipientResult:
    """Send the offer's mail to ONE recipient, at most once (the offer job and the inquiry manager).

    Claims the recipient first (a conditional UPDATE: a recipient another worker holds, or one that is
    no longer waiting, is `TAKEN` and left alone), skips it without address or consent, records the
    Message-ID before the server sees the mail, sends over `mailer` (or the acting user's own SMTP
    account, else the office's), then records the mail, the activity and the interest status.
    `to_email`: send to this address instead of the contact's first one (the inquiry's sender).
    Never raises for one recipient's problem: the result says what happened.
    """
    if not recipient_claim(recipient.pk):
        return RecipientResult(Outcome.TAKEN)
    offer = recipient.offer
    contact = recipient.contact
    if to_email:
        address, reason = to_email, consent_problems([contact]).get(contact.pk, "")
    else:
        address, reason = recipient_problem(contact)
    if not to_email and not reason:
        # An offer is marketing: it carries the one-click unsubscribe (RFC 8058) for offers.
        _url, unsubscribe = unsubscribe_headers(
            office=offer.office, contact_id=contact.pk, purpose=OFFER_PURPOSES[0]
        )
        headers = {**(headers or {}), **unsubscribe}
    if reason:
        OfferRecipient.objects.filter(pk=recipient.pk).update(
            status=OfferRecipient.Status.SKIPPED, reason=reason, email=address
        )
        return RecipientResult(Outcome.SKIPPED, reason)
    talked_smtp = False
    try:
        ctx = MailContext(
            office=offer.office, acting_user=acting_user, contact=contact, prop=recipient.property
        )
        mail = mail_prepare(
            office=offer.office,
            ctx=ctx,
            to_email=address,
            acting_user=acting_user,
            template=offer.mail_template,
            subject=offer.subject,
            body=offer.body,
            to_name=contact.display_name,
            attachments=[
                *offer_attachments(offer, recipient.property, attachments_cache),
                *extras_for(
                    list(offer.extras),
                    OfferExtraFor(
                        prop=recipient.property,
                        contact=contact,
                        acting_user=acting_user,
                        ref=f"offer-recipient:{recipient.pk}",
                    ),
                ),
            ],
            headers=headers,
        )
        # Remember the Message-ID before talking to the server: if we die after it accepted the mail,
        # the recipient stays "sending" with this id; recovery turns it into "delivery unclear" for the
        # agent to decide, it is never sent again automatically.
        OfferRecipient.objects.filter(pk=recipient.pk).update(message_id=mail.message_id, email=address)
        talked_smtp = True
        seconds = mail_transmit(mail, mailer=mailer)
    except SmtpError as exc:
        recipient_failed(recipient.pk, smtp_reason(exc))
        return RecipientResult(Outcome.FAILED, smtp_reason(exc))
    except ApplicationError as exc:
        recipient_failed(recipient.pk, exc.message)
        return RecipientResult(Outcome.FAILED, exc.message)
    except Exception as exc:
        # A bug or bad data of this one recipient must not stop the others. Before SMTP nothing went
        # out (failed, may be retried); during SMTP nobody knows (unclear, the agent decides).
        logger.exception("offer %s: recipient %s failed", offer.pk, recipient.pk)
        error = str(exc) or type(exc).__name__
        if talked_smtp:
            recipient_unclear(recipient.pk, error)
            return RecipientResult(Outcome.FAILED, error)
        reason = _("Unexpected error: %(error)s") % {"error": error}
        recipient_failed(recipient.pk, reason)
        return RecipientResult(Outcome.FAILED, reason)
    try:
        recipient_sent(recipient=recipient, mail=mail)
    except Exception as exc:
        # The server accepted the mail: it counts as sent, never as failed (that would resend).
        logger.exception("offer %s: recording recipient %s failed", offer.pk, recipient.pk)
        recipient_sent_unrecorded(recipient.pk, str(exc) or type(exc).__name__)
    return RecipientResult(Outcome.SENT, smtp_seconds=seconds)


def offer_send_one(
    *,
    offer_id: int,
    contact: Contact,
    prop: Property,
    acting_user: User | None,
    to_email: str = "",
    headers: dict[str, str] | None = None,
) -> RecipientResult:
    """Send the offer's mail to its recipient (`contact`, `prop`) unless that happened already.

    For an offer with one recipient sent on its own (the inquiry manager's exposé): a recipient
    already sent is `SENT` again without a mail, a skipped one `SKIPPED` with its reason.
    Raises ApplicationError if the offer has no such recipient.
    """
    recipient = (
        OfferRecipient.objects.select_related(
            "offer__office",
            "offer__expose_template",
            "offer__mail_template",
            "contact",
            "property__office",  # the exposé shows both
            "property__responsible_agent",
        )
        .filter(offer_id=offer_id, contact=contact, property=prop)
        .first()
    )
    if recipient is None:
        raise ApplicationError(_("This offer belongs to another contact."))
    if recipient.status == OfferRecipient.Status.SENT:
        return RecipientResult(Outcome.SENT)  # e.g. the process stopped after the server accepted it
    if recipient.status == OfferRecipient.Status.SKIPPED:
        return RecipientResult(Outcome.SKIPPED, recipient.reason)
    return offer_recipient_send(
        recipient=recipient, acting_user=acting_user, to_email=to_email, headers=headers
    )


def offer_send_all(
    *,
    offer_id: int,
    acting_user_id: int | None,
    on_progress: Callable[[int, int, str], None] | None = None,
) -> dict[str, Any]:
    """Send every waiting or failed recipient of the offer once (the offer job); a per-recipient report.

    One SMTP connection for the whole run; the attachments of a property are built once.
    """

    started = time.perf_counter()
    offer = Offer.objects.select_related("office", "mail_template", "expose_template").get(pk=offer_id)
    user = User.objects.filter(pk=acting_user_id).first()  # type: ignore[misc]  # None finds no one
    todo = list(
        offer.recipients.filter(status__in=RETRYABLE)
        .select_related("contact", "property", "property__responsible_agent", "property__office")
        .order_by("pk")
    )
    mailer = mailer_for(user)
    cache: dict[int, list[Attachment]] = {}
    counts = {Outcome.SENT: 0, Outcome.FAILED: 0, Outcome.SKIPPED: 0, Outcome.TAKEN: 0}
    smtp_seconds = 0.0
    try:
        for i, recipient in enumerate(todo, start=1):
            recipient.offer = offer
            result = offer_recipient_send(
                recipient=recipient, acting_user=user, mailer=mailer, attachments_cache=cache
            )
            counts[result.outcome] += 1
            smtp_seconds += result.smtp_seconds
            if on_progress is not None and result.outcome != Outcome.TAKEN:
                on_progress(i, len(todo), _("%(done)s of %(total)s mails") % {"done": i, "total": len(todo)})
    finally:
        mailer.close()
    sent, failed, skipped = counts[Outcome.SENT], counts[Outcome.FAILED], counts[Outcome.SKIPPED]
    parts = [ngettext("%(n)s mail sent", "%(n)s mails sent", sent) % {"n": sent}]
    if failed:
        parts.append(ngettext("%(n)s failed", "%(n)s failed", failed) % {"n": failed})
    if skipped:
        parts.append(ngettext("%(n)s skipped", "%(n)s skipped", skipped) % {"n": skipped})
    return {
        "offer_id": offer.pk,
        "sent": sent,
        "failed": failed,
        "skipped": skipped,
        "seconds": round(time.perf_counter() - started, 3),
        "smtp_seconds": round(smtp_seconds, 3),
        "message": ", ".join(parts),
    }


@transaction.atomic
def expose_settings_save(*, prop: Property, template: ExposeTemplate | None, virtual_tour_url: str) -> None:
    """The layout chosen for a property and its optional virtual-tour link."""

    PropertyExposeSettings.objects.update_or_create(
        property=prop,
        defaults={"office_id": prop.office_id, "template": template, "virtual_tour_url": virtual_tour_url},
    )


@transaction.atomic
def expose_template_save(
    *, office: Office, template: ExposeTemplate | None, data: dict[str, Any]
) -> ExposeTemplate:
    """Create or change an office's exposé layout (CSS and closing page)."""
    template = template or ExposeTemplate(office=office)
    for key in ("name", "accent_color", "css", "closing_html"):
        if key in data:
            setattr(template, key, data[key] or "")
    template.full_clean(exclude=["office"])
    template.save()
    return template
