from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from maklerwerk.core.forms import choice_field

LANGUAGES = [("de", "Deutsch"), ("en", "English")]


class OfferForm(forms.Form):
    contacts = forms.TypedMultipleChoiceField(label=_("Recipients"), coerce=int)
    properties = forms.TypedMultipleChoiceField(label=_("Properties"), coerce=int)
    template = forms.TypedChoiceField(label=_("Mail template"), coerce=int)
    attach_expose = forms.BooleanField(label=_("Attach the exposé (PDF)"), required=False, initial=True)
    expose_template = forms.TypedChoiceField(
        label=_("Exposé layout"), coerce=int, required=False, empty_value=None
    )
    language = forms.ChoiceField(label=_("Exposé language"), choices=LANGUAGES, initial="de")
    documents = forms.TypedMultipleChoiceField(label=_("Attach documents"), coerce=int, required=False)
    extras = forms.MultipleChoiceField(label=_("Further attachments"), required=False)

    def __init__(self, *args: Any, choices: dict[str, list[tuple[int, str]]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "contacts").choices = choices["contacts"]
        choice_field(self, "properties").choices = choices["properties"]
        choice_field(self, "template").choices = choices["templates"]
        choice_field(self, "expose_template").choices = [("", _("Default")), *choices["expose_templates"]]
        choice_field(self, "documents").choices = choices["documents"]
        choice_field(self, "extras").choices = choices.get("extras", [])


class ExposeSettingsForm(forms.Form):
    template = forms.TypedChoiceField(label=_("Exposé layout"), coerce=int, required=False, empty_value=None)
    virtual_tour_url = forms.URLField(label=_("Virtual tour (link, shown with QR code)"), required=False)

    def __init__(self, *args: Any, templates: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "template").choices = [("", _("Default")), *templates]


class ExposeTemplateForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=200)
    accent_color = forms.RegexField(
        label=_("accent colour"),
        regex=r"^#[0-9a-fA-F]{6}$",
        initial="#1f4e79",
        widget=forms.TextInput(attrs={"type": "color"}),
    )
    css = forms.CharField(
        label=_("CSS"), required=False, widget=forms.Textarea(attrs={"rows": 8, "class": "font-monospace"})
    )
    closing_html = forms.CharField(
        label=_("closing page (HTML)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "class": "font-monospace"}),
    )
