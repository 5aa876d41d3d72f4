"""Forms of search profiles: the agent's form and the contact's self-service form."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils.translation import gettext_lazy as _

from maklerwerk.core.numbers import german_decimals
from maklerwerk.matching.models import SearchProfile
from maklerwerk.properties.choices import Feature, ObjectKind
from maklerwerk.properties.forms import DateInput, dash_blank_choices
from maklerwerk.properties.places import locate_text, place_name_near


def _split_list(value: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,;\n]+", value or "") if part.strip()]


# The mixin is used with ModelForms only; the checker sees that base, Python sees a plain mixin.
if TYPE_CHECKING:
    _ModelFormBase = forms.ModelForm
else:
    _ModelFormBase = object


class _PlacesMixin(_ModelFormBase):
    """Postal codes and places are typed as comma-separated text and stored as lists."""

    def _init_places(self) -> None:
        instance = self.instance
        self.initial["postal_codes"] = ", ".join(instance.postal_codes or [])
        self.initial["cities"] = ", ".join(instance.cities or [])
        dash_blank_choices(self)

    def clean_postal_codes(self) -> list[str]:
        codes = _split_list(self.cleaned_data.get("postal_codes", ""))
        bad = [c for c in codes if not (c.isdigit() and len(c) <= 5)]
        if bad:
            raise forms.ValidationError(_("Not a postal code: %(codes)s") % {"codes": ", ".join(bad)})
        return codes

    def clean_cities(self) -> list[str]:
        return _split_list(self.cleaned_data.get("cities", ""))


class SearchProfileForm(_PlacesMixin, forms.ModelForm):
    object_kinds = forms.MultipleChoiceField(
        label=_("Object kinds"),
        choices=ObjectKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    features = forms.MultipleChoiceField(
        label=_("Required features"),
        choices=Feature.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    postal_codes = forms.CharField(
        label=_("Postal codes"), required=False, help_text=_("Separated by commas, e.g. 60318, 60320")
    )
    cities = forms.CharField(
        label=_("Cities or districts"), required=False, help_text=_("Separated by commas")
    )
    radius_centre = forms.CharField(
        label=_("Around"),
        required=False,
        max_length=100,
        help_text=_("Postal code or place, e.g. 50667 or Köln"),
    )

    class Meta:
        model = SearchProfile
        fields = [
            "name",
            "marketing_type",
            "object_kinds",
            "object_kinds_must",
            "price_min",
            "price_max",
            "price_must",
            "living_area_min",
            "living_area_max",
            "living_area_must",
            "rooms_min",
            "rooms_max",
            "rooms_must",
            "plot_area_min",
            "plot_area_must",
            "postal_codes",
            "cities",
            "radius_km",
            "latitude",
            "longitude",
            "features",
            "features_must",
            "year_built_min",
            "year_built_must",
            "energy_class_worst",
            "energy_class_must",
            "valid_until",
            "active",
            "notes",
        ]
        widgets = {
            "valid_until": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._init_places()
        german_decimals(self)
        # Agents name the centre ("50667", "Köln"); the point is looked up offline (places.py) and
        # never typed. The fields stay in Meta so that clean() hands the point on with the rest.
        del self.fields["latitude"], self.fields["longitude"]
        latitude, longitude = self.instance.latitude, self.instance.longitude
        if latitude is not None and longitude is not None:
            self.initial["radius_centre"] = place_name_near(float(latitude), float(longitude))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        cleaned["latitude"], cleaned["longitude"] = self.instance.latitude, self.instance.longitude
        centre = (cleaned.get("radius_centre") or "").strip()
        if centre and centre == (self.initial.get("radius_centre") or ""):
            return cleaned  # unchanged: keep the stored point (it may come from the API)
        if not centre:
            cleaned["latitude"] = cleaned["longitude"] = None
            if cleaned.get("radius_km") is not None:
                self.add_error("radius_centre", _("Name the centre of the radius: a postal code or a place."))
            return cleaned
        found = locate_text(centre)
        if found is None:
            self.add_error(
                "radius_centre",
                _("“%(place)s” is not a German postal code or place we know. Try the postal code.")
                % {"place": centre},
            )
            return cleaned
        cleaned["latitude"], cleaned["longitude"] = found[0].latitude, found[0].longitude
        if cleaned.get("radius_km") is None:
            self.add_error("radius_km", _("How many kilometres around %(place)s?") % {"place": found[1]})
        return cleaned

    def rows(self) -> list[tuple[Any, list[str], str | None]]:
        """(label, range fields, must field) for the criteria table of the form."""
        return [
            (_("Object kinds"), ["object_kinds"], "object_kinds_must"),
            (_("Price (€)"), ["price_min", "price_max"], "price_must"),
            (_("Living area (m²)"), ["living_area_min", "living_area_max"], "living_area_must"),
            (_("Rooms"), ["rooms_min", "rooms_max"], "rooms_must"),
            (_("Plot area (m²)"), ["plot_area_min"], "plot_area_must"),
            (_("Required features"), ["features"], "features_must"),
            (_("Year built"), ["year_built_min"], "year_built_must"),
            (_("Energy class"), ["energy_class_worst"], "energy_class_must"),
        ]


class SelfServiceForm(_PlacesMixin, forms.ModelForm):
    """What a contact may edit about their own search (no must/wish, no coordinates)."""

    object_kinds = forms.MultipleChoiceField(
        label=_("What are you looking for?"),
        choices=ObjectKind.choices[:3],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    features = forms.MultipleChoiceField(
        label=_("Must have"),
        choices=Feature.choices[:10],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    postal_codes = forms.CharField(
        label=_("Postal codes"), required=False, help_text=_("Separated by commas")
    )
    cities = forms.CharField(
        label=_("Cities or districts"), required=False, help_text=_("Separated by commas")
    )

    class Meta:
        model = SearchProfile
        fields = [
            "marketing_type",
            "object_kinds",
            "price_min",
            "price_max",
            "living_area_min",
            "rooms_min",
            "plot_area_min",
            "postal_codes",
            "cities",
            "features",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}
        labels = {"notes": _("Anything else we should know?")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._init_places()
        german_decimals(self)
