from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maklerwerk.accounts.models import User
from maklerwerk.appointments.models import Appointment, ViewingSlot
from maklerwerk.appointments.series import SeriesRule
from maklerwerk.contacts.models import Contact
from maklerwerk.core.forms import LocalDateTimeInput, PickerSelect, PickerSelectMultiple, model_choice_field
from maklerwerk.properties.selectors import visible_properties

if TYPE_CHECKING:
    from maklerwerk.contacts.models import Contact
    from maklerwerk.properties.models import Property


class AppointmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Appointment.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    starts_at = forms.DateTimeField(label=_("Start"), widget=LocalDateTimeInput())
    ends_at = forms.DateTimeField(label=_("End"), widget=LocalDateTimeInput())
    all_day = forms.BooleanField(label=_("All day"), required=False)
    responsible: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        label=_("Responsible"), queryset=None, required=False
    )
    users: forms.ModelMultipleChoiceField[User] = forms.ModelMultipleChoiceField(
        label=_("Colleagues attending"),
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),  # the office's users: a short list, all shown
        error_messages={"invalid_choice": _("Unknown user."), "invalid_pk_value": _("Unknown user.")},
    )
    property: forms.ModelChoiceField[Property] = forms.ModelChoiceField(
        label=_("Property"),
        queryset=None,
        required=False,
        widget=PickerSelect,
        error_messages={"invalid_choice": _("Unknown property.")},
    )
    contacts: forms.ModelMultipleChoiceField[Contact] = forms.ModelMultipleChoiceField(
        label=_("Contacts"),
        queryset=None,
        required=False,
        widget=PickerSelectMultiple,
        error_messages={"invalid_choice": _("Unknown contact."), "invalid_pk_value": _("Unknown contact.")},
    )
    location = forms.CharField(
        label=_("Location"), max_length=300, required=False, help_text=_("Empty: the property's address")
    )
    video_url = forms.URLField(
        label=_("Live viewing link"),
        max_length=1000,
        required=False,
        assume_scheme="https",
        help_text=_("Online viewing: the tour provider's live session or any video room"),
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:

        super().__init__(*args, **kwargs)
        colleagues = User.objects.filter(office=user.office_id, is_active=True)
        colleagues = colleagues.order_by("last_name", "username")
        model_choice_field(self, "responsible").queryset = colleagues
        model_choice_field(self, "users").queryset = colleagues
        model_choice_field(self, "contacts").queryset = Contact.objects.filter(office=user.office_id)
        model_choice_field(self, "property").queryset = visible_properties(user)
        self.fields["contacts"].widget.attrs.update(
            {"data-picker": "", "data-lookup-url": reverse("contacts:lookup") + "?exclude=",
             "placeholder": _("Type a name, company or phone number")}
        )  # fmt: skip
        self.fields["property"].widget.attrs.update(
            {"data-picker": "", "data-lookup-url": reverse("core:property_lookup") + "?",
             "placeholder": _("Type a Kennung, title or city")}
        )  # fmt: skip

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("starts_at"), data.get("ends_at")
        if start and end and end <= start:
            self.add_error("ends_at", _("The end must be after the start."))
        return data

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        prop = data.get("property")
        return {
            "kind": data["kind"],
            "title": data["title"],
            "starts_at": data["starts_at"],
            "ends_at": data["ends_at"],
            "responsible": data.get("responsible"),
            "property_id": prop.pk if prop else None,
            "contact_ids": [c.pk for c in data.get("contacts") or []],
            "user_ids": [u.pk for u in data.get("users") or []],
            "all_day": bool(data.get("all_day")),
            "location": data["location"],
            "notes": data["notes"],
            "video_url": data.get("video_url") or "",
        }


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (Appointment.Status.DONE, _("took place")),
            (Appointment.Status.NO_SHOW, _("did not show up")),
            (Appointment.Status.CANCELLED, _("called off")),
        ],
    )
    feedback = forms.CharField(
        label=_("Feedback"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


def _next_saturday() -> dt.date:
    today = timezone.localdate()
    return today + dt.timedelta(days=(5 - today.weekday()) % 7 or 7)


class SeriesForm(forms.Form):
    first_day = forms.DateField(
        label=_("First day"), widget=forms.DateInput(attrs={"type": "date"}), initial=_next_saturday
    )
    start = forms.TimeField(
        label=_("From"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"), initial="10:00"
    )
    end = forms.TimeField(
        label=_("Until"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"), initial="12:00"
    )
    minutes = forms.IntegerField(label=_("Minutes per slot"), min_value=5, max_value=1440, initial=20)
    weeks = forms.IntegerField(label=_("Weeks"), min_value=1, max_value=52, initial=1)
    capacity = forms.IntegerField(
        label=_("Seats per slot"),
        min_value=1,
        max_value=100,
        initial=1,
        help_text=_("1 = individual viewing"),
    )
    mode = forms.ChoiceField(label=_("Mode"), choices=ViewingSlot.Mode.choices)
    booking_mode = forms.ChoiceField(
        label=_("Booking"),
        choices=ViewingSlot.Booking.choices,
        initial=ViewingSlot.Booking.DIRECT,
        required=False,
    )
    location = forms.CharField(
        label=_("Meeting point"), max_length=300, required=False, help_text=_("Empty: the property's address")
    )
    visible_from = forms.DateTimeField(
        label=_("Bookable from"), required=False, widget=LocalDateTimeInput(), help_text=_("Empty: now")
    )
    visible_until = forms.DateTimeField(
        label=_("Bookable until"),
        required=False,
        widget=LocalDateTimeInput(),
        help_text=_("Empty: until the slot begins"),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        start, end = self.cleaned_data.get("visible_from"), self.cleaned_data.get("visible_until")
        if start and end and end <= start:
            self.add_error("visible_until", _("“Bookable until” must be after “bookable from”."))
        return self.cleaned_data

    def rule(self) -> SeriesRule:
        d = self.cleaned_data
        return SeriesRule(
            first_day=d["first_day"], start=d["start"], end=d["end"], minutes=d["minutes"], weeks=d["weeks"]
        )
