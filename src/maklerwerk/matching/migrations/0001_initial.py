"""The models of matching, taken over from the properties app (its migration 0006) with their
tables: state only, no SQL changes a table. The content types follow (app label "properties" to
"matching"), so history entries and generic links keep pointing at their rows.
"""

from decimal import Decimal
from typing import Any

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

MODELS = ("searchprofile", "searchprofilearea", "newmatch", "selfservicelink", "agentnotification")


def _move_content_types(apps: Any, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if not ContentType.objects.filter(app_label=new, model=model).exists():
            ContentType.objects.filter(app_label=old, model=model).update(app_label=new)


def _content_types_forward(apps: Any, schema_editor: Any) -> None:
    _move_content_types(apps, "properties", "matching")


def _content_types_backward(apps: Any, schema_editor: Any) -> None:
    _move_content_types(apps, "matching", "properties")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("accounts", "0002_apitoken_scope"),
        ("contacts", "0004_search_indexes"),
        ("properties", "0006_matching_moved_out"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="SearchProfile",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("name", models.CharField(blank=True, max_length=200, verbose_name="name")),
                        (
                            "marketing_type",
                            models.CharField(
                                choices=[
                                    ("kauf", "Sale"),
                                    ("miete_pacht", "Rent / lease"),
                                    ("erbpacht", "Ground lease"),
                                    ("leasing", "Leasing"),
                                ],
                                default="kauf",
                                max_length=20,
                                verbose_name="marketing type",
                            ),
                        ),
                        (
                            "object_kinds",
                            models.JSONField(blank=True, default=list, verbose_name="object kinds"),
                        ),
                        (
                            "price_min",
                            models.DecimalField(
                                blank=True,
                                decimal_places=2,
                                max_digits=14,
                                null=True,
                                validators=[django.core.validators.MinValueValidator(Decimal("0"))],
                                verbose_name="price from",
                            ),
                        ),
                        (
                            "price_max",
                            models.DecimalField(
                                blank=True,
                                decimal_places=2,
                                max_digits=14,
                                null=True,
                                validators=[django.core.validators.MinValueValidator(Decimal("0"))],
                                verbose_name="price up to",
                            ),
                        ),
                        (
                            "living_area_min",
                            models.DecimalField(
                                blank=True,
                                decimal_places=2,
                                max_digits=10,
                                null=True,
                                validators=[django.core.validators.MinValueValidator(Decimal("0"))],
                                verbose_name="living area from (m²)",
                            ),
                        ),
                        (
                            "living_area_max",
                            models.DecimalField(
                                blank=True,
                                decimal_places=2,
                                max_digits=10,
                                null=True,
                                validators=[django.core.validators.MinValueValidator(Decimal("0"))],
                                verbose_name="living area up to (m²)",
                            ),
                        ),
                        (
                            "rooms_min",
                            models.DecimalField(
                                blank=True,
                                decimal_places=1,
                                max_digits=4,
                                null=True,
                                validators=[django.core.validators.MinValueValidator(Decimal("0"))],
                                verbose_name="rooms from",
                            ),
                        ),
                        (
                            "rooms_max",
                            models.DecimalField(
                                blank=True,
                                decimal_places=1,
                                max_digits=4,
                                null=True,
                                validators=[django.core.validators.MinValueValidator(Decimal("0"))],
                                verbose_name="rooms up to",
                            ),
                        ),
                        (
                            "plot_area_min",
                            models.DecimalField(
                                blank=True,
                                decimal_places=2,
                                max_digits=10,
                                null=True,
                                validators=[django.core.validators.MinValueValidator(Decimal("0"))],
                                verbose_name="plot area from (m²)",
                            ),
                        ),
                        (
                            "postal_codes",
                            models.JSONField(blank=True, default=list, verbose_name="postal codes"),
                        ),
                        (
                            "cities",
                            models.JSONField(blank=True, default=list, verbose_name="cities or districts"),
                        ),
                        (
                            "radius_km",
                            models.DecimalField(
                                blank=True,
                                decimal_places=1,
                                max_digits=6,
                                null=True,
                                validators=[
                                    django.core.validators.MinValueValidator(Decimal("0.1")),
                                    django.core.validators.MaxValueValidator(Decimal("500")),
                                ],
                                verbose_name="radius (km)",
                            ),
                        ),
                        (
                            "latitude",
                            models.DecimalField(
                                blank=True,
                                decimal_places=6,
                                max_digits=9,
                                null=True,
                                validators=[
                                    django.core.validators.MinValueValidator(Decimal("-90")),
                                    django.core.validators.MaxValueValidator(Decimal("90")),
                                ],
                                verbose_name="latitude",
                            ),
                        ),
                        (
                            "longitude",
                            models.DecimalField(
                                blank=True,
                                decimal_places=6,
                                max_digits=9,
                                null=True,
                                validators=[
                                    django.core.validators.MinValueValidator(Decimal("-180")),
                                    django.core.validators.MaxValueValidator(Decimal("180")),
                                ],
                                verbose_name="longitude",
                            ),
                        ),
                        (
                            "features",
                            models.JSONField(blank=True, default=list, verbose_name="required features"),
                        ),
                        (
                            "year_built_min",
                            models.PositiveSmallIntegerField(
                                blank=True,
                                null=True,
                                validators=[
                                    django.core.validators.MinValueValidator(1000),
                                    django.core.validators.MaxValueValidator(2100),
                                ],
                                verbose_name="built in or after",
                            ),
                        ),
                        (
                            "energy_class_worst",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("A+", "A+"),
                                    ("A", "A"),
                                    ("B", "B"),
                                    ("C", "C"),
                                    ("D", "D"),
                                    ("E", "E"),
                                    ("F", "F"),
                                    ("G", "G"),
                                    ("H", "H"),
                                ],
                                max_length=2,
                                verbose_name="worst acceptable energy class",
                            ),
                        ),
                        (
                            "object_kinds_must",
                            models.BooleanField(default=True, verbose_name="object kind is a must"),
                        ),
                        ("price_must", models.BooleanField(default=True, verbose_name="price is a must")),
                        (
                            "living_area_must",
                            models.BooleanField(default=True, verbose_name="living area is a must"),
                        ),
                        ("rooms_must", models.BooleanField(default=False, verbose_name="rooms are a must")),
                        (
                            "plot_area_must",
                            models.BooleanField(default=False, verbose_name="plot area is a must"),
                        ),
                        (
                            "features_must",
                            models.BooleanField(default=False, verbose_name="features are a must"),
                        ),
                        (
                            "year_built_must",
                            models.BooleanField(default=False, verbose_name="year built is a must"),
                        ),
                        (
                            "energy_class_must",
                            models.BooleanField(default=False, verbose_name="energy class is a must"),
                        ),
                        ("valid_until", models.DateField(blank=True, null=True, verbose_name="valid until")),
                        ("active", models.BooleanField(default=True, verbose_name="active")),
                        ("notes", models.TextField(blank=True, verbose_name="notes")),
                        (
                            "location_mode",
                            models.CharField(
                                choices=[
                                    ("any", "anywhere"),
                                    ("areas", "postal codes / places"),
                                    ("radius", "radius around a point"),
                                ],
                                default="any",
                                editable=False,
                                max_length=10,
                            ),
                        ),
                        ("min_lat", models.FloatField(blank=True, editable=False, null=True)),
                        ("max_lat", models.FloatField(blank=True, editable=False, null=True)),
                        ("min_lon", models.FloatField(blank=True, editable=False, null=True)),
                        ("max_lon", models.FloatField(blank=True, editable=False, null=True)),
                        ("object_kinds_mask", models.BigIntegerField(default=0, editable=False)),
                        ("features_mask", models.BigIntegerField(default=0, editable=False)),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                        ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated")),
                        (
                            "contact",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="search_profiles",
                                to="contacts.contact",
                            ),
                        ),
                        (
                            "office",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="accounts.office",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "search profile",
                        "verbose_name_plural": "search profiles",
                        "db_table": "properties_searchprofile",
                        "ordering": ["-active", "-updated_at", "-id"],
                    },
                ),
                migrations.CreateModel(
                    name="NewMatch",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "reason",
                            models.CharField(
                                choices=[
                                    ("new_listing", "new in the portfolio"),
                                    ("price_drop", "price reduced"),
                                    ("now_active", "now in active marketing"),
                                    ("property_changed", "property changed"),
                                    ("profile_changed", "search profile changed"),
                                ],
                                max_length=20,
                                verbose_name="reason",
                            ),
                        ),
                        ("detail", models.CharField(blank=True, max_length=300, verbose_name="what changed")),
                        ("score", models.PositiveSmallIntegerField(default=0)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("seen_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "agent",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "office",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="accounts.office",
                            ),
                        ),
                        (
                            "property",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="properties.property",
                            ),
                        ),
                        (
                            "profile",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="matching.searchprofile",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "new match",
                        "verbose_name_plural": "new matches",
                        "db_table": "properties_newmatch",
                        "ordering": ["-created_at", "-id"],
                    },
                ),
                migrations.CreateModel(
                    name="AgentNotification",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("message", models.CharField(max_length=300, verbose_name="message")),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("done_at", models.DateTimeField(blank=True, null=True, verbose_name="done")),
                        (
                            "contact",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="contacts.contact",
                            ),
                        ),
                        (
                            "office",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="accounts.office",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "profile",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="matching.searchprofile",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "notification",
                        "verbose_name_plural": "notifications",
                        "db_table": "properties_agentnotification",
                        "ordering": ["-created_at", "-id"],
                    },
                ),
                migrations.CreateModel(
                    name="SearchProfileArea",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("key", models.CharField(max_length=130)),
                        (
                            "office",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="accounts.office",
                            ),
                        ),
                        (
                            "profile",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="areas",
                                to="matching.searchprofile",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "properties_searchprofilearea",
                    },
                ),
                migrations.CreateModel(
                    name="SelfServiceLink",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("token_hash", models.CharField(max_length=64, unique=True)),
                        ("expires_at", models.DateTimeField(verbose_name="expires")),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("last_used_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "contact",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="contacts.contact",
                            ),
                        ),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "office",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="accounts.office",
                            ),
                        ),
                        (
                            "profile",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="matching.searchprofile",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "self-service link",
                        "verbose_name_plural": "self-service links",
                        "db_table": "properties_selfservicelink",
                        "ordering": ["-created_at"],
                    },
                ),
                migrations.AddIndex(
                    model_name="searchprofile",
                    index=models.Index(fields=["contact", "-active"], name="profile_contact"),
                ),
                migrations.AddIndex(
                    model_name="searchprofile",
                    index=models.Index(
                        fields=["office", "location_mode", "marketing_type", "active"],
                        name="profile_match_mode",
                    ),
                ),
                migrations.AddIndex(
                    model_name="searchprofile",
                    index=models.Index(fields=["office", "active", "valid_until"], name="profile_validity"),
                ),
                migrations.AddIndex(
                    model_name="newmatch",
                    index=models.Index(
                        fields=["office", "seen_at", "-created_at"], name="newmatch_office_unseen"
                    ),
                ),
                migrations.AddIndex(
                    model_name="newmatch",
                    index=models.Index(
                        fields=["agent", "seen_at", "-created_at"], name="newmatch_agent_unseen"
                    ),
                ),
                migrations.AddIndex(
                    model_name="agentnotification",
                    index=models.Index(fields=["office", "done_at", "-created_at"], name="notification_open"),
                ),
                migrations.AddIndex(
                    model_name="searchprofilearea",
                    index=models.Index(fields=["office", "key", "profile"], name="profile_area_key"),
                ),
            ],
        ),
        migrations.RunPython(_content_types_forward, _content_types_backward),
    ]
