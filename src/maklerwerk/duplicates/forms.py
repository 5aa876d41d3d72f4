from __future__ import annotations

from typing import Any

from django import forms

from maklerwerk.duplicates.models import DuplicateSettings


class ThresholdForm(forms.ModelForm):
    """The office's duplicate settings: the two thresholds and the intake policy per source."""

    class Meta:
        model = DuplicateSettings
        fields = ["certain_threshold", "possible_threshold", "import_policy", "inquiry_policy"]
        widgets = {
            "certain_threshold": forms.NumberInput(attrs={"step": "0.01", "min": "0.05", "max": "1"}),
            "possible_threshold": forms.NumberInput(attrs={"step": "0.01", "min": "0.05", "max": "1"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("import_policy", "inquiry_policy"):
            self.fields[name].required = False  # left out (older clients, scripts): unchanged
