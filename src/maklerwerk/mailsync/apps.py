from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailsyncConfig(AppConfig):
    name = "maklerwerk.mailsync"
    verbose_name = _("Mailbox sync")

    def ready(self) -> None:
        from maklerwerk.core.export import EXPORT_SECTIONS, ExportSection
        from maklerwerk.core.jobs import JOBS, declared_jobs
        from maklerwerk.core.syncers import ACCOUNT_SYNCERS, AccountSyncer
        from maklerwerk.core.tabs import ACTIONS, DetailAction
        from maklerwerk.mailing.sending import AFTER_SEND, AfterSend
        from maklerwerk.mailsync import sent, services, tasks

        EXPORT_SECTIONS.register_all(
            [
                ExportSection(
                    "mail_accounts",
                    "mailsync.MailAccount",
                    800,
                    secrets=frozenset({"password_encrypted", "refresh_token_encrypted"}),
                ),
                ExportSection("mail_folder_states", "mailsync.FolderState", 805),
                ExportSection("mail_blobs", "mailsync.MailBlob", 810),
                ExportSection("archived_mails", "mailsync.ArchivedMail", 815),
            ]
        )
        JOBS.register_all(declared_jobs(tasks))
        ACTIONS.register(
            DetailAction(
                page="contact",
                key="compose",
                label=_("E-mail"),
                url_name="mailsync:compose",
                icon="ti-mail",
                order=55,
            )
        )
        AFTER_SEND.register(AfterSend("mailsync.sent_folder", sent.sent_folder_append, order=10))
        ACCOUNT_SYNCERS.register(
            AccountSyncer(
                "mailsync", services.syncer_accounts, services.syncer_label, services.syncer_run, order=10
            )
        )
