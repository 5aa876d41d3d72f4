"""Demo data: one inquiry in every status, each with the steps the automation would have recorded.

The rows are written directly (as the other seeders do): running the automation would send mails.
They name the demo's properties and, where the automation would have linked one, a demo contact.
Idempotent: the demo's inquiries carry a Message-ID of their own and are made once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from maklerwerk.contacts.selectors import contact_get, demo_contact_ids
from maklerwerk.core.seeding import SeedContext
from maklerwerk.inquiries.models import Inquiry, InquiryRule, InquiryStep, Source
from maklerwerk.properties.selectors import visible_properties

if TYPE_CHECKING:
    from maklerwerk.contacts.models import Contact
    from maklerwerk.properties.models import Property

DEMO_DOMAIN = "demo.maklerwerk.invalid"
Status = Inquiry.Status


@dataclass(frozen=True)
class DemoInquiry:
    status: str
    source: str
    hours_ago: int
    first_name: str
    last_name: str
    email: str
    phone: str
    message: str
    reason: str
    steps: tuple[tuple[str, str, bool], ...]  # (kind, text, ok); {prop} is the property's name
    with_property: bool = True
    with_contact: bool = False


INQUIRIES = [
    DemoInquiry(
        Status.NEW, Source.IMMOSCOUT24, 1, "Jonas", "Albrecht", "j.albrecht@example.de", "0171 2345678",
        "Guten Tag, ist die Wohnung noch frei? Wir sind zu zweit, beide berufstätig, und könnten "
        "ab dem 1. des übernächsten Monats einziehen. Besichtigung gern abends.",
        "Ausnahme „Mietobjekte manuell“: keine Automatik – bitte manuell bearbeiten.",
        (("received", "Anfrage aus Postfach „Portale“ übernommen (ImmobilienScout24)", True),
         ("property", "Anfrage zu {prop}", True),
         ("rule", "Ausnahme „Mietobjekte manuell“: keine Automatik – bitte manuell bearbeiten.", True)),
    ),
    DemoInquiry(
        Status.WAITING, Source.IMMOWELT, 5, "Miriam", "Özdemir", "miriam.oezdemir@example.de", "",
        "Ich interessiere mich für das Objekt und bitte um das Exposé.",
        "Bestätigungslink gesendet; wartet auf die Bestätigung der E-Mail-Adresse.",
        (("received", "Anfrage aus Postfach „Portale“ übernommen (immowelt)", True),
         ("property", "Anfrage zu {prop}", True),
         ("confirmation_mail", "Bestätigungslink an miriam.oezdemir@example.de gesendet", True)),
    ),
    DemoInquiry(
        Status.COMPLETED, Source.KLEINANZEIGEN, 26, "", "", "", "0151 98765432",
        "Hallo, gibt es einen Stellplatz dazu? Bitte Exposé schicken.",
        "Exposé gesendet.",
        (("received", "Anfrage aus Postfach „Portale“ übernommen (Kleinanzeigen)", True),
         ("property", "Anfrage zu {prop}", True),
         ("known_contact", "E-Mail-Adresse gehört zu Kontakt {contact}", True),
         ("expose", "Exposé {ref} (PDF) gesendet", True)),
        with_contact=True,
    ),
    DemoInquiry(
        Status.ABORTED, Source.OPENIMMO, 30, "Katrin", "Hofmann", "k.hofmann@example.de", "06172 44556",
        "Bitte um Rückruf wegen einer Besichtigung am Wochenende.",
        "Wahrscheinliche Dublette von Kontakt {contact}: Aufgabe zur Prüfung angelegt.",
        (("received", "Anfrage aus Postfach „Portale“ übernommen (OpenImmo-Feedback)", True),
         ("property", "Anfrage zu {prop}", True),
         ("duplicate", "Wahrscheinliche Dublette von Kontakt {contact} (gleiche Telefonnummer)", False),
         ("task", "Aufgabe „Dublette prüfen: Katrin Hofmann“ für das Büro angelegt", True)),
        with_contact=True,
    ),
    DemoInquiry(
        Status.UNRECOGNIZED, Source.UNKNOWN, 50, "", "", "", "",
        "Sehr geehrte Damen und Herren, unser Newsletter für Immobilienprofis: fünf Tipps für die "
        "Akquise im Winter …",
        "Nicht erkannt: kein bekanntes Anfrageformat.",
        (("received", "Anfrage aus Postfach „Portale“ übernommen – nicht erkannt", False),),
        with_property=False,
    ),
    DemoInquiry(
        Status.IGNORED, Source.IMMOSCOUT24, 74, "Felix", "Brandt", "felix.brandt@example.de", "",
        "Ist das Haus noch zu haben?",
        "Objekt unbekannt (Kennung/Portal-ID: 118822931).",
        (("received", "Anfrage aus Postfach „Portale“ übernommen (ImmobilienScout24)", True),
         ("property", "Objekt unbekannt (Kennung/Portal-ID: 118822931).", False)),
        with_property=False,
    ),
    DemoInquiry(
        Status.ADDRESS_ONLY, Source.WEBSITE, 98, "Sabine", "Krüger", "sabine.krueger@example.de", "",
        "Bitte nehmen Sie mich in Ihre Interessentenliste für Eigentumswohnungen im Nordend auf.",
        "Ausnahme „Website: nur Adresse“: nur Adresse angelegt.",
        (("received", "Anfrage über das Website-Formular eingegangen", True),
         ("property", "Anfrage zu {prop}", True),
         ("contact_created", "Kontakt {contact} angelegt", True)),
        with_contact=True,
    ),
]  # fmt: skip


RULES: dict[str, dict[str, Any]] = {
    "Mietobjekte manuell": {"marketing_type": "miete_pacht", "action": InquiryRule.Action.NO_AUTOMATION},
    "Website: nur Adresse": {"source": Source.WEBSITE, "action": InquiryRule.Action.ADDRESS_ONLY},
}  # fmt: skip


def seed_inquiries(ctx: SeedContext) -> None:
    if Inquiry.objects.filter(office=ctx.office, message_id__endswith=f"@{DEMO_DOMAIN}>").exists():
        return
    props = list(visible_properties(ctx.agent).filter(status="active").order_by("pk")[:4])
    contact_ids = demo_contact_ids(office_id=ctx.office.pk, limit=20)[12:]  # not the agent's day's
    if not props or not contact_ids:
        return
    contacts = {pk: contact_get(user=ctx.agent, pk=pk) for pk in contact_ids}
    # The exceptions the inquiries below name, so the settings page shows why they went as they did.
    for order, (name, rule) in enumerate(RULES.items()):
        InquiryRule.objects.get_or_create(office=ctx.office, name=name, defaults={"order": order, **rule})
    now = timezone.now()
    for i, demo in enumerate(INQUIRIES):
        prop = props[i % len(props)] if demo.with_property else None
        contact = contacts.get(contact_ids[i % len(contact_ids)]) if demo.with_contact else None
        _create(ctx, demo, i, now - dt.timedelta(hours=demo.hours_ago), prop, contact)
    ctx.log(f"{len(INQUIRIES)} Anfragen (jeder Status einmal) angelegt")


def _create(
    ctx: SeedContext,
    demo: DemoInquiry,
    i: int,
    at: dt.datetime,
    prop: Property | None,
    contact: Contact | None,
) -> None:
    names = {
        "prop": str(prop) if prop else "",
        "ref": getattr(prop, "external_id", ""),
        "contact": str(contact) if contact else "",
    }
    first = contact.emails.first() if contact is not None else None
    email = demo.email or (first.value if first else "")
    inquiry = Inquiry.objects.create(
        office=ctx.office,
        source=demo.source,
        status=demo.status,
        reason=demo.reason.format(**names),
        received_at=at,
        subject=f"Anfrage zu {names['ref'] or 'Ihrem Angebot'}",
        sender=email or f"noreply@{DEMO_DOMAIN}",
        message_id=f"<demo-{i}@{DEMO_DOMAIN}>",
        content_hash=hashlib.sha256(f"demo-{i}".encode()).hexdigest(),
        first_name=demo.first_name or getattr(contact, "first_name", ""),
        last_name=demo.last_name or getattr(contact, "last_name", ""),
        email=email,
        phone=demo.phone,
        message=demo.message,
        text=demo.message,
        property_external_id=names["ref"] or ("118822931" if demo.status == Status.IGNORED else ""),
        property=prop,
        contact=contact if demo.status != Status.ABORTED else None,
        duplicate_of=contact if demo.status == Status.ABORTED else None,
        assigned_to=ctx.agent,
        automation_claimed_at=at,  # done: the job worker must not run the automation again
        expose_sent_at=at + dt.timedelta(minutes=2) if demo.status == Status.COMPLETED else None,
        confirmed_at=at + dt.timedelta(minutes=1) if demo.status == Status.COMPLETED else None,
    )
    InquiryStep.objects.bulk_create(
        InquiryStep(
            inquiry=inquiry, at=at + dt.timedelta(seconds=n), kind=kind, text=text.format(**names), ok=ok
        )
        for n, (kind, text, ok) in enumerate(demo.steps)
    )
