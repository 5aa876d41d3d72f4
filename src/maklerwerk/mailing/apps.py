from django.apps import AppConfig
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from maklerwerk.core.personal_data import PERSONAL_DATA, PersonalDataSection, Retained


class MailingConfig(AppConfig):
    name = "maklerwerk.mailing"
    verbose_name = _("Mail templates and outgoing mail")

    def ready(self) -> None:
        _register_personal_data()
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


def _register_personal_data() -> None:
    """What this app keeps about a person (Datenauskunft and erasure, `core.personal_data`)."""
    PERSONAL_DATA.register_all(
        [
            # Mail to an owner or a buyer concerns a business deal: a business letter (HGB §257).
            PersonalDataSection(
                "sent_mails",
                "mailing.OutgoingMail",
                "contact",
                500,
                _("Sent e-mails"),
                summary=("sent_at", "subject"),
                retained_by=(
                    Retained("business_letter", "sent_at", Q(contact__roles__role__in=["owner", "buyer"])),
                ),
                erase="scrub",
                scrub=frozenset({"to_email", "subject", "body_text", "body_html", "headers"}),
            ),
        ]
    )
