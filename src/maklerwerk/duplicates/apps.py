from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DuplicatesConfig(AppConfig):
    name = "maklerwerk.duplicates"
    verbose_name = _("Duplicates")

    def ready(self) -> None:
        from maklerwerk.core.export import EXPORT_SECTIONS, ExportSection
        from maklerwerk.core.jobs import JOBS, declared_jobs
        from maklerwerk.core.seeding import SEEDERS, Seeder
        from maklerwerk.duplicates import tasks

        JOBS.register_all(declared_jobs(tasks))
        EXPORT_SECTIONS.register_all(
            [
                ExportSection("duplicate_settings", "duplicates.DuplicateSettings", 450),
                # The user's decisions "these two are different people" (the search results are rebuilt).
                ExportSection("not_duplicates", "duplicates.NotDuplicate", 455),
                # Merges with what they changed (and, for 30 days, the merged contact's data).
                ExportSection("merge_records", "duplicates.MergeRecord", 456),
            ]
        )
        SEEDERS.register(Seeder("duplicate_keys", "maklerwerk.duplicates.seed.seed_match_keys", order=50))
