from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailingConfig(AppConfig):
    name = "maklerwerk.mailing"
    verbose_name = _("Mail templates and outgoing mail")

    def ready(self) -> None:
        from maklerwerk.core.services import EXPORT_SECTIONS
        from maklerwerk.core.tabs import DetailAction, register_action

        register_action(
            "contact",
            DetailAction(
                key="letter", label=_("Letter"), url_name="mailing:letter", icon="ti-mail-opened", order=60
            ),
        )

        sections = {s[0] for s in EXPORT_SECTIONS}
        for section in (
            ("mail_templates", "mailing.MailTemplate", set()),
            ("outgoing_mails", "mailing.OutgoingMail", set()),
            ("smtp_settings", "mailing.SmtpSettings", {"password_encrypted"}),
        ):
            if section[0] not in sections:
                EXPORT_SECTIONS.append(section)
