from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from maklerwerk.accounts.models import ApiToken, Office, User
from maklerwerk.accounts.roles import Role
from maklerwerk.core.countries import country_choices


class OfficeForm(forms.ModelForm):
    class Meta:
        model = Office
        fields = [
            "name", "street", "postal_code", "city", "country", "phone", "email", "website", "logo",
            "imprint", "email_signature", "terms_text", "cancellation_notice_text", "map_tile_url",
            "two_factor_required",
        ]  # fmt: skip
        widgets = {
            "imprint": forms.Textarea(attrs={"rows": 4}),
            "email_signature": forms.Textarea(attrs={"rows": 4}),
            "terms_text": forms.Textarea(attrs={"rows": 6}),
            "cancellation_notice_text": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # "Deutschland", never a typed "DE" (stored as ISO alpha-2, as the contacts' country).
        self.fields["country"] = forms.ChoiceField(
            label=self.fields["country"].label, choices=country_choices(2), initial="DE"
        )

    def clean_logo(self) -> object:
        logo = self.cleaned_data.get("logo")
        if logo and getattr(logo, "size", 0) > 2 * 1024 * 1024:
            raise forms.ValidationError(_("The logo may be at most 2 MB."))
        return logo


class UserCreateForm(forms.Form):
    username = forms.RegexField(
        label=_("User name"),
        max_length=150,
        regex=r"^[\w.@+-]+$",
        error_messages={"invalid": _("Only letters, digits and @ . + - _ are allowed.")},
    )
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.AGENT)
    password = forms.CharField(
        label=_("Initial password"),
        widget=forms.PasswordInput(render_value=False),
        help_text=_("At least 10 characters; the user can change it after logging in."),
    )

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This user name is already taken."))
        return username

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        password = data.get("password")
        if password:
            probe = User(username=data.get("username", ""), email=data.get("email", ""))
            try:
                password_validation.validate_password(str(password), probe)
            except forms.ValidationError as exc:
                self.add_error("password", exc)
        return data


class UserRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    is_active = forms.BooleanField(label=_("Active"), required=False)


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("e.g. the system that will use it"))
    scope = forms.ChoiceField(
        label=_("Access"), choices=ApiToken.Scope.choices, initial=ApiToken.Scope.FULL, required=False
    )


class DataExportForm(forms.Form):
    """No fields; a form keeps the POST + CSRF pattern of every other action."""


def max_upload_mb() -> int:
    return settings.MAX_UPLOAD_BYTES // (1024 * 1024)
