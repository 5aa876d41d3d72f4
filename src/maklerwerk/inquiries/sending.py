"""The one place where the inquiry manager sends mail.

- The double-opt-in mail renders the office's mail template "Anfrage-Bestätigung (Double-Opt-in)"
  (key `double_opt_in`) with the mailing app; the confirmation link is the catalogue field
  `{{ links.bestaetigung }}`, passed as an extra value (added below the text if the office's
  template does not use it). The contact does not exist yet, so the template sees one built
  from the inquiry (not saved).
- The exposé goes through the exposé app's offer machinery: one `Offer` per inquiry with one
  recipient, claimed with `recipient_claim` before sending (never twice, also on retry), the
  exposé PDF attached, and `recipient_sent` stores the mail, writes the activity
  "Exposé versendet" on contact and property and moves the interest status to "exposé sent".
  The template is the one chosen in the inquiry settings, else "Exposé-Versand" (key `expose`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction

from maklerwerk.core.exceptions import ApplicationError

if TYPE_CHECKING:
    from maklerwerk.accounts.models import Office, User
    from maklerwerk.contacts.models import Contact
    from maklerwerk.inquiries.models import Inquiry
    from maklerwerk.mailing.models import MailTemplate
    from maklerwerk.properties.models import Property

CONFIRMATION_KEY = "double_opt_in"
EXPOSE_KEY = "expose"
LINK_FIELD = "links.bestaetigung"
# Fields that create personal links for a saved contact: not possible before the confirmation.
NEEDS_SAVED_CONTACT = {"links.dokumente", "links.suchprofil"}


def _acting_user(inquiry: Inquiry) -> User | None:
    if inquiry.mailbox_id:
        return inquiry.mailbox.main_user  # type: ignore[union-attr]
    return inquiry.assigned_to


def template_for(office: Office, key: str) -> MailTemplate:
    """The office's default template with `key`; the default templates are created on first use."""
    from maklerwerk.mailing.models import MailTemplate
    from maklerwerk.mailing.seed import templates_ensure_defaults

    template = MailTemplate.objects.filter(office=office, key=key).order_by("pk").first()
    if template is None:
        templates_ensure_defaults(office)
        template = MailTemplate.objects.filter(office=office, key=key).order_by("pk").first()
    if template is None:  # pragma: no cover - templates_ensure_defaults creates every key
        raise ApplicationError(f"Die E-Mail-Vorlage „{key}“ fehlt.")
    return template


def expose_template_for(office: Office) -> MailTemplate:
    """The template of the exposé mail: chosen in the inquiry settings, else "Exposé-Versand"."""
    from maklerwerk.inquiries.models import InquirySettings

    cfg = InquirySettings.objects.filter(office=office).select_related("expose_template").first()
    if cfg is not None and cfg.expose_template is not None:
        return cfg.expose_template
    return template_for(office, EXPOSE_KEY)


def _prospect(inquiry: Inquiry) -> Contact:
    """The prospect as an unsaved contact, so the template's contact fields have values."""
    from maklerwerk.contacts.models import Contact

    return Contact(
        office=inquiry.office,
        salutation=inquiry.salutation if inquiry.salutation in ("herr", "frau", "divers") else "",
        first_name=inquiry.first_name,
        last_name=inquiry.last_name,
        street=inquiry.street,
        house_number=inquiry.house_number,
        postal_code=inquiry.postal_code,
        city=inquiry.city,
        responsible_agent_id=(inquiry.property.responsible_agent_id if inquiry.property else None),
    )


def send_confirmation(*, inquiry: Inquiry, url: str, valid_days: int) -> None:
    """The double-opt-in mail: a link to confirm the address and complete the contact data."""
    from maklerwerk.integrations.smtp.client import SmtpError, mailer_open, message_send
    from maklerwerk.mailing import templating
    from maklerwerk.mailing.placeholders import BY_NAME, MailContext
    from maklerwerk.mailing.services import (
        mail_message_build,
        mail_render,
        outgoing_mail_record,
        sender_for,
        smtp_account_for,
        smtp_reason,
    )

    template = template_for(inquiry.office, CONFIRMATION_KEY)
    body = template.body
    try:
        used = templating.names_used(templating.parse(body, BY_NAME))
    except templating.TemplateSyntaxError as exc:
        raise ApplicationError(f"Vorlage „{template.name}“: {exc}") from exc
    if used & NEEDS_SAVED_CONTACT:
        fields = ", ".join(f"{{{{ {n} }}}}" for n in sorted(used & NEEDS_SAVED_CONTACT))
        raise ApplicationError(
            f"Die Vorlage „{template.name}“ nutzt {fields}; diese Links gibt es erst nach der Bestätigung."
        )
    if LINK_FIELD not in used:
        # The office's text has no place for the link: it goes below, so the mail still works.
        body = f"{body.rstrip()}\n\n{{{{ {LINK_FIELD} }}}}\n(Der Link ist {valid_days} Tage gültig.)\n"
    user = _acting_user(inquiry)
    prospect = _prospect(inquiry)
    ctx = MailContext(
        office=inquiry.office,
        acting_user=user,
        contact=prospect,
        prop=inquiry.property,
        extra={LINK_FIELD: url},
    )
    ctx.cache["kontakt.email"] = inquiry.email  # the unsaved contact has no e-mail rows
    rendered = mail_render(subject=template.subject, body=body, ctx=ctx)
    from_header, reply_to = sender_for(office=inquiry.office, agent=ctx.agent)
    name = " ".join(p for p in (inquiry.first_name, inquiry.last_name) if p)
    message = mail_message_build(
        rendered=rendered,
        to_email=inquiry.email,
        to_name=name,
        from_header=from_header,
        reply_to=reply_to,
        attachments=[],
    )
    message.extra_headers["Auto-Submitted"] = "auto-generated"
    message.extra_headers["X-Maklerwerk-Inquiry"] = str(inquiry.pk)
    mailer = mailer_open(smtp_account_for(user))
    try:
        message_send(message, mailer=mailer)
    except SmtpError as exc:
        raise ApplicationError(smtp_reason(exc)) from exc
    finally:
        mailer.close()
    outgoing_mail_record(
        office=inquiry.office,
        message=message,
        rendered=rendered,
        attachments=[],
        acting_user=user,
        contact_id=None,
        property_id=inquiry.property_id,
        template=template,
    )


