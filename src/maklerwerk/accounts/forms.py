from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from maklerwerk.accounts.models import Office


class OfficeForm(forms.ModelForm):
    class Meta:
        model = Office
        fields = [
            "name", "street", "postal_code", "city", "country", "phone", "email", "website", "logo",
            "imprint", "email_signature", "terms_text", "cancellation_notice_text",
        ]  # fmt: skip
        widgets = {
            "imprint": forms.Textarea(attrs={"rows": 4}),
            "email_signature": forms.Textarea(attrs={"rows": 4}),
            "terms_text": forms.Textarea(attrs={"rows": 6}),
            "cancellation_notice_text": forms.Textarea(attrs={"rows": 6}),
        }

    def clean_logo(self) -> object:
        logo = self.cleaned_data.get("logo")
        if logo and getattr(logo, "size", 0) > 2 * 1024 * 1024:
            raise forms.ValidationError(_("The logo may be at most 2 MB."))
        return logo


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("e.g. the system that will use it"))


class DataExportForm(forms.Form):
    """No fields; a form keeps the POST + CSRF pattern of every other action."""


def max_upload_mb() -> int:
    return settings.MAX_UPLOAD_BYTES // (1024 * 1024)
