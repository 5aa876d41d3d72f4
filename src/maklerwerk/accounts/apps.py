from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "maklerwerk.accounts"
    verbose_name = _("Users and office")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from maklerwerk.accounts import twofactor

        user_logged_in.connect(twofactor.on_login, dispatch_uid="accounts.twofactor")
