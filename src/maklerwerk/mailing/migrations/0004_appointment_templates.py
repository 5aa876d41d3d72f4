"""Existing offices get the default templates of the appointment mails: booking link, invitation,
change, cancellation, reminders, daily agenda and the booking-request mails.

Offices without any template get all defaults on first use (`templates_ensure_defaults`); the texts
are frozen here, as they were shipped.
"""

from django.db import migrations

# (key, name, subject, body)
TEMPLATES = [
    (
        "booking_link",
        "Besichtigung: Buchungslink",
        "Ihr Besichtigungstermin: {{ objekt.titel }}",
        "{{ kontakt.briefanrede }},\n\nbitte wählen Sie über Ihren persönlichen Link einen Termin für die Besichtigung von\n„{{ objekt.titel }}“:\n{{ links.termin }}\n\nDort können Sie Ihren Termin später auch verschieben oder absagen. Der Link ist gültig bis\n{{ links.gueltig_bis }}.\n\nMit freundlichen Grüßen\n\n{% if makler.name %}{{ makler.name }}\n{% endif %}{{ buero.name }}\n{% if makler.telefon %}Telefon {{ makler.telefon }}\n{% endif %}{% if buero.signatur %}\n{{ buero.signatur }}{% endif %}",
    ),
    (
        "appointment_invitation",
        "Termin: Einladung",
        "Einladung: {{ termin.titel }}",
        "{{ kontakt.briefanrede }},\n\nhiermit bestätige ich Ihren Termin:\n\nTermin: {{ termin.titel }}\nWann: {{ termin.zeit }}\n{% if termin.ort %}Wo: {{ termin.ort }}\n{% endif %}\nMit der Einladung im Anhang übernehmen Sie den Termin in Ihren Kalender.\n\nMit freundlichen Grüßen\n\n{% if makler.name %}{{ makler.name }}\n{% endif %}{{ buero.name }}\n{% if makler.telefon %}Telefon {{ makler.telefon }}\n{% endif %}{% if buero.signatur %}\n{{ buero.signatur }}{% endif %}",
    ),
    (
        "appointment_changed",
        "Termin: Änderung",
        "Geändert: {{ termin.titel }}",
        "{{ kontakt.briefanrede }},\n\nIhr Termin hat sich geändert. Es gilt jetzt:\n\nTermin: {{ termin.titel }}\nWann: {{ termin.zeit }}\n{% if termin.ort %}Wo: {{ termin.ort }}\n{% endif %}\nDie Einladung im Anhang ersetzt die frühere in Ihrem Kalender.\n\nMit freundlichen Grüßen\n\n{% if makler.name %}{{ makler.name }}\n{% endif %}{{ buero.name }}\n{% if makler.telefon %}Telefon {{ makler.telefon }}\n{% endif %}{% if buero.signatur %}\n{{ buero.signatur }}{% endif %}",
    ),
    (
        "appointment_cancelled",
        "Termin: Absage",
        "Abgesagt: {{ termin.titel }}",
        "{{ kontakt.briefanrede }},\n\nder Termin „{{ termin.titel }}“ am {{ termin.zeit }} ist abgesagt. Mit der Absage im Anhang\nentfernen Sie ihn aus Ihrem Kalender.\n\nMit freundlichen Grüßen\n\n{% if makler.name %}{{ makler.name }}\n{% endif %}{{ buero.name }}\n{% if makler.telefon %}Telefon {{ makler.telefon }}\n{% endif %}{% if buero.signatur %}\n{{ buero.signatur }}{% endif %}",
    ),
    (
        "appointment_reminder",
        "Termin: Erinnerung an Kontakte",
        "Erinnerung: {{ termin.titel }} am {{ termin.zeit }}",
        "{{ kontakt.briefanrede }},\n\nich erinnere Sie an unseren Termin:\n\nTermin: {{ termin.titel }}\nWann: {{ termin.zeit }}\n{% if termin.ort %}Wo: {{ termin.ort }}\n{% endif %}\nFalls Sie nicht kommen können, geben Sie mir bitte kurz Bescheid.\n\nMit freundlichen Grüßen\n\n{% if makler.name %}{{ makler.name }}\n{% endif %}{{ buero.name }}\n{% if makler.telefon %}Telefon {{ makler.telefon }}\n{% endif %}{% if buero.signatur %}\n{{ buero.signatur }}{% endif %}",
    ),
    (
        "appointment_reminder_agent",
        "Termin: Erinnerung an Makler",
        "Erinnerung: {{ termin.titel }} am {{ termin.zeit }}",
        "Termin: {{ termin.titel }}\nWann: {{ termin.zeit }}\n{% if termin.ort %}Wo: {{ termin.ort }}\n{% endif %}{% if termin.teilnehmer %}Mit: {{ termin.teilnehmer }}\n{% endif %}\n{{ termin.link }}\n",
    ),
    (
        "appointment_agenda",
        "Termine: Tagesübersicht",
        "Ihre Termine am {{ termin.tag }} ({{ termin.anzahl }})",
        "Ihre Termine am {{ termin.tag }}:\n\n{{ termin.liste }}\n\n{{ termin.link }}\n",
    ),
    (
        "booking_request_received",
        "Besichtigung: Anfrage erhalten",
        "Ihre Anfrage: {{ termin.titel }} am {{ termin.zeit }}",
        "{{ kontakt.briefanrede }},\n\nvielen Dank für Ihre Anfrage für „{{ termin.titel }}“ am {{ termin.zeit }}. Ich bestätige den\nTermin in Kürze per E-Mail; bis dahin ist die Zeit für Sie reserviert.\n\nMit freundlichen Grüßen\n\n{% if makler.name %}{{ makler.name }}\n{% endif %}{{ buero.name }}\n{% if makler.telefon %}Telefon {{ makler.telefon }}\n{% endif %}{% if buero.signatur %}\n{{ buero.signatur }}{% endif %}",
    ),
    (
        "booking_request_declined",
        "Besichtigung: Anfrage abgelehnt",
        "Leider nicht möglich: {{ termin.titel }} am {{ termin.zeit }}",
        "{{ kontakt.briefanrede }},\n\nleider ist der Termin „{{ termin.titel }}“ am {{ termin.zeit }} nicht möglich. Bitte wählen Sie\nüber Ihren persönlichen Link einen anderen Termin:\n{{ links.termin }}\n\nMit freundlichen Grüßen\n\n{% if makler.name %}{{ makler.name }}\n{% endif %}{{ buero.name }}\n{% if makler.telefon %}Telefon {{ makler.telefon }}\n{% endif %}{% if buero.signatur %}\n{{ buero.signatur }}{% endif %}",
    ),
    (
        "booking_agent_request",
        "Besichtigung: Anfrage an Makler",
        "Besichtigungsanfrage von {{ termin.teilnehmer }}: {{ termin.zeit }}",
        "{{ termin.teilnehmer }} fragt den Termin „{{ termin.titel }}“ am {{ termin.zeit }} an.\nBitte bestätigen oder ablehnen:\n\n{{ termin.link }}\n",
    ),
    (
        "booking_agent_cancelled",
        "Besichtigung: vom Interessenten abgesagt",
        "Abgesagt von {{ termin.teilnehmer }}: {{ termin.titel }}",
        "{{ termin.teilnehmer }} hat den Termin „{{ termin.titel }}“ am {{ termin.zeit }} abgesagt.\nDer Platz ist wieder frei.\n\n{{ termin.link }}\n",
    ),
    (
        "booking_agent_moved",
        "Besichtigung: vom Interessenten verschoben",
        "Verschoben von {{ termin.teilnehmer }}: {{ termin.titel }}",
        "{{ termin.teilnehmer }} hat den Termin „{{ termin.titel }}“ auf {{ termin.zeit }} verschoben.\n\n{{ termin.link }}\n",
    ),
]


def add_templates(apps, schema_editor):
    MailTemplate = apps.get_model("mailing", "MailTemplate")
    offices = set(MailTemplate.objects.values_list("office_id", flat=True))
    rows = []
    for key, name, subject, body in TEMPLATES:
        have = set(MailTemplate.objects.filter(key=key).values_list("office_id", flat=True))
        taken = set(MailTemplate.objects.filter(name=name).values_list("office_id", flat=True))
        rows += [
            MailTemplate(
                office_id=office_id,
                key=key,
                name=name if office_id not in taken else f"{name} ({key})",
                subject=subject,
                body=body,
            )
            for office_id in sorted(offices - have)
        ]
    MailTemplate.objects.bulk_create(rows)


def remove_templates(apps, schema_editor):
    MailTemplate = apps.get_model("mailing", "MailTemplate")
    for key, _name, _subject, body in TEMPLATES:
        MailTemplate.objects.filter(key=key, body=body).delete()


class Migration(migrations.Migration):
    dependencies = [("mailing", "0003_share_link_template")]

    operations = [migrations.RunPython(add_templates, remove_templates)]
