"""Contacts are now also found by street + number + city and by surname + city (a mistyped PLZ):
add these keys for the profiles that exist (as `blocking_keys` makes them)."""

from django.db import migrations
from django.db.models import Q

CITY_KEYS = Q(key__startswith="t:") | Q(key__startswith="m:")


def add_city_keys(apps, schema_editor):
    MatchProfile = apps.get_model("duplicates", "MatchProfile")
    MatchKey = apps.get_model("duplicates", "MatchKey")
    MatchKey.objects.filter(CITY_KEYS).delete()
    rows = MatchProfile.objects.values_list(
        "contact_id", "office_id", "last_ph", "street", "house_number", "city"
    ).order_by("contact_id")
    new = []
    for contact_id, office_id, last_ph, street, number, city in rows.iterator(chunk_size=5000):
        keys = []
        if street and number and city:
            keys.append(f"t:{street}:{number}:{city}")
        if last_ph and city:
            keys.append(f"m:{last_ph}:{city}")
        new += [MatchKey(office_id=office_id, contact_id=contact_id, key=key[:150]) for key in dict.fromkeys(keys)]
        if len(new) >= 5000:
            MatchKey.objects.bulk_create(new)
            new = []
    MatchKey.objects.bulk_create(new)


def remove_city_keys(apps, schema_editor):
    apps.get_model("duplicates", "MatchKey").objects.filter(CITY_KEYS).delete()


class Migration(migrations.Migration):
    dependencies = [("duplicates", "0002_birth_date_frequencies")]

    operations = [migrations.RunPython(add_city_keys, remove_city_keys)]
