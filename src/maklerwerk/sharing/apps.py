from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from maklerwerk.core.personal_data import PERSONAL_DATA, PersonalDataSection, Retained


class SharingConfig(AppConfig):
    name = "maklerwerk.sharing"
    verbose_name = _("Document sharing")

    def ready(self) -> None:
        _register_personal_data()
        from maklerwerk.core.export import EXPORT_SECTIONS, ExportSection
        from maklerwerk.core.tabs import TABS, DetailTab
        from maklerwerk.mailing.placeholders import LINK_MAKERS, LinkMaker
        from maklerwerk.sharing.services import share_link_for_mail
        from maklerwerk.sharing.views_agent import contact_tab_context

        LINK_MAKERS.register(LinkMaker("links.dokumente", share_link_for_mail))

        TABS.register(
            DetailTab(
                page="property",
                key="document-sharing",
                # The property page has its own "Dokumente" (upload) tab; this one is the sharing
                # ("Freigaben", short: a property has eleven tabs on one line).
                label=_("Shares"),
                url_name="sharing:property_tab",
                icon="ti-lock",
                order=40,
            )
        )
        TABS.register(
            DetailTab(
                page="contact",
                key="protected-documents",
                label=_("Protected documents"),
                template="sharing/_contact_tab.html",
                context=contact_tab_context,
                order=55,
            )
        )
        EXPORT_SECTIONS.register_all(
            [
                ExportSection("sharing_settings", "sharing.SharingSettings", 500),
                ExportSection("document_clouds", "sharing.DocumentCloud", 505),
                ExportSection("cloud_folders", "sharing.CloudFolder", 510),
                ExportSection("cloud_files", "sharing.CloudFile", 515),
                ExportSection("personal_files", "sharing.PersonalFile", 520),
                ExportSection(
                    "share_links", "sharing.ShareLink", 525, leave_out=frozenset({"token_seed", "token_hash"})
                ),
                ExportSection("access_deactivations", "sharing.AccessDeactivation", 530),
                ExportSection("consents", "sharing.ConsentAcceptance", 535),
                ExportSection("access_events", "sharing.AccessEvent", 540),
            ]
        )


def _register_personal_data() -> None:
    """What this app keeps about a person (Datenauskunft and erasure, `core.personal_data`)."""
    PERSONAL_DATA.register_all(
        [
            PersonalDataSection(
                "share_links",
                "sharing.ShareLink",
                "contact",
                400,
                _("Document shares"),
                leave_out=frozenset({"token_seed", "token_hash"}),
                summary=("property_id", "created_at"),
            ),
            PersonalDataSection(
                "personal_files",
                "sharing.PersonalFile",
                "contact",
                410,
                _("Personal documents"),
                leave_out=frozenset({"key"}),
                summary=("name",),
            ),
            PersonalDataSection(
                "access_deactivations",
                "sharing.AccessDeactivation",
                "contact",
                420,
                _("Blocked document access"),
                summary=("created_at",),
            ),
            # Accepted commission terms: the Nachweis while a claim is possible.
            PersonalDataSection(
                "terms_accepted",
                "sharing.ConsentAcceptance",
                "contact",
                430,
                _("Accepted terms"),
                summary=("accepted_at", "text_version"),
                retained_by=(Retained("expose_evidence", "accepted_at"),),
            ),
            PersonalDataSection(
                "document_views",
                "sharing.AccessEvent",
                "contact",
                440,
                _("Document views"),
                summary=("at", "kind"),
                retained_by=(Retained("expose_evidence", "at"),),
            ),
        ]
    )
