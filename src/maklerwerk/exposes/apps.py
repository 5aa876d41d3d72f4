from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExposesConfig(AppConfig):
    name = "maklerwerk.exposes"
    verbose_name = _("Exposés and offers")
