from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from maklerwerk.contacts import normalize
from maklerwerk.contacts.models import Contact, ContactEmail, ContactPhone, RelationshipKind, Role
from maklerwerk.core.countries import country_choices
from maklerwerk.core.forms import model_choice_field

PERSONAL = [
    "salutation", "title", "first_name", "last_name", "birth_date", "street", "house_number",
    "postal_code", "city", "country", "preferred_language", "letter_salutation", "source",
    "responsible_agent",
]  # fmt: skip
COMPANY = [
    "company_name",
    "legal_form",
    "position",
    "tax_number",
    "vat_id",
    "company_phone",
    "company_email",
    "website",
]
OTHER = [
    "iban", "bic", "account_holder", "id_document_kind", "id_document_number", "remarks",
    "terms_confirmed", "terms_confirmed_on", "terms_confirmed_via",
    "marketing_consent", "marketing_consent_on", "marketing_consent_source",
]  # fmt: skip

_CLEANERS = {
    "iban": normalize.normalize_iban,
    "bic": normalize.normalize_bic,
    "vat_id": normalize.normalize_vat_id,
    "tax_number": normalize.normalize_tax_number,
    "company_phone": normalize.normalize_phone,
    "company_email": normalize.normalize_email,
    "website": normalize.normalize_website,
}


class DateInput(forms.DateInput):
    input_type = "text"

    def __init__(self) -> None:
        super().__init__(format="%d.%m.%Y", attrs={"data-datepicker": "", "placeholder": "TT.MM.JJJJ"})


class ContactForm(forms.ModelForm):
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=Role.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        help_text=_("Separate with commas"),
        widget=forms.TextInput(attrs={"data-tags": ""}),
    )
    website = forms.CharField(label=_("website"), required=False, max_length=300)

    class Meta:
        model = Contact
        fields = PERSONAL + COMPANY + OTHER
        widgets = {
            "birth_date": DateInput(),
            "terms_confirmed_on": DateInput(),
            "marketing_consent_on": DateInput(),
            "remarks": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, office: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "responsible_agent").queryset = office.users.filter(is_active=True).order_by(
            "last_name", "username"
        )
        for field in self.fields.values():
            if isinstance(field, forms.TypedChoiceField):
                choices: Any = field.choices  # a list once set; the stubs give the setter's wider type
                if choices and choices[0][0] == "":
                    field.choices = [("", "–"), *list(choices)[1:]]
        # "Deutschland", never a typed "DE" (stored as ISO alpha-2).
        self.fields["country"] = forms.ChoiceField(
            label=self.fields["country"].label,
            required=False,
            choices=[("", "–"), *country_choices(2)],
            initial="DE",
        )
        for name in ("birth_date", "terms_confirmed_on", "marketing_consent_on"):
            cast(forms.DateField, self.fields[name]).input_formats = ["%d.%m.%Y", "%Y-%m-%d", "%d.%m.%y"]
        if self.instance.pk:
            self.initial.setdefault("roles", list(self.instance.roles.values_list("role", flat=True)))
            self.initial.setdefault("tags", ", ".join(t.name for t in self.instance.tags.all()))
        self.fields["letter_salutation"].widget.attrs["placeholder"] = (
            self.instance.derived_letter_salutation() if self.instance.pk else "Sehr geehrte Frau …"
        )

    def _clean_with(self, name: str) -> str:
        value = (self.cleaned_data.get(name) or "").strip()
        if value:
            try:
                return _CLEANERS[name](value)
            except ValidationError as exc:
                raise forms.ValidationError(exc.messages) from exc
        return value

    def clean_iban(self) -> str:
        return self._clean_with("iban")

    def clean_bic(self) -> str:
        return self._clean_with("bic")

    def clean_vat_id(self) -> str:
        return self._clean_with("vat_id")

    def clean_tax_number(self) -> str:
        return self._clean_with("tax_number")

    def clean_company_phone(self) -> str:
        return self._clean_with("company_phone")

    def clean_company_email(self) -> str:
        return self._clean_with("company_email")

    def clean_website(self) -> str:
        return self._clean_with("website")

    def clean_tags(self) -> list[str]:
        return [t.strip() for t in (self.cleaned_data.get("tags") or "").split(",") if t.strip()]

    def to_data(self) -> dict[str, Any]:
        """The form's values in the services' shape."""
        cd = self.cleaned_data
        data = {k: cd.get(k) for k in PERSONAL + COMPANY + OTHER if k != "responsible_agent"}
        agent = cd.get("responsible_agent")
        data["responsible_agent_id"] = agent.pk if agent else None
        data["roles"] = cd.get("roles") or []
        data["tags"] = cd.get("tags") or []
        return data


class EmailRowForm(forms.Form):
    value = forms.CharField(label=_("E-mail"), required=False, max_length=254)
    kind = forms.ChoiceField(label=_("kind"), choices=ContactEmail.Kind.choices, required=False)

    def clean_value(self) -> str:
        value = (self.cleaned_data.get("value") or "").strip()
        if value:
            try:
                return normalize.normalize_email(value)
            except ValidationError as exc:
                raise forms.ValidationError(exc.messages) from exc
        return value


class PhoneRowForm(forms.Form):
    value = forms.CharField(label=_("Phone"), required=False, max_length=40)
    kind = forms.ChoiceField(label=_("kind"), choices=ContactPhone.Kind.choices, required=False)

    def clean_value(self) -> str:
        value = (self.cleaned_data.get("value") or "").strip()
        if value:
            try:
                return normalize.normalize_phone(value)
            except ValidationError as exc:
                raise forms.ValidationError(exc.messages) from exc
        return value


EmailFormSet = forms.formset_factory(EmailRowForm, extra=1, max_num=20)
PhoneFormSet = forms.formset_factory(PhoneRowForm, extra=1, max_num=20)


def rows(formset: Any) -> list[dict[str, str]]:
    return [
        {"value": f.cleaned_data["value"], "kind": f.cleaned_data.get("kind") or ""}
        for f in formset.forms
        if f.cleaned_data.get("value")
    ]


class RelationshipForm(forms.Form):
    other = forms.IntegerField(label=_("Person"), widget=forms.Select(attrs={"data-contact-picker": ""}))
    kind = forms.ChoiceField(label=_("relationship"), choices=RelationshipKind.choices)
    label = forms.CharField(label=_("label"), required=False, max_length=50)
    inverse_label = forms.CharField(label=_("inverse label"), required=False, max_length=50)


class VCardUploadForm(forms.Form):
    file = forms.FileField(label=_("vCard file (.vcf)"))
