"""Existing offices get the new default template of the share-link mail (key "share_link").

Offices without any template get all defaults on first use (`templates_ensure_defaults`); the text
is frozen here, as it was shipped.
"""

from django.db import migrations

SIGNATURE = """Mit freundlichen Grüßen

{{ makler.name }}
{{ buero.name }}
{% if makler.telefon %}Telefon {{ makler.telefon }}
{% endif %}{% if buero.signatur %}
{{ buero.signatur }}{% endif %}"""

NAME = "Dokumentenfreigabe per E-Mail"
SUBJECT = "Ihre Unterlagen zu {{ objekt.titel }}"
BODY = (
    """{{ kontakt.briefanrede }},

hier sind die Unterlagen zu „{{ objekt.titel }}“:
{{ links.dokumente }}

Der Link ist persönlich und gültig bis {{ links.gueltig_bis }}.

"""
    + SIGNATURE
)


def add_template(apps, schema_editor):
    MailTemplate = apps.get_model("mailing", "MailTemplate")
    offices = set(MailTemplate.objects.values_list("office_id", flat=True))
    have = set(MailTemplate.objects.filter(key="share_link").values_list("office_id", flat=True))
    taken = set(MailTemplate.objects.filter(name=NAME).values_list("office_id", flat=True))
    MailTemplate.objects.bulk_create(
        MailTemplate(
            office_id=office_id,
            key="share_link",
            name=NAME if office_id not in taken else f"{NAME} (share_link)",
            subject=SUBJECT,
            body=BODY,
        )
        for office_id in sorted(offices - have)
    )


def remove_template(apps, schema_editor):
    apps.get_model("mailing", "MailTemplate").objects.filter(key="share_link", body=BODY).delete()


class Migration(migrations.Migration):
    dependencies = [("mailing", "0002_smtp_password_encrypted")]

    operations = [migrations.RunPython(add_template, remove_template)]