def _expose_offer(inquiry: Inquiry, contact: Contact, prop: Property, subject: str) -> int:
    """The inquiry's offer (created once, kept on the inquiry); returns its id."""
    from maklerwerk.exposes.services import offer_create
    from maklerwerk.inquiries.models import Inquiry as InquiryModel

    with transaction.atomic():
        locked = InquiryModel.objects.select_for_update().get(pk=inquiry.pk)
        if locked.expose_offer_id is not None:
            inquiry.expose_offer_id = locked.expose_offer_id  # later full saves keep it
            return locked.expose_offer_id
        offer = offer_create(
            office=inquiry.office,
            acting_user=_acting_user(inquiry),
            contacts=[contact],
            properties=[prop],
            mail_template=expose_template_for(inquiry.office),
            attach_expose=True,
            subject=subject or None,
        )
        InquiryModel.objects.filter(pk=inquiry.pk).update(expose_offer=offer)
        inquiry.expose_offer_id = offer.pk
        return offer.pk


def send_expose(*, inquiry: Inquiry, contact: Contact, prop: Property, subject_template: str = "") -> None:
    """The exposé mail with the exposé PDF for one contact and property, at most once per inquiry.

    `subject_template`: an optional subject in the template language; empty: the template's subject.
    Raises ApplicationError with the reason when it was not sent (retrying sends the same offer).
    """
    from maklerwerk.exposes import services as exposes
    from maklerwerk.exposes.models import OfferRecipient
    from maklerwerk.exposes.render import ExposePdfExporter
    from maklerwerk.exposes.selectors import offer_recipient_for
    from maklerwerk.integrations.smtp.client import SmtpError, mailer_open, message_send
    from maklerwerk.mailing.placeholders import MailContext
    from maklerwerk.mailing.services import (
        Attachment,
        mail_message_build,
        mail_render,
        sender_for,
        smtp_account_for,
        smtp_reason,
    )

    offer_id = _expose_offer(inquiry, contact, prop, subject_template)
    recipient = offer_recipient_for(offer_id=offer_id, contact_id=contact.pk, property_id=prop.pk)
    if recipient is None:
        raise ApplicationError("Der Exposé-Versand zu dieser Anfrage gehört zu einem anderen Kontakt.")
    if recipient.status == OfferRecipient.Status.SENT:
        return  # sent before (e.g. the process stopped after the server accepted it)
    if recipient.status == OfferRecipient.Status.SKIPPED:
        raise ApplicationError(f"Exposé nicht gesendet: {recipient.reason}")
    if not exposes.recipient_claim(recipient.pk):
        raise ApplicationError(
            "Der Exposé-Versand wurde schon begonnen; ob der Mailserver ihn angenommen hat, ist unklar. "
            "Bitte prüfen, bevor er erneut gesendet wird."
        )
    offer = recipient.offer
    user = _acting_user(inquiry)
    address = inquiry.email or recipient.email
    try:
        ctx = MailContext(office=offer.office, acting_user=user, contact=contact, prop=prop)
        rendered = mail_render(subject=offer.subject, body=offer.body, ctx=ctx)
        name, mimetype, content = ExposePdfExporter().render(
            prop, template=offer.expose_template, language=offer.expose_language
        )
        attachments = [Attachment(name, content, mimetype)]
        from_header, reply_to = sender_for(office=offer.office, agent=ctx.agent)
        message = mail_message_build(
            rendered=rendered,
            to_email=address,
            to_name=contact.display_name,
            from_header=from_header,
            reply_to=reply_to,
            attachments=attachments,
        )
        message.extra_headers["X-Maklerwerk-Inquiry"] = str(inquiry.pk)
    except ApplicationError as exc:
        exposes.recipient_failed(recipient.pk, exc.message)
        raise
    except Exception as exc:
        exposes.recipient_failed(recipient.pk, str(exc) or type(exc).__name__)
        raise
    # The Message-ID is kept before talking to the server (as the offer job does): if we die after
    # the server accepted the mail, the recipient stays "sending" and is never sent again.
    exposes.recipient_addressed(recipient.pk, message_id=message.extra_headers["Message-ID"], email=address)
    mailer = mailer_open(smtp_account_for(user))
    try:
        message_send(message, mailer=mailer)
    except SmtpError as exc:
        exposes.recipient_failed(recipient.pk, smtp_reason(exc))
        raise ApplicationError(smtp_reason(exc)) from exc
    finally:
        mailer.close()
    exposes.recipient_sent(
        recipient=recipient, acting_user=user, message=message, rendered=rendered, attachments=attachments
    )


def send_plain(*, to: str, subject: str, body: str, reply_to: str = "") -> None:
    """A process-manager mail ("Vorlage" text with {contact}/{property} already filled in)."""
    EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        reply_to=[reply_to] if reply_to else [],
    ).send()
