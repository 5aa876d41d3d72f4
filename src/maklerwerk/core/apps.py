from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "maklerwerk.core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # Job functions register themselves in each app's tasks.py; every process (web, worker,
        # shell, management commands) must know them to start or run a job.
        autodiscover_modules("tasks")
        from maklerwerk.core.tabs import DetailTab, register_tab

        # The property's timeline of calls, viewings, notes ... (the contact page has its own tab).
        register_tab(
            "property",
            DetailTab(
                key="activities",
                label=_("Activities"),
                url_name="core:property_activities",
                icon="ti-activity",
                order=20,
            ),
        )
