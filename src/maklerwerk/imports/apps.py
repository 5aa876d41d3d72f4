from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "maklerwerk.imports"
    verbose_name = _("Imports")

    def ready(self) -> None:
        from maklerwerk.core.export import EXPORT_SECTIONS, ExportSection
        from maklerwerk.core.jobs import JOBS, declared_jobs
        from maklerwerk.imports import tasks

        JOBS.register_all(declared_jobs(tasks))
        # What came from which source system: a re-import after a move still updates, not duplicates.
        EXPORT_SECTIONS.register(ExportSection("import_mappings", "imports.ImportMapping", 880))
        EXPORT_SECTIONS.register(ExportSection("import_runs", "imports.ImportRun", 890))
        EXPORT_SECTIONS.register(ExportSection("import_records", "imports.ImportRecord", 900))
        EXPORT_SECTIONS.register(ExportSection("import_changes", "imports.ImportChange", 905))
        EXPORT_SECTIONS.register(ExportSection("cutover_plans", "imports.CutoverPlan", 910))
        EXPORT_SECTIONS.register(
            ExportSection("ftp_drops", "imports.FtpDrop", 915, secrets=frozenset({"password_encrypted"}))
        )
