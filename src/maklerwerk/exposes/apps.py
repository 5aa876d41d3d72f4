from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExposesConfig(AppConfig):
    name = "maklerwerk.exposes"
    verbose_name = _("Exposés and offers")

    def ready(self) -> None:
        from maklerwerk.core.services import EXPORT_SECTIONS
        from maklerwerk.core.tabs import DetailAction, register_action
        from maklerwerk.exposes import tasks  # noqa: F401 - registers the offer job

        register_action(
            "property",
            DetailAction(
                key="expose", label=_("Exposé"), url_name="exposes:property", icon="ti-file-type-pdf"
            ),
        )
        register_action(
            "contact",
            DetailAction(key="expose", label=_("Send exposés"), url_name="exposes:contact", icon="ti-send"),
        )
        sections = {s[0] for s in EXPORT_SECTIONS}
        for section in (
            ("expose_templates", "exposes.ExposeTemplate", set()),
            ("property_expose_settings", "exposes.PropertyExposeSettings", set()),
            ("offers", "exposes.Offer", set()),
            ("offer_recipients", "exposes.OfferRecipient", set()),
        ):
            if section[0] not in sections:
                EXPORT_SECTIONS.append(section)
