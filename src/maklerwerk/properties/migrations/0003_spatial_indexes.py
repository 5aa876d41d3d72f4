"""Spatial indexes for radius search profiles: SQLite R*Tree, PostgreSQL GiST on a box expression."""

from django.db import migrations


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        try:
            schema_editor.execute(
                "CREATE VIRTUAL TABLE IF NOT EXISTS properties_profile_rtree "
                "USING rtree(id, min_lat, max_lat, min_lon, max_lon)"
            )
        except Exception:  # SQLite built without R*Tree: matching falls back to the bounding-box columns
            pass
    elif vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS profile_radius_box ON properties_searchprofile USING gist "
            "(box(point(min_lon, min_lat), point(max_lon, max_lat))) WHERE location_mode = 'radius'"
        )


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS properties_profile_rtree")
    elif vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS profile_radius_box")


class Migration(migrations.Migration):
    dependencies = [("properties", "0002_openimmo_property_and_matching")]

    operations = [migrations.RunPython(forward, backward)]
