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
