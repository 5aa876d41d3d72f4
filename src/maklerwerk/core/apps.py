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
        from maklerwerk.core.dates import install_model_date_checks

        install_model_date_checks()
