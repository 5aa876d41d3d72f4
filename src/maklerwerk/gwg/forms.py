"""Forms of the GwG pages. They only collect and parse; the services decide (and check the permission)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from maklerwerk.core.countries import country_choices
from maklerwerk.gwg.models import (
    BeneficialOwner,
    GwgCase,
    Identification,
    Party,
    RiskAssessment,
    SuspicionNote,
)


def _date() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CaseForm(forms.ModelForm):
    property_id = forms.TypedChoiceField(label=_("Property"), required=False, coerce=int, empty_value=None)

    class Meta:
        model = GwgCase
        fields = ["kind", "price", "monthly_rent"]

    def __init__(self, *args: Any, properties: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["property_id"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "–"), *(properties or [])]
        self.order_fields(["kind", "property_id", "price", "monthly_rent"])


class PartyForm(forms.ModelForm):
    contact_id = forms.TypedChoiceField(label=_("Contact"), required=False, coerce=int, empty_value=None)

    class Meta:
        model = Party
        fields = ["role", "person_kind", "name", "legal_form", "register_number", "seat", "representatives"]
        widgets = {"representatives": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, contacts: list[tuple[int, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["contact_id"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("– no contact (enter the name) –")), *(contacts or [])]
        self.fields["name"].required = False
        self.order_fields(["role", "contact_id", "person_kind", "name"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("contact_id") and not data.get("name"):
            self.add_error("name", _("Choose a contact or enter the name."))
        return data


class IdentificationForm(forms.ModelForm):
    nationality = forms.ChoiceField(label=_("nationality"))

    class Meta:
        model = Identification
        fields = [
            "first_names",
            "last_name",
            "birth_date",
            "birth_place",
            "nationality",
            "address",
            "id_type",
            "id_number",
            "issuing_authority",
            "valid_until",
            "method",
            "identified_on",
        ]
        widgets = {"birth_date": _date(), "valid_until": _date(), "identified_on": _date()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["nationality"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "–"), *country_choices(2)]

    def _post_clean(self) -> None:
        # The service validates the model (and the document number); the form only parses.
        pass


class IdCopyForm(forms.Form):
    file = forms.FileField(label=_("Copy of the ID document (PDF, JPEG or PNG)"))


class ExtractForm(forms.Form):
    file = forms.FileField(label=_("Transparency Register extract (PDF)"))
    checked_on = forms.DateField(label=_("checked on"), widget=_date())


class BeneficialOwnerForm(forms.ModelForm):
    nationality = forms.ChoiceField(label=_("nationality"), required=False)

    class Meta:
        model = BeneficialOwner
        fields = ["name", "birth_date", "nationality", "address", "share", "nature", "checked_on"]
        widgets = {"birth_date": _date(), "checked_on": _date()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["nationality"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "–"), *country_choices(2)]

    def _post_clean(self) -> None:
        pass


class RiskForm(forms.ModelForm):
    class Meta:
        model = RiskAssessment
        fields = [
            "pep",
            "pep_source",
            "high_risk_country",
            "cash",
            "unusual_price",
            "other_factors",
            "result",
            "reasoning",
            "source_of_funds",
        ]
        widgets = {
            "other_factors": forms.Textarea(attrs={"rows": 2}),
            "reasoning": forms.Textarea(attrs={"rows": 3}),
            "source_of_funds": forms.Textarea(attrs={"rows": 2}),
        }

    def _post_clean(self) -> None:
        pass


class NoteForm(forms.ModelForm):
    class Meta:
        model = SuspicionNote
        fields = ["facts", "decision", "reasons", "reported_on", "report_reference"]
        widgets = {
            "facts": forms.Textarea(attrs={"rows": 3}),
            "reasons": forms.Textarea(attrs={"rows": 2}),
            "reported_on": _date(),
        }

    def _post_clean(self) -> None:
        pass


class CloseForm(forms.Form):
    ended_on = forms.DateField(label=_("relationship ended on"), widget=_date())


class RiskAnalysisForm(forms.Form):
    text = forms.CharField(label=_("risk analysis"), widget=forms.Textarea(attrs={"rows": 18}))
    review_due = forms.DateField(label=_("review due on"), widget=_date())
