"""Offers (Angebotsvorgang): create one with its recipients, send it as a job, retry the missing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from maklerwerk.core.exceptions import ApplicationError, ConflictError
from maklerwerk.core.jobs import job_alive, job_start
from maklerwerk.core.models import Job
from maklerwerk.exposes.models import ExposeTemplate, Offer, OfferRecipient
from maklerwerk.mailing.placeholders import contact_email
from maklerwerk.mailing.services import template_check

if TYPE_CHECKING:
    from maklerwerk.accounts.models import Office, User
    from maklerwerk.contacts.models import Contact
    from maklerwerk.mailing.models import MailTemplate
    from maklerwerk.properties.models import Property

RETRYABLE = (OfferRecipient.Status.PENDING, OfferRecipient.Status.FAILED)


def consent_withdrawn(contact: Contact) -> bool:
    """Did the contact withdraw marketing consent? (Consent recorded once, now switched off.)"""
    withdrawn_at = getattr(contact, "marketing_consent_withdrawn_at", None)
    if withdrawn_at is not None:
        return True
    return not contact.marketing_consent and contact.marketing_consent_on is not None


def recipient_problem(contact: Contact) -> tuple[str, str]:
    """(e-mail, reason to skip or "") for a contact."""
    address = contact_email(contact)
    if not address:
        return "", _("no e-mail address")
    if consent_withdrawn(contact):
        return address, _("marketing consent withdrawn")
    return address, ""


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
    from maklerwerk.properties.models import PropertyDocument

    ids = sorted(set(document_ids or []))
    if ids and PropertyDocument.objects.filter(pk__in=ids, property__in=properties).count() != len(ids):
        raise ApplicationError(_("Unknown document."), extra={"field": "documents"})
    offer = Offer.objects.create(
        office=office,
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
    for contact in dict.fromkeys(contacts):
        address, reason = recipient_problem(contact)
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
    import maklerwerk.exposes.tasks  # noqa: F401 - registers the job function

    last = Job.objects.filter(pk=offer.last_job_id).first() if offer.last_job_id else None
    if job_alive(last):
        return last  # type: ignore[return-value]
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
        from maklerwerk.accounts.models import User

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
    else:
        recipient.status = OfferRecipient.Status.PENDING
        recipient.reason = _("Sent again on the decision of %(user)s.") % {"user": name}
    recipient.save(update_fields=["status", "sent_at", "reason"])
    if not delivered:
        transaction.on_commit(lambda: offer_send_start(offer=offer, acting_user=acting_user))
    return recipient


def interest_status_mark_sent(*, prop: Property, contact: Contact, acting_user: User | None) -> bool:
    """Move the contact's interest in the property to "exposé sent" (never back from a later stage).

    Written on the model, not through `properties.services.property_contact_set`: that one snapshots
    the whole property (all contact roles) into the history on every call, which makes an offer to
    500 prospects quadratic. The "Exposé versendet" activity written next to it is the record.
    """
    from maklerwerk.properties.models import PropertyContact

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
    link.full_clean(exclude=["office"], validate_constraints=False)
    link.save()
    return True


@transaction.atomic
def recipient_sent(
    *,
    recipient: OfferRecipient,
    acting_user: User | None,
    message: Any,
    rendered: Any,
    attachments: list[Any],
) -> None:
    """Record a mail the server accepted: stored mail, activity on contact and property, status."""
    from maklerwerk.core.services import activity_create
    from maklerwerk.mailing.services import outgoing_mail_record

    offer = recipient.offer
    stored = outgoing_mail_record(
        office=offer.office,
        message=message,
        rendered=rendered,
        attachments=attachments,
        acting_user=acting_user,
        contact_id=recipient.contact_id,
        property_id=recipient.property_id,
        template=offer.mail_template,
    )
    activity = activity_create(
        office=offer.office,
        type="expose_sent",
        subject=_("Exposé sent: %(title)s")
        % {"title": recipient.property.title or recipient.property.external_id},
        acting_user=acting_user,
        body=rendered.text,
        contact_id=recipient.contact_id,
        property_id=recipient.property_id,
        payload={
            "message_id": stored.message_id,
            "subject": rendered.subject,
            "to": stored.to_email,
            "from": stored.from_email,
            "reply_to": stored.reply_to,
            "attachments": stored.attachments,
            "text": rendered.text,
            "links": rendered.created_links,
            "offer_id": offer.pk,
            "outgoing_mail_id": stored.pk,
        },
    )
    interest_status_mark_sent(prop=recipient.property, contact=recipient.contact, acting_user=acting_user)
    OfferRecipient.objects.filter(pk=recipient.pk).update(
        status=OfferRecipient.Status.SENT,
        sent_at=timezone.now(),
        outgoing_mail=stored,
        activity=activity,
        message_id=stored.message_id,
        reason="",
    )


@transaction.atomic
def expose_settings_save(*, prop: Property, template: ExposeTemplate | None, virtual_tour_url: str) -> None:
    """The layout chosen for a property and its optional virtual-tour link."""
    from maklerwerk.exposes.models import PropertyExposeSettings

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
