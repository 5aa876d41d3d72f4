from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PropertiesConfig(AppConfig):
    name = "maklerwerk.properties"
    verbose_name = _("Properties")

    def ready(self) -> None:
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
                ),
                order=30,
            )
        )
