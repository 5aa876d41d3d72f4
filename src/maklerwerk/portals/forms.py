from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from maklerwerk.core.forms import choice_field
from maklerwerk.portals.models import Portal


class PortalForm(forms.ModelForm):
    """A portal account; secrets are write-only (left empty = unchanged)."""

    password = forms.CharField(
        label=_("FTP password"), widget=forms.PasswordInput(render_value=False), required=False
    )
    consumer_secret = forms.CharField(
        label=_("consumer secret"), widget=forms.PasswordInput(render_value=False), required=False
    )
    access_secret = forms.CharField(
        label=_("access token secret"), widget=forms.PasswordInput(render_value=False), required=False
    )

    class Meta:
        model = Portal
        fields = [
            "name", "key", "kind", "active", "host", "port", "username", "password", "folder", "passive",
            "use_tls", "anbieternr", "openimmo_anid", "full_transfer", "send_references", "contingent",
            "picture_limit", "picture_max_kb", "filename_pattern", "techn_email", "api_url", "consumer_key",
            "consumer_secret", "access_token", "access_secret", "send_pdfs",
        ]  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.password_set:
            self.fields["password"].help_text = _("Stored. Leave empty to keep it.")


class PortalAssignForm(forms.Form):
    portal_ids = forms.TypedMultipleChoiceField(coerce=int, required=False)

    def __init__(self, *args: Any, portals: list[Portal], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "portal_ids").choices = [(p.pk, p.name) for p in portals]
