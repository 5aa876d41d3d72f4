"""Contacts are now also found by first-name sound + street, street + number, first-name sound +
PLZ, surname sound + house number, and by the first letters of names and street (first name[:3] +
surname[:3], surname[:3] + PLZ, street[:5] + number): surname and place mistyped together, as in
lists without birth dates. Add these keys for the profiles that exist (as `blocking_keys` makes
them)."""

from django.db import migrations
from django.db.models import Q

from maklerwerk.duplicates.normalize import translit

NEW_KEYS = Q()
for _kind in "gkvrijo":
    NEW_KEYS |= Q(key__startswith=f"{_kind}:")


def add_keys(apps, schema_editor):
    MatchProfile = apps.get_model("duplicates", "MatchProfile")
    MatchKey = apps.get_model("duplicates", "MatchKey")
    MatchKey.objects.filter(NEW_KEYS).delete()
    rows = MatchProfile.objects.values_list(
        "contact_id",
        "office_id",
        "first",
        "last",
        "first_ph",
        "last_ph",
        "street",
        "house_number",
        "postal_code",
    ).order_by("contact_id")
    new = []
    for contact_id, office_id, first, last, first_ph, last_ph, street, number, postal in rows.iterator(
        chunk_size=5000
    ):
        first, last = translit(first), translit(last)
        keys = []
        if first_ph and street:
            keys.append(f"g:{first_ph}:{street}")
        if street and number:
            keys.append(f"k:{street}:{number}")
        if first_ph and postal:
            keys.append(f"v:{first_ph}:{postal}")
        if last_ph and number:
            keys.append(f"r:{last_ph}:{number}")
        if len(first) >= 3 and len(last) >= 3:
            keys.append(f"i:{first[:3]}:{last[:3]}")
        if len(last) >= 3 and postal:
            keys.append(f"j:{last[:3]}:{postal}")
        if len(street) >= 5 and number:
            keys.append(f"o:{street[:5]}:{number}")
        new += [
            MatchKey(office_id=office_id, contact_id=contact_id, key=key[:150]) for key in dict.fromkeys(keys)
        ]
        if len(new) >= 5000:
            MatchKey.objects.bulk_create(new)
            new = []
    MatchKey.objects.bulk_create(new)


def remove_keys(apps, schema_editor):
    apps.get_model("duplicates", "MatchKey").objects.filter(NEW_KEYS).delete()


class Migration(migrations.Migration):
    dependencies = [("duplicates", "0003_city_keys")]

    operations = [migrations.RunPython(add_keys, remove_keys)]
