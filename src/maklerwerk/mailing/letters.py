"""Letters (Briefe): a letter template rendered for one contact (and property) as a DIN 5008 PDF.

The text comes from the same sandboxed template language as mails (`services.mail_render`): the
template's subject is the letter's subject line, its text the body. The address block sits in the
window of a DIN-lang envelope (DIN 5008 form B). Creating a letter is logged as an activity on the
contact (and property), so it shows up in the Aktivitätsnachweis and the evidence record.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.core.models import Activity
from maklerwerk.core.services import activity_create
from maklerwerk.exposes.render import logo_data_uri
from maklerwerk.mailing.models import MailTemplate
from maklerwerk.mailing.placeholders import MailContext
from maklerwerk.mailing.services import mail_render

if TYPE_CHECKING:
    from maklerwerk.accounts.models import User
    from maklerwerk.contacts.models import Contact
    from maklerwerk.properties.models import Property


def address_lines(contact: Contact) -> list[str]:
    """The recipient's address as it goes in the window: company, person, street, PLZ and city."""
    person = " ".join(p for p in (contact.get_salutation_display() if contact.salutation else "",
                                  contact.title, contact.first_name, contact.last_name) if p)  # fmt: skip
    street = " ".join(p for p in (contact.street, contact.house_number) if p)
    place = " ".join(p for p in (contact.postal_code, contact.city) if p)
    lines = [contact.company_name, person, street, place]
    if contact.country and contact.country.upper() != "DE":  # abroad: the country last, in capitals
        lines.append(contact.country.upper())
    return [line for line in lines if line]


def letter_pdf(
    *, template: MailTemplate, contact: Contact, prop: Property | None, acting_user: User
) -> tuple[str, bytes]:
    """(file name, PDF bytes); raises ApplicationError for a mail template or a field without value."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    if template.kind != MailTemplate.Kind.LETTER:
        raise ApplicationError("Bitte eine Briefvorlage wählen.", extra={"field": "template"})
    if not (contact.street and contact.postal_code and contact.city):
        raise ApplicationError(
            "Für einen Brief fehlt die Anschrift (Straße, PLZ, Ort) des Kontakts.", extra={"field": "contact"}
        )
    office = contact.office
    ctx = MailContext(office=office, acting_user=acting_user, contact=contact, prop=prop)
    rendered = mail_render(subject=template.subject, body=template.body, ctx=ctx)
    html = render_to_string(
        "mailing/letter.html",
        {
            "office": office,
            "agent": ctx.agent,
            "recipient": address_lines(contact),
            "date": timezone.localdate(),
            "subject": rendered.subject,
            "paragraphs": [p.strip() for p in rendered.text.split("\n\n") if p.strip()],
            "logo": logo_data_uri(office),
        },
    )
    pdf = HTML(string=html, url_fetcher=URLFetcher(allowed_protocols={"data"}, timeout=1)).write_pdf()
    activity_create(
        office=office,
        type=Activity.Type.LETTER,
        subject=f"Brief erstellt: {rendered.subject}",
        body=rendered.text,
        acting_user=acting_user,
        payload={"template": template.name, "template_id": template.pk},
        contact_id=contact.pk,
        property_id=getattr(prop, "pk", None),
    )
    name = f"Brief {slugify(contact.display_name)} {timezone.localdate():%Y-%m-%d}.pdf"
    return name, pdf
