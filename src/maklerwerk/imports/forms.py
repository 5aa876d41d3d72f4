from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from maklerwerk.core.forms import model_choice_field
from maklerwerk.imports.mapping import KIND_LABELS
from maklerwerk.imports.models import ImportMapping, SourceSystem


class CsvUploadForm(forms.Form):
    file = forms.FileField(label=_("CSV file"))
    kind = forms.ChoiceField(label=_("Content"), choices=list(KIND_LABELS.items()), initial="contacts")
    source_system = forms.ChoiceField(
        label=_("Old system"), choices=SourceSystem.choices, initial=SourceSystem.OTHER
    )
    mapping: forms.ModelChoiceField[ImportMapping] = forms.ModelChoiceField(
        label=_("Saved mapping"),
        queryset=ImportMapping.objects.none(),
        required=False,
        empty_label=_("– suggest from the column names –"),
    )

    def __init__(self, *args: Any, mappings: QuerySet[ImportMapping] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if mappings is not None:
            model_choice_field(self, "mapping").queryset = mappings


class OpenImmoUploadForm(forms.Form):
    file = forms.FileField(label=_("OpenImmo file (.zip or .xml)"))


class VCardUploadForm(forms.Form):
    file = forms.FileField(label=_("vCard file (.vcf)"))
