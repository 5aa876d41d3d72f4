"""Contacts who accepted the texts through a document link before the gate confirmed AGB/Provision on
the contact: confirm it now, so the badge and "Akzeptierte Rechtstexte" agree (earliest acceptance)."""

from django.db import migrations
from django.db.models import Min
from django.utils import timezone


def confirm(apps, schema_editor):
    Contact = apps.get_model("contacts", "Contact")
    Consent = apps.get_model("sharing", "ConsentAcceptance")
    first = Consent.objects.filter(contact__terms_confirmed=False).values("contact_id").annotate(at=Min("accepted_at"))
    for row in first.iterator():
        Contact.objects.filter(pk=row["contact_id"], terms_confirmed=False).update(
            terms_confirmed=True, terms_confirmed_on=timezone.localdate(row["at"]), terms_confirmed_via="online"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("sharing", "0002_accessevent_count"),
        ("contacts", "0004_search_indexes"),
    ]

    operations = [migrations.RunPython(confirm, migrations.RunPython.noop)]
