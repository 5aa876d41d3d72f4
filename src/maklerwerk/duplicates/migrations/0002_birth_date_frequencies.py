"""Birth dates are now weighted by how common they are in the office ("B:" counts, like names):
count them once for the profiles that exist."""

from django.db import migrations
from django.db.models import Count


def count_birth_dates(apps, schema_editor):
    MatchProfile = apps.get_model("duplicates", "MatchProfile")
    NameFrequency = apps.get_model("duplicates", "NameFrequency")
    NameFrequency.objects.filter(key__startswith="B:").delete()
    rows = (
        MatchProfile.objects.exclude(birth="")
        .values_list("office_id", "birth")
        .annotate(n=Count("pk"))
        .order_by()
    )
    NameFrequency.objects.bulk_create(
        (NameFrequency(office_id=office_id, key=f"B:{birth}", occurrences=n) for office_id, birth, n in rows),
        batch_size=5000,
    )


def forget_birth_dates(apps, schema_editor):
    apps.get_model("duplicates", "NameFrequency").objects.filter(key__startswith="B:").delete()


class Migration(migrations.Migration):
    dependencies = [("duplicates", "0001_initial")]

    operations = [migrations.RunPython(count_birth_dates, forget_birth_dates)]
