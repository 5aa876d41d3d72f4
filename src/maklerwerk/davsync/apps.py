from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DavsyncConfig(AppConfig):
    name = "maklerwerk.davsync"
    verbose_name = _("Address book and calendar sync")

    def ready(self) -> None:
        from maklerwerk.core.export import EXPORT_SECTIONS, ExportSection
        from maklerwerk.core.jobs import JOBS, declared_jobs
        from maklerwerk.core.syncers import ACCOUNT_SYNCERS, AccountSyncer
        from maklerwerk.davsync import services, tasks

        JOBS.register_all(declared_jobs(tasks))
        EXPORT_SECTIONS.register_all(
            [
                ExportSection(
                    "dav_accounts",
                    "davsync.DavAccount",
                    630,
                    secrets=frozenset({"password_encrypted"}),
                    leave_out=frozenset({"sync_token"}),
                ),
                ExportSection("dav_contact_uids", "davsync.ContactUid", 640),
                ExportSection("dav_sync_flags", "davsync.SyncFlag", 640),
                ExportSection("dav_items", "davsync.DavItem", 900),
                ExportSection("dav_sync_events", "davsync.SyncEvent", 900),
            ]
        )
        ACCOUNT_SYNCERS.register(
            AccountSyncer(
                "davsync", services.syncer_accounts, services.syncer_label, services.syncer_run, order=20
            )
        )
