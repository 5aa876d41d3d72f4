from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PropertiesConfig(AppConfig):
    name = "maklerwerk.properties"
    verbose_name = _("Properties")

    def ready(self) -> None:
        from maklerwerk.contacts.tabs import ContactTab, register_contact_tab
        from maklerwerk.core.dashboard import COUNTERS, Counter, Widget, register_widget
        from maklerwerk.core.services import EXPORT_SECTIONS
        from maklerwerk.properties import dashboard
        from maklerwerk.properties.views import contact_tab_context

        register_widget(
            Widget(
                "new-matches",
                _("New matches"),
                "properties:new_matches_widget",
                order=20,
                wide=True,
                bare=True,
            )
        )
        register_contact_tab(
            ContactTab(
                key="properties",
                label=_("Properties"),
                template="properties/_contact_tab.html",
                context=contact_tab_context,
                order=45,
            )
        )
        keys = {c.key for c in COUNTERS}
        for counter in (
            Counter(
                "properties",
                _("Properties in active marketing"),
                "ti-building",
                dashboard.active_properties,
                "properties:list",
                count_for_user=dashboard.active_properties_for,
            ),
            Counter(
                "new_matches",
                _("New matches"),
                "ti-sparkles",
                dashboard.new_matches,
                "properties:new_matches",
                count_for_user=dashboard.new_matches_for,
            ),
        ):
            if counter.key not in keys:
                COUNTERS.append(counter)
        sections = {s[0] for s in EXPORT_SECTIONS}
        for section in (
            (
                "properties",
                "properties.Property",
                {"match_price", "city_key", "district_key", "features_mask"},
            ),
            ("property_contacts", "properties.PropertyContact", set()),
            (
                "search_profiles",
                "properties.SearchProfile",
                {"min_lat", "max_lat", "min_lon", "max_lon", "object_kinds_mask", "features_mask"},
            ),
            ("new_matches", "properties.NewMatch", set()),
            ("agent_notifications", "properties.AgentNotification", set()),
            ("self_service_links", "properties.SelfServiceLink", {"token_hash"}),
        ):
            if section[0] not in sections:
                EXPORT_SECTIONS.append(section)
