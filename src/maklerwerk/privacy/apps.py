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
        PERSONAL_DATA.register_all(
            [
                PersonalDataSection(
                    "consents",
                    "privacy.ConsentRecord",
                    "contact",
                    150,
                    _("Consents"),
                    summary=("recorded_at", "purpose", "status", "channel"),
                ),
                # The person's own requests: kept as proof of the answer (Art. 5 Abs. 2 DSGVO).
                PersonalDataSection(
                    "subject_requests",
                    "privacy.SubjectRequest",
                    "contact",
                    151,
                    _("Rectification and objection requests"),
                    erase="keep",
                    summary=("requested_at", "kind", "status", "result"),
                ),
                # The name shown on a deletion proposal goes with the erasure; the decision stays.
                PersonalDataSection(
                    "inactive_proposals",
                    "privacy.InactiveProposal",
                    "contact",
                    152,
                    _("Deletion proposals"),
                    erase="scrub",
                    scrub=frozenset({"contact_name", "reason"}),
                    summary=("proposed_at", "status"),
                ),
            ]
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
                ExportSection("subject_requests", "privacy.SubjectRequest", 926),
                ExportSection("privacy_settings", "privacy.PrivacySettings", 927),
                ExportSection("inactive_proposals", "privacy.InactiveProposal", 928),
                ExportSection("processing_register", "privacy.ProcessingRegister", 929),
            ]
        )
