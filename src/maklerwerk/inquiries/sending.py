"""The one place where the inquiry manager sends mail.

The mailing/exposé apps (sandboxed templates "Anfrage-Bestätigung (Double-Opt-in)" and
"Exposé-Versand", exposé PDF, offer process) were not available when this was written, so these
functions send plain German mails with Django's mailer. Switch the bodies to the mailing and
exposé services here when they land; callers do not change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMessage

if TYPE_CHECKING:
    from maklerwerk.contacts.models import Contact
    from maklerwerk.inquiries.models import Inquiry
    from maklerwerk.properties.models import Property


def _office_reply_to(inquiry: Inquiry) -> list[str]:
    office_email = getattr(inquiry.office, "email", "") or ""
    return [office_email] if office_email else []


def _greeting(salutation: str, first_name: str, last_name: str) -> str:
    if salutation == "herr" and last_name:
        return f"Sehr geehrter Herr {last_name},"
    if salutation == "frau" and last_name:
        return f"Sehr geehrte Frau {last_name},"
    name = " ".join(p for p in (first_name, last_name) if p)
    return f"Guten Tag {name}," if name else "Guten Tag,"


def _signature(inquiry: Inquiry) -> str:
    office = inquiry.office
    lines = ["", "Mit freundlichen Grüßen", office.name]
    lines += [v for v in (office.street, f"{office.postal_code} {office.city}".strip(), office.phone) if v]
    if office.email_signature:
        lines = ["", office.email_signature]
    return "\n".join(lines)


def send_confirmation(*, inquiry: Inquiry, url: str, valid_days: int) -> None:
    """The double-opt-in mail: a link to confirm the address and complete the contact data."""
    prop = inquiry.property
    title = (prop.title or prop.external_id) if prop else inquiry.property_title
    body = "\n".join(
        [
            _greeting(inquiry.salutation, inquiry.first_name, inquiry.last_name),
            "",
            f"vielen Dank für Ihre Anfrage zu „{title}“.",
            "Bitte bestätigen Sie Ihre E-Mail-Adresse und ergänzen Sie Ihre Anschrift über diesen Link;",
            "danach senden wir Ihnen das Exposé zu:",
            "",
            url,
            "",
            f"Der Link ist {valid_days} Tage gültig.",
            "Wenn Sie nichts angefragt haben, ignorieren Sie diese E-Mail.",
            _signature(inquiry),
        ]
    )
    EmailMessage(
        subject=f"Bitte bestätigen Sie Ihre Anfrage: {title}",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[inquiry.email],
        reply_to=_office_reply_to(inquiry),
        headers={"Auto-Submitted": "auto-generated", "X-Maklerwerk-Inquiry": str(inquiry.pk)},
    ).send()


def send_expose(*, inquiry: Inquiry, contact: Contact, prop: Property, subject_template: str) -> None:
    """The exposé mail for one contact and property (sent once; the caller holds the claim)."""
    title = prop.title or prop.external_id
    email = inquiry.email or (contact.emails.values_list("value", flat=True).first() or "")
    price = prop.purchase_price if prop.marketing_type == "kauf" else prop.cold_rent
    facts = [
        f"Objekt: {title} (Kennung {prop.external_id})",
        f"Lage: {prop.postal_code} {prop.city}".strip(),
    ]
    if price is not None:
        label = "Kaufpreis" if prop.marketing_type == "kauf" else "Kaltmiete"
        facts.append(f"{label}: {price:,.0f} €".replace(",", "."))
    if getattr(prop, "living_area", None):
        facts.append(f"Wohnfläche: {prop.living_area} m²")
    if getattr(prop, "rooms", None):
        facts.append(f"Zimmer: {prop.rooms}")
    body = "\n".join(
        [
            _greeting(contact.salutation, contact.first_name, contact.last_name),
            "",
            "vielen Dank für Ihr Interesse. Hier ist das Exposé zu dem angefragten Objekt:",
            "",
            *facts,
            "",
            "Für Rückfragen und eine Besichtigung erreichen Sie uns gern per Antwort auf diese E-Mail.",
            _signature(inquiry),
        ]
    )
    subject = (subject_template or "Ihr Exposé: {property}").replace("{property}", title)
    EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email],
        reply_to=_office_reply_to(inquiry),
        headers={"X-Maklerwerk-Inquiry": str(inquiry.pk), "X-Maklerwerk-Property": prop.external_id},
    ).send()


def send_plain(*, to: str, subject: str, body: str, reply_to: str = "") -> None:
    """A process-manager mail ("Vorlage" text with {contact}/{property} already filled in)."""
    EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        reply_to=[reply_to] if reply_to else [],
    ).send()
