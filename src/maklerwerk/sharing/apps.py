from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SharingConfig(AppConfig):
    name = "maklerwerk.sharing"
    verbose_name = _("Document sharing")
