from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExposesConfig(AppConfig):
    name = "maklerwerk.exposes"
    verbose_name = _("Exposés and offers")

    def ready(self) -> None:
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
