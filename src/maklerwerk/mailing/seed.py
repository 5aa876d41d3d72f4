"""The default German templates every office starts with, and the demo-data seeder."""

from __future__ import annotations

from typing import TYPE_CHECKING

from maklerwerk.core.seeding import SeedContext
from maklerwerk.mailing.models import MailTemplate

if TYPE_CHECKING:
    from maklerwerk.accounts.models import Office

SIGNATURE = """Mit freundlichen Grüßen

{{ makler.name }}
{{ buero.name }}
{% if makler.telefon %}Telefon {{ makler.telefon }}
{% endif %}{% if buero.signatur %}
{{ buero.signatur }}{% endif %}"""

# The mail of the "send link by e-mail" button; a data migration gives it to existing offices.
SHARE_LINK_BODY = (
    """{{ kontakt.briefanrede }},

hier sind die Unterlagen zu „{{ objekt.titel }}“:
{{ links.dokumente }}

Der Link ist persönlich und gültig bis {{ links.gueltig_bis }}.

"""
    + SIGNATURE
)

TOUR_ACCESS_BODY = (
    """{{ kontakt.briefanrede }},

vielen Dank für Ihre Registrierung. Hier ist Ihr persönlicher Zugang zum vollständigen virtuellen
Rundgang durch „{{ objekt.titel }}“:
{{ links.rundgang }}

Der Link ist persönlich und gültig bis {{ links.gueltig_bis }}.

"""
    + SIGNATURE
)


# Appointment mails (appointments/): the agent or the booking page sends them, the .ics rides along.
# Their signature names the agent only where there is one (a booking page has no acting user).
APPOINTMENT_SIGNATURE = """Mit freundlichen Grüßen

{% if makler.name %}{{ makler.name }}
{% endif %}{{ buero.name }}
{% if makler.telefon %}Telefon {{ makler.telefon }}
{% endif %}{% if buero.signatur %}
{{ buero.signatur }}{% endif %}"""

APPOINTMENT_FACTS = """Termin: {{ termin.titel }}
Wann: {{ termin.zeit }}
{% if termin.ort %}Wo: {{ termin.ort }}
{% endif %}"""

