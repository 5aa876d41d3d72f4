from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GwgConfig(AppConfig):
    name = "maklerwerk.gwg"
    verbose_name = _("GwG file")

    def ready(self) -> None:
        from maklerwerk.core.export import EXPORT_SECTIONS, ExportSection
        from maklerwerk.core.personal_data import PERSONAL_DATA, PersonalDataSection, Retained
        from maklerwerk.core.tabs import BADGES, DetailBadge
        from maklerwerk.gwg import automation, badges
        from maklerwerk.properties.watchers import PROPERTY_WATCHERS, PropertyWatcher

        # A Datenauskunft names the person's GwG metadata (that they were identified as a party of a
        # case, and with what); the copies stay out (the person has the original). Risk assessments
        # and suspicion notes are not about one contact and never exported (§47 GwG, tipping-off
        # ban); beneficial owners are other people's data, so that section stays secret.
        # Held 5 years from the end of the year the relationship ended (privacy rule "gwg");
        # while the case is open the period has not begun.
        held = (Retained("gwg", "party__case__ended_on", open_ended=True),)
        PERSONAL_DATA.register_all(
            [
                PersonalDataSection(
                    "gwg_identifications",
                    "gwg.Identification",
                    "party__contact",
                    960,
                    _("GwG identifications"),
                    leave_out=frozenset({"id_copy", "id_copy_type"}),
                    retained_by=held,
                ),
                PersonalDataSection(
                    "gwg_beneficial_owners",
                    "gwg.BeneficialOwner",
                    "party__contact",
                    962,
                    _("GwG beneficial owners"),
                    secret=True,
                    retained_by=held,
                ),
                PersonalDataSection(
                    "gwg_parties",
                    "gwg.Party",
                    "contact",
                    964,
                    _("GwG parties"),
                    leave_out=frozenset({"transparency_extract"}),
                    retained_by=(Retained("gwg", "case__ended_on", open_ended=True),),
                ),
            ]
        )
        EXPORT_SECTIONS.register_all(
            [
                ExportSection("gwg_cases", "gwg.GwgCase", 940),
                ExportSection("gwg_parties", "gwg.Party", 941),
                ExportSection("gwg_identifications", "gwg.Identification", 942),
                ExportSection("gwg_beneficial_owners", "gwg.BeneficialOwner", 943),
                ExportSection("gwg_risk_assessments", "gwg.RiskAssessment", 944),
                ExportSection("gwg_suspicion_notes", "gwg.SuspicionNote", 945),
                ExportSection("gwg_risk_analyses", "gwg.RiskAnalysis", 946),
                ExportSection("gwg_id_copy_views", "gwg.IdCopyView", 947),
                ExportSection("gwg_deletions", "gwg.DeletionRecord", 948),
            ]
        )
        PROPERTY_WATCHERS.register(
            PropertyWatcher(
                "gwg", before=automation.status_before, changed=automation.property_changed, order=200
            )
        )
        BADGES.register_all(
            [
                DetailBadge(page="contact", key="gwg", render=badges.contact_badge),
                DetailBadge(page="property", key="gwg", render=badges.property_badge),
            ]
        )
