from django.apps import AppConfig
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from maklerwerk.core.personal_data import PERSONAL_DATA, PersonalDataSection, Retained


class ExposesConfig(AppConfig):
    name = "maklerwerk.exposes"
    verbose_name = _("Exposés and offers")

    def ready(self) -> None:
        _register_personal_data()
        from maklerwerk.core.export import EXPORT_SECTIONS, ExportSection
        from maklerwerk.core.jobs import JOBS, declared_jobs
        from maklerwerk.core.tabs import ACTIONS, DetailAction
        from maklerwerk.exposes import tasks

        ACTIONS.register(
            DetailAction(
                page="property",
                key="expose",
                label=_("Exposé"),
                url_name="exposes:property",
                icon="ti-file-type-pdf",
            )
        )
        ACTIONS.register(
            DetailAction(
                page="contact",
                key="expose",
                label=_("Send exposés"),
                url_name="exposes:contact",
                icon="ti-send",
            )
        )
        EXPORT_SECTIONS.register_all(
            [
                ExportSection("expose_templates", "exposes.ExposeTemplate", 650),
                ExportSection("property_expose_settings", "exposes.PropertyExposeSettings", 655),
                # last_job: background jobs are not exported (see tests/core/test_export_complete.py).
                ExportSection("offers", "exposes.Offer", 660, leave_out=frozenset({"last_job"})),
                ExportSection("offer_recipients", "exposes.OfferRecipient", 665),
            ]
        )
        JOBS.register_all(declared_jobs(tasks))


def _register_personal_data() -> None:
    """What this app keeps about a person (Datenauskunft and erasure, `core.personal_data`)."""
    PERSONAL_DATA.register_all(
        [
            # An exposé sent is the Nachweis of a commission claim.
            PersonalDataSection(
                "exposes_sent",
                "exposes.OfferRecipient",
                "contact",
                510,
                _("Exposés sent"),
                summary=("sent_at", "property_id"),
                retained_by=(Retained("expose_evidence", "sent_at", Q(sent_at__isnull=False)),),
            ),
        ]
    )
