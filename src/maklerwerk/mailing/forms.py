from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from maklerwerk.core.crypto import SecretUnreadable
from maklerwerk.mailing.models import MailTemplate, SmtpSettings


class TemplateForm(forms.ModelForm):
    class Meta:
        model = MailTemplate
        fields = ["name", "kind", "language", "subject", "body"]
        widgets = {
            "body": forms.Textarea(
                attrs={"rows": 18, "class": "font-monospace", "data-placeholder-target": ""}
            ),
            "subject": forms.TextInput(attrs={"data-placeholder-target": ""}),
            "language": forms.Select(choices=[("de", "Deutsch"), ("en", "English")]),
        }


class SmtpSettingsForm(forms.ModelForm):
    password = forms.CharField(
        label=_("password"),
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to keep the stored password."),
    )

    class Meta:
        model = SmtpSettings
        fields = ["active", "host", "port", "security", "username", "from_email"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not data.get("password") and self.instance.pk:
            try:
                data["password"] = self.instance.get_password()
            except SecretUnreadable as exc:  # SECRET_KEY changed since it was stored
                self.add_error("password", str(exc))
        return data
