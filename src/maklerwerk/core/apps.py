from typing import Any

from django.apps import AppConfig
from django.db.models import Q
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from maklerwerk.core.personal_data import PERSONAL_DATA, PersonalDataSection, Retained


class CoreConfig(AppConfig):
    name = "maklerwerk.core"
    verbose_name = _("Core")

    def ready(self) -> None:
        _register_personal_data()
        post_migrate.connect(_create_cache_table, sender=self)
        from maklerwerk.core import checks  # noqa: F401  (registers the start-up checks)
        from maklerwerk.core.dates import install_model_date_checks

        install_model_date_checks()
        _register()


def _register() -> None:
    """What the foundation contributes to the shared registries (`core.registry`)."""
    from maklerwerk.core import export, tasks  # noqa: F401  (tasks: the huey task that runs jobs)
    from maklerwerk.core.dashboard import CORE_COUNTERS, COUNTERS
    from maklerwerk.core.export import EXPORT_SECTIONS, ExportSection
    from maklerwerk.core.jobs import JOBS, declared_jobs
    from maklerwerk.core.seeding import SEEDERS, Seeder
    from maklerwerk.core.tabs import TABS, DetailTab

    COUNTERS.register_all(CORE_COUNTERS)
    # The property's timeline of calls, viewings, notes ... (the contact page has its own tab).
    TABS.register(
        DetailTab(
            page="property",
            key="activities",
            label=_("Activities"),
            url_name="core:property_activities",
            icon="ti-activity",
            order=20,
        )
    )
    JOBS.register_all(declared_jobs(export))
    EXPORT_SECTIONS.register_all(
        [
            ExportSection("users", "accounts.User", 100, leave_out=frozenset({"password"})),
            ExportSection("activities", "core.Activity", 400),
            ExportSection("activity_contacts", "core.Activity_further_contacts", 405),
            # Last: the history names records of every other section.
            ExportSection("history", "core.ChangeLog", 950),
        ]
    )
    SEEDERS.register(
        Seeder(
            "activities",
            "maklerwerk.core.seed.seed_activities",
            (("activities", 30, "activities in the log"),),
            order=10,
        )
    )


def _create_cache_table(using: str = "default", **kwargs: Any) -> None:
    """Without Redis the cache (rate limits, login throttling) is a database table: `migrate` makes it,
    so a fresh install works without a separate `createcachetable` (a no-op with Redis)."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)


def _register_personal_data() -> None:
    """What this app keeps about a person (Datenauskunft and erasure, `core.personal_data`)."""
    PERSONAL_DATA.register_all(
        [
            # Letters and e-mails with an owner or a buyer are business letters (HGB §257, AO §147);
            # an exposé sent is the Nachweis of a commission claim; the rest is scrubbed, counted still.
            PersonalDataSection(
                "activities",
                "core.Activity",
                "contact",
                100,
                _("Activities"),
                summary=("occurred_at", "type", "subject"),
                erase="scrub",
                scrub=frozenset({"subject", "body", "payload"}),
                retained_by=(
                    Retained(
                        "business_letter",
                        "occurred_at",
                        Q(
                            type__in=["email_sent", "email_received", "letter"],
                            contact__roles__role__in=["owner", "buyer"],
                        ),
                    ),
                    Retained("expose_evidence", "occurred_at", Q(type="expose_sent")),
                ),
                # The Datenauskunft's and the erasure's own activities prove the answer.
                proof=Q(payload__has_key="privacy"),
            ),
            PersonalDataSection(
                "activities_taken_part",
                "core.Activity",
                "further_contacts",
                110,
                _("Activities taken part in"),
                summary=("occurred_at", "type", "subject"),
                erase="keep",
            ),
        ]
    )
