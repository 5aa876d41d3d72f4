from __future__ import annotations

from django import forms

from maklerwerk.duplicates.models import DuplicateSettings


class ThresholdForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = DuplicateSettings
        fields = ["certain_threshold", "possible_threshold"]
        widgets = {
            "certain_threshold": forms.NumberInput(attrs={"step": "0.01", "min": "0.05", "max": "1"}),
            "possible_threshold": forms.NumberInput(attrs={"step": "0.01", "min": "0.05", "max": "1"}),
        }
