from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "maklerwerk.core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # Job functions register themselves in each app's tasks.py; every process (web, worker,
        # shell, management commands) must know them to start or run a job.
        autodiscover_modules("tasks")
        post_migrate.connect(_create_cache_table, sender=self)
        from maklerwerk.core import checks  # noqa: F401  (registers the start-up checks)
        from maklerwerk.core.dates import install_model_date_checks

        install_model_date_checks()
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


def _create_cache_table(using: str = "default", **kwargs: Any) -> None:
    """Without Redis the cache (rate limits, login throttling) is a database table: `migrate` makes it,
    so a fresh install works without a separate `createcachetable` (a no-op with Redis)."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)
