"""The contact's former yes/no marketing consent becomes a consent record (purpose newsletter),
with the date and source it had as evidence. The yes/no field stays for now (forms and API read it);
marketing mail asks the records only (privacy.consent.marketing_mail_prepare)."""

import datetime as dt

from django.db import migrations
from django.utils import timezone


def forwards(apps, schema_editor):
    Contact = apps.get_model("contacts", "Contact")
    ConsentRecord = apps.get_model("privacy", "ConsentRecord")
    batch = []
    for c in Contact.objects.filter(marketing_consent=True).iterator(chunk_size=2000):
        given = c.marketing_consent_on
        at = (
            timezone.make_aware(dt.datetime.combine(given, dt.time(12)))
            if given
            else c.created_at
        )
        batch.append(
            ConsentRecord(
                office_id=c.office_id,
                contact_id=c.pk,
                purpose="newsletter",
                status="granted",
                channel="import",
                text_version="yes/no field",
                evidence={"source": c.marketing_consent_source, "given_on": given.isoformat() if given else None},
                recorded_at=at,
            )
        )
        if len(batch) >= 2000:
            ConsentRecord.objects.bulk_create(batch)
            batch = []
    ConsentRecord.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0002_consent_records"),
        ("contacts", "0006_contact_restriction"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
