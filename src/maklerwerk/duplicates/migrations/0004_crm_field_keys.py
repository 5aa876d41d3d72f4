"""Contacts are now also found by first-name sound + street, street + number, first-name sound +
PLZ and surname sound + house number (surname and place mistyped together, as in lists without
birth dates): add these keys for the profiles that exist (as `blocking_keys` makes them)."""

from django.db import migrations
from django.db.models import Q

NEW_KEYS = Q(key__startswith="g:") | Q(key__startswith="k:") | Q(key__startswith="v:") | Q(key__startswith="r:")


def add_keys(apps, schema_editor):
    MatchProfile = apps.get_model("duplicates", "MatchProfile")
    MatchKey = apps.get_model("duplicates", "MatchKey")
    MatchKey.objects.filter(NEW_KEYS).delete()
    rows = MatchProfile.objects.values_list(
        "contact_id", "office_id", "first_ph", "last_ph", "street", "house_number", "postal_code"
    ).order_by("contact_id")
    new = []
    for contact_id, office_id, first_ph, last_ph, street, number, postal in rows.iterator(chunk_size=5000):
        keys = []
        if first_ph and street:
            keys.append(f"g:{first_ph}:{street}")
        if street and number:
            keys.append(f"k:{street}:{number}")
        if first_ph and postal:
            keys.append(f"v:{first_ph}:{postal}")
        if last_ph and number:
            keys.append(f"r:{last_ph}:{number}")
        new += [MatchKey(office_id=office_id, contact_id=contact_id, key=key[:150]) for key in dict.fromkeys(keys)]
        if len(new) >= 5000:
            MatchKey.objects.bulk_create(new)
            new = []
    MatchKey.objects.bulk_create(new)


def remove_keys(apps, schema_editor):
    apps.get_model("duplicates", "MatchKey").objects.filter(NEW_KEYS).delete()


class Migration(migrations.Migration):
    dependencies = [("duplicates", "0003_city_keys")]

    operations = [migrations.RunPython(add_keys, remove_keys)]
