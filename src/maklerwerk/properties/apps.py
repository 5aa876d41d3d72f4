from django.apps import AppConfig
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from maklerwerk.core.personal_data import PERSONAL_DATA, PersonalDataSection, Retained


class PropertiesConfig(AppConfig):
    name = "maklerwerk.properties"
    verbose_name = _("Properties")

    def ready(self) -> None:
        _register_personal_data()
        from maklerwerk.core.dashboard import COUNTERS, Counter
        from maklerwerk.core.export import EXPORT_SECTIONS, ExportSection
        from maklerwerk.core.seeding import SEEDERS, Seeder
        from maklerwerk.properties import dashboard

        COUNTERS.register(
            Counter(
                "properties",
                _("Properties in active marketing"),
                "ti-building",
                dashboard.active_properties,
                "properties:list",
                count_for_user=dashboard.active_properties_for,
                order=40,
            )
        )
        derived_property = frozenset({"match_price", "city_key", "district_key", "features_mask"})
        EXPORT_SECTIONS.register_all(
            [
                ExportSection("properties", "properties.Property", 300, leave_out=derived_property),
                ExportSection("property_viewers", "properties.PropertyViewer", 305),
                ExportSection("property_images", "properties.PropertyImage", 310),
                ExportSection("property_documents", "properties.PropertyDocument", 315),
                ExportSection("property_contacts", "properties.PropertyContact", 320),
                ExportSection("match_settings", "properties.MatchSettings", 340),
            ]
        )
        SEEDERS.register(
            Seeder(
                "properties",
                "maklerwerk.properties.seed.seed_properties",
                (
                    ("properties", 20, "properties (the first 20 with photos and documents)"),
                    (
                        "region_size",
                        0,
                        "benchmark data: a new region of the synthetic map for every this many "
                        "properties and search profiles, so density stays the same as the data grows "
                        "(0: one map of Germany)",
                    ),
                    (
                        "map_places",
                        0,
                        "benchmark data: only this many of the map's 2,000 places, on a map shrunk to "
                        "the same density (0: all)",
                    ),
                ),
                order=30,
            )
        )


def _register_personal_data() -> None:
    """What this app keeps about a person (Datenauskunft and erasure, `core.personal_data`)."""
    PERSONAL_DATA.register_all(
        [
            # MaBV §10: the Makler's records of a client's property (owner, buyer) and the order.
            PersonalDataSection(
                "property_roles",
                "properties.PropertyContact",
                "contact",
                200,
                _("Properties"),
                summary=("property_id", "role"),
                retained_by=(Retained("mabv", "created_at", Q(role="owner")),),
            ),
        ]
    )
