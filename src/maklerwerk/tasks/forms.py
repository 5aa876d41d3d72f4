from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from maklerwerk.accounts.models import User

if TYPE_CHECKING:
    from maklerwerk.contacts.models import Contact
    from maklerwerk.properties.models import Property
from maklerwerk.contacts.models import Contact
from maklerwerk.core.forms import LocalDateTimeInput, PickerSelect, model_choice_field
from maklerwerk.properties.models import Property
from maklerwerk.tasks.models import Task
from maklerwerk.tasks.services import TaskFields


class TaskForm(forms.ModelForm):
    due_at = forms.DateTimeField(
        label=_("Due"),
        required=False,
        widget=LocalDateTimeInput(),
    )
    contact: forms.ModelChoiceField[Contact] = forms.ModelChoiceField(
        label=_("Contact"),
        queryset=None,
        required=False,
        widget=PickerSelect,
        error_messages={"invalid_choice": _("Unknown contact.")},
    )
    property: forms.ModelChoiceField[Property] = forms.ModelChoiceField(
        label=_("Property"),
        queryset=None,
        required=False,
        widget=PickerSelect,
        error_messages={"invalid_choice": _("Unknown property.")},
    )

    class Meta:
        model = Task
        fields = ["title", "assignee", "due_at", "priority", "contact", "property", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, office_id: int, user: Any = None, **kwargs: Any) -> None:

        super().__init__(*args, **kwargs)
        model_choice_field(self, "assignee").queryset = User.objects.filter(
            office_id=office_id, is_active=True
        ).order_by("last_name", "username")
        self.fields["priority"].required = False  # empty means normal
        model_choice_field(self, "contact").queryset = Contact.objects.filter(office_id=office_id)
        properties = Property.objects.filter(office_id=office_id)
        model_choice_field(self, "property").queryset = (
            properties.visible_to(user) if user is not None else properties
        )
        self.fields["contact"].widget.attrs.update(
            {"data-picker": "", "data-lookup-url": reverse("contacts:lookup") + "?exclude=",
             "placeholder": _("Type a name, company or phone number")}
        )  # fmt: skip
        self.fields["property"].widget.attrs.update(
            {"data-picker": "", "data-lookup-url": reverse("core:property_lookup") + "?",
             "placeholder": _("Type a Kennung, title or city")}
        )  # fmt: skip

    def service_kwargs(self) -> TaskFields:
        data = self.cleaned_data
        contact, prop = data["contact"], data["property"]
        return TaskFields(
            title=data["title"],
            assignee=data["assignee"],
            due_at=data["due_at"],
            priority=data.get("priority") or Task.Priority.NORMAL,
            description=data["description"],
            contact_id=contact.pk if contact else None,
            property_id=prop.pk if prop else None,
        )
