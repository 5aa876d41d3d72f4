from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from maklerwerk.inquiries.models import Mailbox


class MailboxForm(forms.ModelForm):
    password = forms.CharField(
        label=_("password"), widget=forms.PasswordInput(render_value=False), required=True
    )

    class Meta:
        model = Mailbox
        fields = ["name", "host", "port", "security", "username", "folder", "action", "move_to", "main_user"]

    def __init__(self, *args: Any, office: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if office is not None:
            self.fields["main_user"].queryset = office.users.filter(is_active=True)  # type: ignore[attr-defined]


class ConfirmForm(forms.Form):
    salutation = forms.ChoiceField(
        label=_("salutation"),
        choices=[("", "–"), ("frau", _("Ms")), ("herr", _("Mr")), ("divers", _("Diverse"))],
        required=False,
    )
    first_name = forms.CharField(label=_("first name"), max_length=100)
    last_name = forms.CharField(label=_("last name"), max_length=100)
    street = forms.CharField(label=_("street"), max_length=200)
    house_number = forms.CharField(label=_("house number"), max_length=20)
    postal_code = forms.CharField(label=_("postal code"), max_length=10)
    city = forms.CharField(label=_("city"), max_length=100)
    phone = forms.CharField(label=_("phone"), max_length=60, required=False)
    privacy = forms.BooleanField(
        label=_("I agree that my details are stored to answer my inquiry."), required=True
    )
