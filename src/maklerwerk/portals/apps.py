from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalsConfig(AppConfig):
    name = "maklerwerk.portals"
    verbose_name = _("Portal transfer")

    def ready(self) -> None:
        from maklerwerk.core.export import EXPORT_SECTIONS, ExportSection
        from maklerwerk.core.jobs import JOBS, declared_jobs
        from maklerwerk.core.tabs import TABS, DetailTab
        from maklerwerk.inquiries.hooks import MAIL_ATTACHMENT_READERS, MailAttachmentReader
        from maklerwerk.portals import services, tasks
        from maklerwerk.portals.selectors import portal_listing_names
        from maklerwerk.properties.selectors import PUBLISH_RECORDS, PublishRecord

        TABS.register(
            DetailTab(
                page="property",
                key="portals",
                label=_("Portals"),
                url_name="portals:property_tab",
                icon="ti-world-upload",
                order=45,
            )
        )
        secrets = frozenset(
            {"password_encrypted", "consumer_secret_encrypted", "access_secret_encrypted", "feed_token_hash"}
        )
        EXPORT_SECTIONS.register_all(
            [
                ExportSection("portals", "portals.Portal", 800, secrets=secrets),
                ExportSection("portal_assignments", "portals.PortalAssignment", 805),
                ExportSection(
                    "portal_transfer_runs", "portals.TransferRun", 810, leave_out=frozenset({"job"})
                ),
                ExportSection("portal_transfer_entries", "portals.TransferEntry", 815),
            ]
        )
        JOBS.register_all(declared_jobs(tasks))
        MAIL_ATTACHMENT_READERS.register(MailAttachmentReader("portal_feedback", services.feedback_from_mail))
        MAIL_ATTACHMENT_READERS.register(
            MailAttachmentReader("portal_import_log", services.import_log_from_mail, order=110)
        )
        PUBLISH_RECORDS.register(PublishRecord("portal_assignments", portal_listing_names))
