from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InquiriesConfig(AppConfig):
    name = "maklerwerk.inquiries"
    verbose_name = _("Inquiry manager")

    def ready(self) -> None:
        from maklerwerk.contacts.tabs import ContactTab, register_contact_tab
        from maklerwerk.core.dashboard import COUNTERS, Counter, Widget, register_widget
        from maklerwerk.core.services import EXPORT_SECTIONS
        from maklerwerk.inquiries import dashboard

        if all(c.key != "inquiries_open" for c in COUNTERS):
            COUNTERS.append(
                Counter(
                    "inquiries_open",
                    _("Open inquiries"),
                    "ti-inbox",
                    dashboard.open_inquiries,
                    "inquiries:list",
                    count_for_user=dashboard.open_inquiries_for,
                )
            )
        register_widget(Widget("inquiries", _("Latest inquiries"), "inquiries:widget", order=20, wide=True))
        for section in (
            ("inquiries", "inquiries.Inquiry", {"raw"}),
            ("inquiry_mailboxes", "inquiries.Mailbox", {"password_encrypted"}),
            ("process_instances", "inquiries.ProcessInstance", set()),
        ):
            if section not in EXPORT_SECTIONS:
                EXPORT_SECTIONS.append(section)
        register_contact_tab(
            ContactTab(
                key="inquiries",
                label=_("Inquiries & processes"),
                template="inquiries/_contact_tab.html",
                context=dashboard.contact_tab_context,
                order=60,
            )
        )
