"""The one place where the inquiry manager sends mail.

- The double-opt-in mail renders the office's mail template "Anfrage-Bestätigung (Double-Opt-in)"
  (key `double_opt_in`) with the mailing app; the confirmation link is the catalogue field
  `{{ links.bestaetigung }}`, passed as an extra value (added below the text if the office's
  template does not use it). The contact does not exist yet, so the template sees one built
  from the inquiry (not saved).
- The exposé goes through the exposé app's offer machinery: one `Offer` per inquiry with one
  recipient, sent by `exposes.services.offer_recipient_send`, the function that sends every
  offer: claimed before sending (never twice, also on retry), the exposé PDF and the property's
  unprotected documents attached, the mail stored, the activity "Exposé versendet" written on
  contact and property and the interest status moved to "exposé sent".
  The template is the one chosen in the inquiry settings, else "Exposé-Versand" (key `expose`).
- Both leave through `mailing.sending` (the mailbox's main user's own SMTP account where set).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from maklerwerk.contacts.models import Contact
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.exposes import services as exposes
from maklerwerk.exposes.services import offer_create
from maklerwerk.inquiries.models import Inquiry as InquiryModel
from maklerwerk.inquiries.models import InquirySettings
from maklerwerk.inquiries.prospect import SALUTATIONS, Prospect
from maklerwerk.integrations.smtp.client import SmtpError
from maklerwerk.mailing import templating
from maklerwerk.mailing.placeholders import BY_NAME, MailContext
from maklerwerk.mailing.sending import mail_send
from maklerwerk.mailing.services import smtp_reason, template_default
from maklerwerk.properties.models import PropertyDocument

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
        return inquiry.mailbox.main_user  # type: ignore[union-attr]  # mailbox_id is set
    return inquiry.assigned_to


def template_for(office: Office, key: str) -> MailTemplate:
    """The office's default template with `key`; the default templates are created on first use."""

    return template_default(office=office, key=key)


def expose_template_for(office: Office) -> MailTemplate:
    """The template of the exposé mail: chosen in the inquiry settings, else "Exposé-Versand"."""

    cfg = InquirySettings.objects.filter(office=office).select_related("expose_template").first()
    if cfg is not None and cfg.expose_template is not None:
        return cfg.expose_template
    return template_for(office, EXPOSE_KEY)


def _prospect(inquiry: Inquiry) -> Contact:
    """The prospect (the one `Prospect` value) as an unsaved contact, so the template's contact
    fields have values before a contact exists."""

    p = Prospect.of(inquiry)
    return Contact(
        office=inquiry.office,
        salutation=p.salutation if p.salutation in SALUTATIONS else "",
        first_name=p.first_name,
        last_name=p.last_name,
        street=p.street,
        house_number=p.house_number,
        postal_code=p.postal_code,
        city=p.city,
        responsible_agent_id=(inquiry.property.responsible_agent_id if inquiry.property else None),
    )


def send_confirmation(*, inquiry: Inquiry, url: str, valid_days: int) -> None:
    """The double-opt-in mail: a link to confirm the address and complete the contact data.

    Recorded as an `OutgoingMail`; the inquiry manager notes the step (and its activity) itself.
    """

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
    try:
        mail_send(
            office=inquiry.office,
            ctx=ctx,
            to_email=inquiry.email,
            to_name=" ".join(p for p in (inquiry.first_name, inquiry.last_name) if p),
            acting_user=user,
            template=template,
            body=body,
            headers={"Auto-Submitted": "auto-generated", "X-Maklerwerk-Inquiry": str(inquiry.pk)},
        )
    except SmtpError as exc:
        raise ApplicationError(smtp_reason(exc)) from exc


def _expose_offer(inquiry: Inquiry, contact: Contact, prop: Property, subject: str) -> int:
    """The inquiry's offer (created once, kept on the inquiry); returns its id.

    It attaches the exposé PDF and the property's documents that are not protected (floor plan,
    energy certificate …: what the agent lets anyone have); protected ones are only shared through
    personal links, as in an offer the agent sends by hand.
    """

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
            document_ids=list(
                PropertyDocument.objects.filter(property=prop, protected=False).values_list("pk", flat=True)
            ),
            subject=subject or None,
        )
        InquiryModel.objects.filter(pk=inquiry.pk).update(expose_offer=offer)
        inquiry.expose_offer_id = offer.pk
        return offer.pk


def send_expose(*, inquiry: Inquiry, contact: Contact, prop: Property, subject_template: str = "") -> None:
    """The exposé mail for one contact and property, at most once per inquiry.

    Sent by the offer's one-recipient sender (`exposes.services.offer_recipient_send`), the same
    that sends every offer: same attachments, claims, records and activity.
    `subject_template`: an optional subject in the template language; empty: the template's subject.
    Raises ApplicationError with the reason when it was not sent (retrying sends the same offer).
    """

    offer_id = _expose_offer(inquiry, contact, prop, subject_template)
    result = exposes.offer_send_one(
        offer_id=offer_id,
        contact=contact,
        prop=prop,
        acting_user=_acting_user(inquiry),
        to_email=inquiry.email,
        headers={"X-Maklerwerk-Inquiry": str(inquiry.pk)},
    )
    if result.outcome == exposes.Outcome.TAKEN:
        raise ApplicationError(
            "Der Exposé-Versand wurde schon begonnen; ob der Mailserver ihn angenommen hat, ist unklar. "
            "Bitte prüfen, bevor er erneut gesendet wird."
        )
    if result.outcome == exposes.Outcome.SKIPPED:
        raise ApplicationError(f"Exposé nicht gesendet: {result.reason}")
    if result.outcome == exposes.Outcome.FAILED:
        raise ApplicationError(result.reason)
