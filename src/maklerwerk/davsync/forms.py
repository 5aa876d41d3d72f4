from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from maklerwerk.davsync.models import DavAccount


class DavAccountForm(forms.ModelForm):
    password = forms.CharField(
        label=_("password"),
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_(
            "Stored encrypted. Leave empty to keep the stored one. iCloud: an app-specific password."
        ),
    )

    class Meta:
        model = DavAccount
        fields = ("kind", "url", "username", "scope", "tag_name", "conflict_rule")
        help_texts = {
            "url": _(
                "The address of the address book, e.g. https://cloud.example.de/remote.php/dav/addressbooks/users/anna/contacts/"
            ),
            "conflict_rule": _(
                "Maklerwerk wins by default: it is the leading system. Every decision is logged."
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].widget.attrs["class"] = "form-select"
        for name in ("scope", "conflict_rule"):
            self.fields[name].widget.attrs["class"] = "form-select"