APPOINTMENT_TEMPLATES: list[tuple[str, str, str, str]] = [
    (
        "booking_link",
        "Besichtigung: Buchungslink",
        "Ihr Besichtigungstermin: {{ objekt.titel }}",
        """{{ kontakt.briefanrede }},

bitte wählen Sie über Ihren persönlichen Link einen Termin für die Besichtigung von
„{{ objekt.titel }}“:
{{ links.termin }}

Dort können Sie Ihren Termin später auch verschieben oder absagen. Der Link ist gültig bis
{{ links.gueltig_bis }}.

"""
        + APPOINTMENT_SIGNATURE,
    ),
    (
        "appointment_invitation",
        "Termin: Einladung",
        "Einladung: {{ termin.titel }}",
        """{{ kontakt.briefanrede }},

hiermit bestätige ich Ihren Termin:

"""
        + APPOINTMENT_FACTS
        + """
Mit der Einladung im Anhang übernehmen Sie den Termin in Ihren Kalender.

"""
        + APPOINTMENT_SIGNATURE,
    ),
    (
        "appointment_changed",
        "Termin: Änderung",
        "Geändert: {{ termin.titel }}",
        """{{ kontakt.briefanrede }},

Ihr Termin hat sich geändert. Es gilt jetzt:

"""
        + APPOINTMENT_FACTS
        + """
Die Einladung im Anhang ersetzt die frühere in Ihrem Kalender.

"""
        + APPOINTMENT_SIGNATURE,
    ),
    (
        "appointment_cancelled",
        "Termin: Absage",
        "Abgesagt: {{ termin.titel }}",
        """{{ kontakt.briefanrede }},

der Termin „{{ termin.titel }}“ am {{ termin.zeit }} ist abgesagt. Mit der Absage im Anhang
entfernen Sie ihn aus Ihrem Kalender.

"""
        + APPOINTMENT_SIGNATURE,
    ),
    (
        "appointment_reminder",
        "Termin: Erinnerung an Kontakte",
        "Erinnerung: {{ termin.titel }} am {{ termin.zeit }}",
        """{{ kontakt.briefanrede }},

ich erinnere Sie an unseren Termin:

"""
        + APPOINTMENT_FACTS
        + """
Falls Sie nicht kommen können, geben Sie mir bitte kurz Bescheid.

"""
        + APPOINTMENT_SIGNATURE,
    ),
    (
        "appointment_reminder_agent",
        "Termin: Erinnerung an Makler",
        "Erinnerung: {{ termin.titel }} am {{ termin.zeit }}",
        APPOINTMENT_FACTS
        + """{% if termin.teilnehmer %}Mit: {{ termin.teilnehmer }}
{% endif %}
{{ termin.link }}
""",
    ),
    (
        "appointment_agenda",
        "Termine: Tagesübersicht",
        "Ihre Termine am {{ termin.tag }} ({{ termin.anzahl }})",
        """Ihre Termine am {{ termin.tag }}:

{{ termin.liste }}

{{ termin.link }}
""",
    ),
    (
        "booking_request_received",
        "Besichtigung: Anfrage erhalten",
        "Ihre Anfrage: {{ termin.titel }} am {{ termin.zeit }}",
        """{{ kontakt.briefanrede }},

vielen Dank für Ihre Anfrage für „{{ termin.titel }}“ am {{ termin.zeit }}. Ich bestätige den
Termin in Kürze per E-Mail; bis dahin ist die Zeit für Sie reserviert.

"""
        + APPOINTMENT_SIGNATURE,
    ),
    (
        "booking_request_declined",
        "Besichtigung: Anfrage abgelehnt",
        "Leider nicht möglich: {{ termin.titel }} am {{ termin.zeit }}",
        """{{ kontakt.briefanrede }},

leider ist der Termin „{{ termin.titel }}“ am {{ termin.zeit }} nicht möglich. Bitte wählen Sie
über Ihren persönlichen Link einen anderen Termin:
{{ links.termin }}

"""
        + APPOINTMENT_SIGNATURE,
    ),
    (
        "booking_agent_request",
        "Besichtigung: Anfrage an Makler",
        "Besichtigungsanfrage von {{ termin.teilnehmer }}: {{ termin.zeit }}",
        """{{ termin.teilnehmer }} fragt den Termin „{{ termin.titel }}“ am {{ termin.zeit }} an.
Bitte bestätigen oder ablehnen:

{{ termin.link }}
""",
    ),
    (
        "booking_agent_cancelled",
        "Besichtigung: vom Interessenten abgesagt",
        "Abgesagt von {{ termin.teilnehmer }}: {{ termin.titel }}",
        """{{ termin.teilnehmer }} hat den Termin „{{ termin.titel }}“ am {{ termin.zeit }} abgesagt.
Der Platz ist wieder frei.

{{ termin.link }}
""",
    ),
    (
        "booking_agent_moved",
        "Besichtigung: vom Interessenten verschoben",
        "Verschoben von {{ termin.teilnehmer }}: {{ termin.titel }}",
        """{{ termin.teilnehmer }} hat den Termin „{{ termin.titel }}“ auf {{ termin.zeit }} verschoben.

{{ termin.link }}
""",
    ),
]

