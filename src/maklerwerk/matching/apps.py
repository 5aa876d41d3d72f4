from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from maklerwerk.core.personal_data import PERSONAL_DATA, PersonalDataSection


class MatchingConfig(AppConfig):
    """Search profiles (Suchaufträge) and matching them against the office's properties."""

    name = "maklerwerk.matching"
    verbose_name = _("Matching")

    def ready(self) -> None:
        _register_personal_data()
        from maklerwerk.core.dashboard import COUNTERS, WIDGETS, Counter, Widget
        from maklerwerk.core.export import EXPORT_SECTIONS, ExportSection
        from maklerwerk.core.seeding import SEEDERS, Seeder
        from maklerwerk.core.tabs import TABS, DetailTab
        from maklerwerk.matching import dashboard
        from maklerwerk.matching.services import PROPERTY_WATCHER
        from maklerwerk.matching.views import contact_tab_context
        from maklerwerk.properties.watchers import PROPERTY_WATCHERS

        PROPERTY_WATCHERS.register(PROPERTY_WATCHER)
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
                template="matching/_contact_tab.html",
                context=contact_tab_context,
                order=45,
            )
        )
        COUNTERS.register(
            Counter(
                "new_matches",
                _("New matches"),
                "ti-sparkles",
                dashboard.new_matches,
                "properties:new_matches",
                count_for_user=dashboard.new_matches_for,
                order=50,
            )
        )
        derived_profile = frozenset(
            {"min_lat", "max_lat", "min_lon", "max_lon", "object_kinds_mask", "features_mask"}
        )
        EXPORT_SECTIONS.register_all(
            [
                ExportSection("search_profiles", "matching.SearchProfile", 330, leave_out=derived_profile),
                ExportSection("search_profile_areas", "matching.SearchProfileArea", 335),
                ExportSection("new_matches", "matching.NewMatch", 350),
                ExportSection("agent_notifications", "matching.AgentNotification", 355),
                ExportSection(
                    "self_service_links",
                    "matching.SelfServiceLink",
                    360,
                    leave_out=frozenset({"token_hash"}),
                ),
            ]
        )
        SEEDERS.register(
            Seeder(
                "search_profiles",
                "maklerwerk.matching.seed.seed_search_profiles",
                (("search_profiles", 30, "search profiles of the demo contacts"),),
                order=40,
            )
        )


def _register_personal_data() -> None:
    """What this app keeps about a person (Datenauskunft and erasure, `core.personal_data`)."""
    PERSONAL_DATA.register_all(
        [
            PersonalDataSection(
                "search_profiles",
                "matching.SearchProfile",
                "contact",
                300,
                _("Search profiles"),
                summary=("name",),
            ),
            PersonalDataSection(
                "search_profile_links",
                "matching.SelfServiceLink",
                "contact",
                310,
                _("Self-service links"),
                leave_out=frozenset({"token_hash"}),
                summary=("created_at",),
            ),
            PersonalDataSection(
                "agent_notifications",
                "matching.AgentNotification",
                "contact",
                320,
                _("Notifications"),
                summary=("message",),
            ),
        ]
    )
