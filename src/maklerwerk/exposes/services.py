"""Offers (Angebotsvorgang): create one with its recipients, send it as a job, retry the missing."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.core.jobs import job_start
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
    """Send (or retry) the offer in the background: only recipients still waiting or failed get a mail."""
    running = (
        offer.last_job_id
        and Job.objects.filter(pk=offer.last_job_id, state__in=[Job.State.QUEUED, Job.State.RUNNING]).exists()
    )
    if running:
        return Job.objects.get(pk=offer.last_job_id)
    if not offer.recipients.filter(status__in=RETRYABLE).exists():
        raise ApplicationError(_("There is nobody left to send this offer to."))
    import maklerwerk.exposes.tasks  # noqa: F401 - registers the job function

    job = job_start(
        kind="exposes.offer_send",
        title=_("Sending offer: %(subject)s") % {"subject": offer.mail_template.name[:150]},
        office=offer.office,
        created_by=acting_user,
        offer_id=offer.pk,
        acting_user_id=getattr(acting_user, "pk", None),
    )
    Offer.objects.filter(pk=offer.pk).update(last_job=job)
    offer.last_job = job
    return job


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


def recipient_failed(recipient_id: int, reason: str) -> None:
    OfferRecipient.objects.filter(pk=recipient_id, status=OfferRecipient.Status.SENDING).update(
        status=OfferRecipient.Status.FAILED, reason=reason[:500]
    )


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
