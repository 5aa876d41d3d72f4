"""Forms of the core app: logging an activity (call, note, viewing, meeting, letter)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maklerwerk.contacts.models import Contact
from maklerwerk.core.models import Activity
from maklerwerk.properties.models import Property

if TYPE_CHECKING:
    from maklerwerk.contacts.models import Contact
    from maklerwerk.properties.models import Property


def model_choice_field(form: forms.BaseForm, name: str) -> forms.ModelChoiceField[Any]:
    """`form.fields[name]` as the ModelChoiceField it was declared as (the stubs know only `Field`)."""
    return cast("forms.ModelChoiceField[Any]", form.fields[name])


def choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """`form.fields[name]` as the ChoiceField it was declared as (the stubs know only `Field`)."""
    return cast(forms.ChoiceField, form.fields[name])


def _chosen_choices(choices: Any, value: list[Any]) -> list[tuple[str, str]]:
    """Only the chosen options, in the order chosen; a model field loads just those rows."""
    chosen = [str(v) for v in value if v not in (None, "")]
    queryset = getattr(choices, "queryset", None)
    if queryset is None:
        by_id = {str(c[0]): c for c in choices}
        return [by_id[v] for v in chosen if v in by_id]
    objs = {str(o.pk): o for o in queryset.filter(pk__in=[v for v in chosen if v.isdigit()])}
    return [(v, choices.field.label_from_instance(objs[v])) for v in chosen if v in objs]


class LocalDateTimeInput(forms.DateTimeInput):
    """Date and time in the browser's picker (flatpickr takes over via data-date)."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(
            attrs={"type": "datetime-local", "data-date": "time", **(attrs or {})}, format="%Y-%m-%dT%H:%M"
        )


class PickerSelect(forms.Select):
    """A select filled by the browser as you type (Tom Select); renders only the chosen option,
    never the whole table."""

    def optgroups(self, name: str, value: list[Any], attrs: dict[str, Any] | None = None) -> Any:
        self.choices = [("", ""), *_chosen_choices(self.choices, value)]
        return super().optgroups(name, value, attrs)


class PickerSelectMultiple(forms.SelectMultiple):
    def optgroups(self, name: str, value: list[Any], attrs: dict[str, Any] | None = None) -> Any:
        self.choices = _chosen_choices(self.choices, value)
        return super().optgroups(name, value, attrs)


class ActivityForm(forms.Form):
    type = forms.ChoiceField(label=_("Kind"))
    occurred_at = forms.DateTimeField(
        label=_("When"),
        widget=LocalDateTimeInput(),
    )
    contacts: forms.ModelMultipleChoiceField[Contact] = forms.ModelMultipleChoiceField(
        label=_("Contacts"),
        queryset=None,
        required=False,
        widget=PickerSelectMultiple,
        error_messages={"invalid_choice": _("Unknown contact."), "invalid_pk_value": _("Unknown contact.")},
        help_text=_("The first is the main contact; add the partner at a viewing and so on."),
    )
    property: forms.ModelChoiceField[Property] = forms.ModelChoiceField(
        label=_("Property"),
        queryset=None,
        required=False,
        widget=PickerSelect,
        error_messages={"invalid_choice": _("Unknown property.")},
    )
    subject = forms.CharField(
        label=_("Subject"),
        max_length=300,
        required=False,
        help_text=_("Leave empty to use the first line of the text."),
    )
    body = forms.CharField(label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 5}))

    def __init__(self, *args: Any, user: Any, activity: Activity | None = None, **kwargs: Any) -> None:

        super().__init__(*args, **kwargs)
        types: list[tuple[str, Any]] = [(t.value, t.label) for t in Activity.MANUAL_TYPES]
        if activity is not None and activity.type not in Activity.MANUAL_TYPES:
            types.append((activity.type, activity.get_type_display()))
        choice_field(self, "type").choices = types
        model_choice_field(self, "contacts").queryset = Contact.objects.filter(office_id=user.office_id)
        model_choice_field(self, "property").queryset = Property.objects.filter(
            office_id=user.office_id
        ).visible_to(user)
        self.fields["contacts"].widget.attrs.update(
            {
                "data-picker": "",
                "data-lookup-url": reverse("contacts:lookup") + "?exclude=",
                "placeholder": _("Type a name, company or phone number"),
            }
        )
        self.fields["property"].widget.attrs.update(
            {
                "data-picker": "",
                "data-lookup-url": reverse("core:property_lookup") + "?",
                "placeholder": _("Type a Kennung, title or city"),
            }
        )
        if not self.is_bound and "occurred_at" not in self.initial:
            self.initial["occurred_at"] = timezone.localtime().replace(second=0, microsecond=0)

    def clean_contacts(self) -> list[Any]:
        picked = self.cleaned_data["contacts"]
        posted = self.data.getlist(self.add_prefix("contacts")) if self.is_bound else []  # type: ignore[attr-defined]  # a QueryDict
        order = [str(v) for v in posted]
        return sorted(picked, key=lambda c: order.index(str(c.pk)) if str(c.pk) in order else len(order))

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not (data.get("subject") or "").strip() and not (data.get("body") or "").strip():
            self.add_error("body", _("Please write what happened (a subject or a text)."))
        return data

    def service_kwargs(self) -> dict[str, Any]:
        """The cleaned values as the keyword arguments of activity_create / activity_update."""
        data = self.cleaned_data
        contacts = list(data["contacts"])
        return {
            "type": data["type"],
            "occurred_at": data["occurred_at"],
            "subject": data["subject"],
            "body": data["body"],
            "contact_id": contacts[0].pk if contacts else None,
            "further_contact_ids": [c.pk for c in contacts[1:]],
            "property_id": data["property"].pk if data["property"] else None,
        }

    @classmethod
    def initial_for(cls, activity: Activity) -> dict[str, Any]:
        contacts = ([activity.contact_id] if activity.contact_id else []) + [
            c.pk for c in activity.further_contacts.all()
        ]
        return {
            "type": activity.type,
            "occurred_at": timezone.localtime(activity.occurred_at).replace(second=0, microsecond=0),
            "contacts": contacts,
            "property": activity.property_id,
            "subject": activity.subject,
            "body": activity.body,
        }


class TimelineFilterForm(forms.Form):
    type = forms.ChoiceField(label=_("Kind"), required=False)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    q = forms.CharField(label=_("Search text"), required=False, max_length=100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "type").choices = [("", _("All kinds")), *Activity.Type.choices]
