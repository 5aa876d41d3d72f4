from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailingConfig(AppConfig):
    name = "maklerwerk.mailing"
    verbose_name = _("Mail templates and outgoing mail")

    def ready(self) -> None:
        from maklerwerk.core.export import EXPORT_SECTIONS, ExportSection
        from maklerwerk.core.seeding import SEEDERS, Seeder
        from maklerwerk.core.tabs import ACTIONS, DetailAction

        ACTIONS.register(
            DetailAction(
                page="contact",
                key="letter",
                label=_("Letter"),
                url_name="mailing:letter",
                icon="ti-mail-opened",
                order=60,
            )
        )
        EXPORT_SECTIONS.register_all(
            [
                ExportSection("mail_templates", "mailing.MailTemplate", 600),
                ExportSection("outgoing_mails", "mailing.OutgoingMail", 610),
                ExportSection(
                    "smtp_settings", "mailing.SmtpSettings", 620, secrets=frozenset({"password_encrypted"})
                ),
            ]
        )
        SEEDERS.register(Seeder("mailing", "maklerwerk.mailing.seed._seed", order=60))
