from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from maklerwerk.imports.models import ImportMapping, SourceSystem


class CsvUploadForm(forms.Form):
    file = forms.FileField(label=_("CSV file"))
    source_system = forms.ChoiceField(
        label=_("Old system"), choices=SourceSystem.choices, initial=SourceSystem.OTHER
    )
    mapping = forms.ModelChoiceField(
        label=_("Saved mapping"),
        queryset=ImportMapping.objects.none(),
        required=False,
        empty_label=_("– suggest from the column names –"),
    )

    def __init__(self, *args: Any, mappings: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if mappings is not None:
            self.fields["mapping"].queryset = mappings


class OpenImmoUploadForm(forms.Form):
    file = forms.FileField(label=_("OpenImmo file (.zip or .xml)"))
