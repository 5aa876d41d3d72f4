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


class FtpDropForm(forms.Form):
    host = forms.CharField(label=_("FTP server"), max_length=200)
    port = forms.IntegerField(label=_("Port"), initial=21, min_value=1, max_value=65535)
    username = forms.CharField(label=_("User name"), max_length=100)
    password = forms.CharField(
        label=_("Password"), required=False, widget=forms.PasswordInput,
        help_text=_("Leave empty to keep the stored password."),
    )  # fmt: skip
    folder = forms.CharField(label=_("Folder"), max_length=200, required=False)
    tls = forms.BooleanField(label=_("FTPS (TLS)"), required=False)
    commit = forms.BooleanField(
        label=_("Import at once (without stopping after the dry run)"), required=False, initial=True
    )
