from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SharingConfig(AppConfig):
    name = "maklerwerk.sharing"
    verbose_name = _("Document sharing")

    def ready(self) -> None:
        from maklerwerk.contacts.tabs import ContactTab, register_contact_tab
        from maklerwerk.core.services import EXPORT_SECTIONS
        from maklerwerk.core.tabs import DetailTab, register_tab
        from maklerwerk.sharing.views import contact_tab_context

        register_tab(
            "property",
            DetailTab(
                key="document-sharing",
                # The property page has its own "Dokumente" (upload) tab; this one is the sharing.
                label=_("Document sharing"),
                url_name="sharing:property_tab",
                icon="ti-lock",
                order=40,
            ),
        )
        register_contact_tab(
            ContactTab(
                key="protected-documents",
                label=_("Protected documents"),
                template="sharing/_contact_tab.html",
                context=contact_tab_context,
                order=55,
            )
        )
        sections = {s[0] for s in EXPORT_SECTIONS}
        for section in (
            ("sharing_settings", "sharing.SharingSettings", set()),
            ("document_clouds", "sharing.DocumentCloud", set()),
            ("cloud_folders", "sharing.CloudFolder", set()),
            ("cloud_files", "sharing.CloudFile", set()),
            ("personal_files", "sharing.PersonalFile", set()),
            ("share_links", "sharing.ShareLink", {"token_seed", "token_hash"}),
            ("access_deactivations", "sharing.AccessDeactivation", set()),
            ("consents", "sharing.ConsentAcceptance", set()),
            ("access_events", "sharing.AccessEvent", set()),
        ):
            if section[0] not in sections:
                EXPORT_SECTIONS.append(section)
