from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from maklerwerk.core.personal_data import PERSONAL_DATA, PersonalDataSection


class InquiriesConfig(AppConfig):
    name = "maklerwerk.inquiries"
    verbose_name = _("Inquiry manager")

    def ready(self) -> None:
        _register_personal_data()
        from maklerwerk.core.dashboard import COUNTERS, WIDGETS, Counter, Widget
        from maklerwerk.core.export import EXPORT_SECTIONS, ExportSection
        from maklerwerk.core.jobs import JOBS, declared_jobs
        from maklerwerk.core.seeding import SEEDERS, Seeder
        from maklerwerk.core.tabs import TABS, DetailTab
        from maklerwerk.inquiries import dashboard, tasks

        COUNTERS.register(
            Counter(
                "inquiries_open",
                _("Open inquiries"),
                "ti-inbox",
                dashboard.open_inquiries,
                "inquiries:list",
                count_for_user=dashboard.open_inquiries_for,
                order=70,
            )
        )
        WIDGETS.register(Widget("inquiries", _("Latest inquiries"), "inquiries:widget", order=25, wide=True))
        secret = frozenset({"password_encrypted"})
        EXPORT_SECTIONS.register_all(
            [
                ExportSection("inquiry_mailboxes", "inquiries.Mailbox", 750, secrets=secret),
                ExportSection("inquiry_settings", "inquiries.InquirySettings", 755),
                ExportSection("inquiry_rules", "inquiries.InquiryRule", 760),
                ExportSection("portal_listings", "inquiries.PortalListing", 765),
                ExportSection("inquiries", "inquiries.Inquiry", 770, leave_out=frozenset({"raw"})),
                ExportSection("inquiry_steps", "inquiries.InquiryStep", 775),
                # Which mails were taken in: without them a re-import would fetch every mail again.
                ExportSection("processed_mails", "inquiries.ProcessedMail", 780),
                ExportSection("process_definitions", "inquiries.ProcessDefinition", 785),
                ExportSection("process_steps", "inquiries.ProcessStep", 790),
                ExportSection("process_instances", "inquiries.ProcessInstance", 795),
                ExportSection("process_step_runs", "inquiries.ProcessStepRun", 797),
            ]
        )
        TABS.register(
            DetailTab(
                page="contact",
                key="inquiries",
                label=_("Inquiries & processes"),
                template="inquiries/_contact_tab.html",
                context=dashboard.contact_tab_context,
                order=60,
            )
        )
        JOBS.register_all(declared_jobs(tasks))
        SEEDERS.register(Seeder("inquiries", "maklerwerk.inquiries.seed.seed_inquiries", order=46))
        from maklerwerk.inquiries.selectors import portal_listing_names
        from maklerwerk.properties.selectors import PUBLISH_RECORDS, PublishRecord

        PUBLISH_RECORDS.register(PublishRecord("portal_listings", portal_listing_names))


def _register_personal_data() -> None:
    """What this app keeps about a person (Datenauskunft and erasure, `core.personal_data`)."""
    PERSONAL_DATA.register_all(
        [
            PersonalDataSection(
                "inquiries",
                "inquiries.Inquiry",
                "contact",
                700,
                _("Inquiries"),
                leave_out=frozenset({"raw", "content_hash"}),
                summary=("received_at", "subject"),
                erase="scrub",
                scrub=frozenset(
                    {
                        "subject",
                        "sender",
                        "text",
                        "salutation",
                        "first_name",
                        "last_name",
                        "email",
                        "phone",
                        "street",
                        "house_number",
                        "postal_code",
                        "city",
                        "message",
                        "raw",
                    }
                ),
            ),
            PersonalDataSection(
                "processes", "inquiries.ProcessInstance", "contact", 710, _("Processes"), summary=("status",)
            ),
        ]
    )
