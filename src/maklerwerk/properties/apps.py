from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PropertiesConfig(AppConfig):
    name = "maklerwerk.properties"
    verbose_name = _("Properties")

    def ready(self) -> None:
        from maklerwerk.core.dashboard import COUNTERS, WIDGETS, Counter, Widget
        from maklerwerk.core.export import EXPORT_SECTIONS, ExportSection
        from maklerwerk.core.seeding import SEEDERS, Seeder
        from maklerwerk.core.tabs import TABS, DetailTab
        from maklerwerk.properties import dashboard
        from maklerwerk.properties.views import contact_tab_context

        WIDGETS.register(
            Widget(
                "new-matches",
                _("New matches"),
                "properties:new_matches_widget",
                order=20,
                wide=True,
                bare=True,
            )
        )
        TABS.register(
            DetailTab(
                page="contact",
                key="properties",
                label=_("Properties"),
                template="properties/_contact_tab.html",
                context=contact_tab_context,
                order=45,
            )
        )
        COUNTERS.register_all(
            [
                Counter(
                    "properties",
                    _("Properties in active marketing"),
                    "ti-building",
                    dashboard.active_properties,
                    "properties:list",
                    count_for_user=dashboard.active_properties_for,
                    order=40,
                ),
                Counter(
                    "new_matches",
                    _("New matches"),
                    "ti-sparkles",
                    dashboard.new_matches,
                    "properties:new_matches",
                    count_for_user=dashboard.new_matches_for,
                    order=50,
                ),
            ]
        )
        derived_property = frozenset({"match_price", "city_key", "district_key", "features_mask"})
        derived_profile = frozenset(
            {"min_lat", "max_lat", "min_lon", "max_lon", "object_kinds_mask", "features_mask"}
        )
        EXPORT_SECTIONS.register_all(
            [
                ExportSection("properties", "properties.Property", 300, leave_out=derived_property),
                ExportSection("property_viewers", "properties.PropertyViewer", 305),
                ExportSection("property_images", "properties.PropertyImage", 310),
                ExportSection("property_documents", "properties.PropertyDocument", 315),
                ExportSection("property_contacts", "properties.PropertyContact", 320),
                ExportSection("search_profiles", "properties.SearchProfile", 330, leave_out=derived_profile),
                ExportSection("search_profile_areas", "properties.SearchProfileArea", 335),
                ExportSection("match_settings", "properties.MatchSettings", 340),
                ExportSection("new_matches", "properties.NewMatch", 350),
                ExportSection("agent_notifications", "properties.AgentNotification", 355),
                ExportSection(
                    "self_service_links",
                    "properties.SelfServiceLink",
                    360,
                    leave_out=frozenset({"token_hash"}),
                ),
            ]
        )
        SEEDERS.register_all(
            [
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
                ),
                Seeder(
                    "search_profiles",
                    "maklerwerk.properties.seed.seed_search_profiles",
                    (("search_profiles", 30, "search profiles of the demo contacts"),),
                    order=40,
                ),
            ]
        )
