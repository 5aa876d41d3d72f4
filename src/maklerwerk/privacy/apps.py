from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "maklerwerk.privacy"
    verbose_name = _("Data protection")

    def ready(self) -> None:
        from maklerwerk.contacts.services import CONSENT_FIELD_WATCHERS, ConsentFieldWatcher
        from maklerwerk.core.export import EXPORT_SECTIONS, ExportSection
        from maklerwerk.core.jobs import JOBS, declared_jobs
        from maklerwerk.core.personal_data import PERSONAL_DATA, PersonalDataSection
        from maklerwerk.core.tabs import ACTIONS, DetailAction
        from maklerwerk.privacy import tasks
        from maklerwerk.privacy.consent import consent_field_changed

        JOBS.register_all(declared_jobs(tasks))
        CONSENT_FIELD_WATCHERS.register(ConsentFieldWatcher("privacy.consent", consent_field_changed))
        PERSONAL_DATA.register(
            PersonalDataSection(
                "consents",
                "privacy.ConsentRecord",
                "contact",
                150,
                _("Consents"),
                summary=("recorded_at", "purpose", "status", "channel"),
            )
        )
        ACTIONS.register(
            DetailAction(
                page="contact",
                key="privacy",
                label=_("Data protection"),
                url_name="privacy:contact",
                icon="ti-shield-lock",
                order=90,
                capability="privacy",
            )
        )
        EXPORT_SECTIONS.register_all(
            [
                ExportSection("retention_rules", "privacy.RetentionRule", 920),
                ExportSection("retention_marks", "privacy.RetentionMark", 921),
                ExportSection("legal_holds", "privacy.LegalHold", 922),
                ExportSection("erasure_requests", "privacy.ErasureRequest", 923),
                ExportSection("privacy_access_log", "privacy.AccessLogEntry", 924),
                ExportSection("consent_records", "privacy.ConsentRecord", 925),
            ]
        )