# (key, name, subject, body)
DEFAULT_TEMPLATES: list[tuple[str, str, str, str]] = [
    (
        "expose",
        "Exposé-Versand",
        "Ihr Exposé: {{ objekt.titel }} ({{ objekt.kennung }})",
        """{{ kontakt.briefanrede }},

vielen Dank für Ihr Interesse an unserem Angebot „{{ objekt.titel }}“ in {{ objekt.ort }}.
Im Anhang finden Sie das ausführliche Exposé mit allen Informationen, Bildern und Grundrissen.

Preis: {{ objekt.preis }}
{% if objekt.provision %}Käuferprovision: {{ objekt.provision }}
{% endif %}
Gern zeige ich Ihnen die Immobilie persönlich. Antworten Sie einfach auf diese E-Mail oder rufen Sie mich an.

"""
        + SIGNATURE,
    ),
    (
        "expose_documents",
        "Exposé-Versand mit Dokumentenfreigabe",
        "Exposé und Unterlagen: {{ objekt.titel }} ({{ objekt.kennung }})",
        """{{ kontakt.briefanrede }},

anbei erhalten Sie das Exposé zu „{{ objekt.titel }}“ in {{ objekt.ort }}.

Weitere Unterlagen (z. B. Grundbuchauszug, Energieausweis, Teilungserklärung) habe ich Ihnen
persönlich freigegeben:
{{ links.dokumente }}

Der Link ist nur für Sie bestimmt und zeitlich begrenzt gültig.

"""
        + SIGNATURE,
    ),
    (
        "double_opt_in",
        "Anfrage-Bestätigung (Double-Opt-in)",
        "Bitte bestätigen Sie Ihre Anfrage: {{ objekt.titel }}",
        """{{ kontakt.briefanrede }},

vielen Dank für Ihre Anfrage zu „{{ objekt.titel }}“ ({{ objekt.kennung }}).

Bitte bestätigen Sie Ihre E-Mail-Adresse und ergänzen Sie Ihre Angaben über diesen Link:
{{ links.bestaetigung }}

Danach senden wir Ihnen das Exposé zu. Falls Sie keine Anfrage gestellt haben, ignorieren Sie
diese E-Mail bitte.

"""
        + SIGNATURE,
    ),
    (
        "access_granted",
        "Zugang freigeschaltet",
        "Ihr Zugang zu den Unterlagen: {{ objekt.titel }}",
        """{{ kontakt.briefanrede }},

Ihr persönlicher Zugang zu den Unterlagen für „{{ objekt.titel }}“ ist freigeschaltet:
{{ links.dokumente }}

Möchten Sie über weitere passende Angebote informiert werden? Hier können Sie Ihr Suchprofil selbst pflegen:
{{ links.suchprofil }}

"""
        + SIGNATURE,
    ),
    (
        "share_link",
        "Dokumentenfreigabe per E-Mail",
        "Ihre Unterlagen zu {{ objekt.titel }}",
        SHARE_LINK_BODY,
    ),
    (
        "tour_access",
        "Rundgang: Zugriff gestattet",
        "Ihr Zugang zum virtuellen Rundgang: {{ objekt.titel }}",
        TOUR_ACCESS_BODY,
    ),
    *APPOINTMENT_TEMPLATES,
]


def templates_ensure_defaults(office: Office) -> int:
    """Create the default templates the office does not have yet (by key); returns how many."""

    have = set(MailTemplate.objects.filter(office=office).values_list("key", flat=True))
    names = set(MailTemplate.objects.filter(office=office).values_list("name", flat=True))
    created = 0
    for key, name, subject, body in DEFAULT_TEMPLATES:
        if key in have:
            continue
        MailTemplate.objects.create(
            office=office,
            key=key,
            name=name if name not in names else f"{name} ({key})",
            subject=subject,
            body=body,
        )
        created += 1
    return created


# The demo's letter (Brief, DIN 5008 PDF from a contact's page): the owner's monthly marketing report.
DEMO_LETTER = (
    "Vermarktungsbericht an Eigentümer (Brief)",
    "Vermarktungsbericht {{ objekt.titel }}",
    """{{ kontakt.briefanrede }},

wie vereinbart berichte ich Ihnen über den Stand der Vermarktung Ihrer Immobilie
„{{ objekt.titel }}“ ({{ objekt.kennung }}) in {{ objekt.ort }}.

Im vergangenen Monat haben sich 14 Interessenten gemeldet; fünf Besichtigungen haben stattgefunden,
zwei Interessenten haben ihre Finanzierung bereits bestätigen lassen. Der Angebotspreis von
{{ objekt.preis }} wird vom Markt angenommen; ich empfehle, ihn vorerst beizubehalten.

Gern bespreche ich die nächsten Schritte mit Ihnen persönlich.

Mit freundlichen Grüßen

{{ makler.name }}
{{ buero.name }}""",
)


def _seed(ctx: SeedContext) -> None:

    created = templates_ensure_defaults(ctx.office)
    name, subject, body = DEMO_LETTER
    _letter, made = MailTemplate.objects.get_or_create(  # no key: not one of the office's defaults
        office=ctx.office,
        name=name,
        defaults={"kind": MailTemplate.Kind.LETTER, "subject": subject, "body": body},
    )
    ctx.log(f"mail templates: {created + made} created")
