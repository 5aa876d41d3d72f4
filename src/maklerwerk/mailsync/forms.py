from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from maklerwerk.mailsync.models import MailAccount


class MailAccountForm(forms.ModelForm):
    password = forms.CharField(
        label=_("password or access token"),
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to keep the stored one."),
    )
    refresh_token = forms.CharField(
        label=_("refresh token (OAuth 2.0)"),
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_(
            "Optional, with OAuth 2.0: the access token is then renewed automatically at the token endpoint."
        ),
    )
    folders_text = forms.CharField(
        label=_("further folders to archive"),
        required=False,
        help_text=_(
            "INBOX and the sent folder are always archived. One folder per line, e.g. Kunden/Müller."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    class Meta:
        model = MailAccount
        fields = [
            "email",
            "host",
            "port",
            "security",
            "username",
            "auth",
            "oauth_token_url",
            "oauth_client_id",
            "sent_folder",
            "append_sent",
            "active",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].required = False
        self.fields["username"].help_text = _("Usually the e-mail address.")
        self.fields["sent_folder"].help_text = _("Empty: found automatically (Sent, Gesendet, ...).")
        if self.instance.pk:
            self.fields["folders_text"].initial = "\n".join(self.instance.folders or [])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["folders"] = [
            line.strip() for line in (data.get("folders_text") or "").splitlines() if line.strip()
        ]
        return data
