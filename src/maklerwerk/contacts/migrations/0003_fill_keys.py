from django.db import migrations


def fill(apps, schema_editor):
    from maklerwerk.contacts.normalize import search_key

    Contact = apps.get_model("contacts", "Contact")
    ContactEmail = apps.get_model("contacts", "ContactEmail")
    ContactPhone = apps.get_model("contacts", "ContactPhone")
    batch = []
    for c in Contact.objects.only("last_name", "first_name", "company_name", "city").iterator(2000):
        c.name_key = search_key(f"{c.last_name} {c.first_name}")[:202]
        c.first_name_key = search_key(c.first_name)[:100]
        c.company_key = search_key(c.company_name)[:200]
        c.city_key = search_key(c.city)[:100]
        batch.append(c)
        if len(batch) >= 2000:
            Contact.objects.bulk_update(batch, ["name_key", "first_name_key", "company_key", "city_key"])
            batch = []
    if batch:
        Contact.objects.bulk_update(batch, ["name_key", "first_name_key", "company_key", "city_key"])
    for model in (ContactEmail, ContactPhone):
        for row in model.objects.filter(office=None).select_related("contact").iterator(2000):
            model.objects.filter(pk=row.pk).update(office_id=row.contact.office_id)


class Migration(migrations.Migration):
    dependencies = [("contacts", "0002_contact_record")]
    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
