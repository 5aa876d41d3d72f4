"""The user's calendar subscription (iCal feed) and the office's reminder settings."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from maklerwerk.accounts.http import AuthedRequest
from maklerwerk.accounts.permissions import require_capability
from maklerwerk.accounts.roles import Capability
from maklerwerk.appointments import feed, reminders
from maklerwerk.appointments.models import AppointmentSettings


@require_capability(Capability.VIEW)
@require_http_methods(["GET", "POST"])
def feed_page(request: AuthedRequest) -> HttpResponse:
    """Create, rotate or revoke the personal feed; the URL is shown once, right after creating it."""
    url = ""
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            feed.feed_revoke(user=request.user)
            messages.success(
                request, _("The calendar subscription is switched off; the old address is void.")
            )
            return redirect("appointments:feed")
        url = feed.feed_create(user=request.user, office=request.office)
    context = {
        "current": feed.feed_of(request.user),
        "url": url,
        "webcal": feed.webcal_url(url) if url else "",
    }
    return render(request, "appointments/feed.html", context)


class SettingsForm(forms.ModelForm):
    class Meta:
        model = AppointmentSettings
        fields = [
            "first_reminder_hours",
            "second_reminder_hours",
            "remind_agents",
            "remind_contacts",
            "agenda_enabled",
            "agenda_time",
            "privacy_text",
        ]
        widgets = {
            "agenda_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "privacy_text": forms.Textarea(attrs={"rows": 5}),
        }


@require_capability(Capability.MANAGE_OFFICE)
@require_http_methods(["GET", "POST"])
def settings_page(request: AuthedRequest) -> HttpResponse:
    cfg = reminders.settings_for(request.office)
    form = SettingsForm(request.POST or None, instance=AppointmentSettings.objects.get(pk=cfg.pk))
    if request.method == "POST" and form.is_valid():
        try:
            reminders.settings_save(office=request.office, acting_user=request.user, values=form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("Settings saved."))
            return redirect("appointments:settings")
    return render(request, "appointments/settings.html", {"form": form})
