from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from maklerwerk.accounts.models import User
from maklerwerk.core.countries import country_choices
from maklerwerk.core.forms import model_choice_field
from maklerwerk.core.numbers import german_decimals
from maklerwerk.properties.choices import OBJECT_SUBTYPES, Feature, MarketingType, ObjectKind
from maklerwerk.properties.models import (
    MatchSettings,
    Property,
    PropertyContact,
    PropertyDocument,
    PropertyImage,
)

PROPERTY_SECTIONS: list[tuple[Any, list[str]]] = [
    (
        _("Basics"),
        [
            "external_id",
            "title",
            "object_kind",
            "object_subtype",
            "marketing_type",
            "usage",
            "status",
            "responsible_agent",
            "visibility",
            "viewers",
        ],
    ),
    (
        _("Address"),
        [
            "street",
            "house_number",
            "postal_code",
            "city",
            "district",
            "country",
            "show_address",  # coordinates are derived from the address (places.py), never typed
        ],
    ),
    (
        _("Prices"),
        [
            "purchase_price",
            "cold_rent",
            "warm_rent",
            "service_charges",
            "hausgeld",
            "deposit",
            "buyer_commission_text",
            "buyer_commission_percent",
            "commission_free",
        ],
    ),
    (
        _("Areas and rooms"),
        [
            "living_area",
            "usable_area",
            "plot_area",
            "rooms",
            "bedrooms",
            "bathrooms",
            "floor",
            "floors_total",
            "parking_spaces",
            "year_built",
            "condition",
            "vacancy",
            "vacant_from",
        ],
    ),
    (_("Features"), ["features"]),
    (
        _("Energy certificate (GEG)"),
        [
            "energy_certificate_status",
            "energy_building_type",
            "energy_certificate_type",
            "energy_value",
            "energy_hot_water_included",
            "energy_value_power",
            "energy_value_heat",
            "energy_class",
            "heating_type",
            "energy_carrier",
            "energy_building_year",
            "energy_issue_date",
            "energy_valid_until",
        ],
    ),
    (_("Texts"), ["description", "location_text", "features_text", "other_text"]),
    (_("Photos"), ["files"]),  # only when creating: one form for the property and its pictures
]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        # data-date: shown and typed as 15.01.2030 whatever the browser's language (static/maklerwerk/app.js).
        kwargs["attrs"] = {"data-date": "", **kwargs.get("attrs", {})}
        super().__init__(format="%Y-%m-%d", **kwargs)


def dash_blank_choices(form: Any) -> None:
    """Django 6.1's blank choice "- Select an option -" has no German translation yet: show "–"."""
    for field in form.fields.values():
        choices = getattr(field, "choices", None)
        if isinstance(field, forms.ChoiceField) and choices and choices[0][0] == "":
            field.choices = [("", "–"), *list(choices)[1:]]


def _office_users(office_id: int) -> Any:
    return User.objects.filter(office_id=office_id, is_active=True).order_by("last_name", "username")


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Several pictures in one input; checked as images by the service (one bad file, none saved)."""

    widget = MultipleImageInput(attrs={"accept": "image/jpeg,image/png,image/webp", "multiple": True})

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleImageField, self).clean(f, initial) for f in files if f]


class PropertyForm(forms.ModelForm):
    features = forms.MultipleChoiceField(
        label=_("Features"), choices=Feature.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    files = MultipleImageField(  # type: ignore[assignment]  # a declared field, not BaseForm.files
        label=_("Photos"),
        required=False,
        help_text=_(
            "Several at once (JPEG, PNG, WebP); the first is the title image. "
            "Sort them later on the property."
        ),
    )
    viewers = forms.ModelMultipleChoiceField(
        label=_("Also visible to"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Only for restricted visibility"),
    )

    class Meta:
        model = Property
        fields = [
            name for _label, names in PROPERTY_SECTIONS for name in names if name not in {"viewers", "files"}
        ]
        widgets = {
            "energy_issue_date": DateInput(),
            "vacant_from": DateInput(),
            "energy_valid_until": DateInput(),
            "description": forms.Textarea(attrs={"rows": 4}),
            "location_text": forms.Textarea(attrs={"rows": 3}),
            "features_text": forms.Textarea(attrs={"rows": 3}),
            "other_text": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(
        self,
        *args: Any,
        office_id: int,
        kennung_pattern: str = "",
        locked_by: list[str] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["files"]  # an existing property has its own image tab
        external_id = self.fields["external_id"]
        if locked_by:
            # Published: portals and their inquiries know the property by this id.
            external_id.disabled = True
            external_id.help_text = _("Locked: the property is published (%(where)s).") % {
                "where": ", ".join(locked_by)
            }
        elif kennung_pattern and not self.instance.pk:
            external_id.help_text = _("Suggested by the office pattern %(pattern)s; you may change it.") % {
                "pattern": kennung_pattern
            }
        model_choice_field(self, "responsible_agent").queryset = _office_users(office_id)
        model_choice_field(self, "viewers").queryset = _office_users(office_id)
        if self.instance.pk:
            self.initial["viewers"] = [v.user_id for v in self.instance.viewers.all()]
        # Names, never typed codes: "Deutschland" for DEU, "Maisonette" for MAISONETTE (grouped by kind;
        # static/properties/form.js shows only the chosen kind's group).
        self.fields["country"] = forms.ChoiceField(
            label=self.fields["country"].label, choices=country_choices(3), initial="DEU"
        )
        kinds = dict(ObjectKind.choices)
        self.fields["object_subtype"] = forms.ChoiceField(
            label=self.fields["object_subtype"].label,
            required=False,
            choices=[("", "–"), *((kinds[kind], rows) for kind, rows in OBJECT_SUBTYPES.items())],
            widget=forms.Select(attrs={"data-subtype-of": "id_object_kind"}),
        )
        dash_blank_choices(self)
        german_decimals(self)

    def sections(self) -> list[tuple[Any, list[forms.BoundField]]]:
        rows = [(label, [self[n] for n in names if n in self.fields]) for label, names in PROPERTY_SECTIONS]
        return [(label, fields) for label, fields in rows if fields]


class PropertyFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("all statuses")), *Property.Status.choices]
    )
    object_kind = forms.ChoiceField(
        label=_("Object kind"), required=False, choices=[("", _("all kinds")), *ObjectKind.choices]
    )
    marketing_type = forms.ChoiceField(
        label=_("Marketing type"),
        required=False,
        choices=[("", _("sale and rent")), *MarketingType.choices],
    )


class ImageEditForm(forms.ModelForm):
    class Meta:
        model = PropertyImage
        fields = ["caption", "kind"]


class DocumentForm(forms.ModelForm):
    class Meta:
        model = PropertyDocument
        fields = ["file", "title", "kind", "protected"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["title"].required = False


class PropertyContactForm(forms.Form):
    contact = forms.IntegerField(label=_("Contact"), widget=forms.Select(attrs={"data-contact-search": ""}))
    role = forms.ChoiceField(label=_("Role"), choices=PropertyContact.Role.choices)
    interest_status = forms.ChoiceField(
        label=_("Interest status"),
        required=False,
        choices=[("", "–"), *PropertyContact.InterestStatus.choices],
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=300)


class MatchSettingsForm(forms.ModelForm):
    class Meta:
        model = MatchSettings
        fields = ["price_tolerance_percent", "area_tolerance_percent", "rooms_tolerance", "kennung_pattern"]
