from __future__ import annotations

from django.contrib import messages
from django.db import models
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from maklerwerk.accounts import services
from maklerwerk.accounts.forms import ApiTokenForm, OfficeForm, UserCreateForm, UserRoleForm
from maklerwerk.accounts.http import AuthedRequest
from maklerwerk.accounts.models import ApiToken, User
from maklerwerk.accounts.permissions import require_capability
from maklerwerk.accounts.roles import Capability, Role
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.core.history import history_for
from maklerwerk.core.history_display import history_rows
from maklerwerk.core.jobs import job_start


def _history_rows(instance: models.Model) -> list[dict[str, object]]:
    return history_rows(history_for(instance)[:100])


# Settings pages that live in other apps; an entry whose URL does not exist (yet) is left out.
SETTINGS_LINKS = [
    (
        "two_factor",
        gettext_lazy("Two-factor login"),
        gettext_lazy("Codes from an authenticator app, recovery codes"),
        "ti-shield-check",
    ),
    (
        "mailing:template_list",
        gettext_lazy("Mail and letter templates"),
        gettext_lazy("Placeholders, default texts, field catalogue"),
        "ti-mail",
    ),
    (
        "mailing:smtp_settings",
        gettext_lazy("My SMTP account"),
        gettext_lazy("Send offers from your own mailbox"),
        "ti-server",
    ),
    (
        "mailsync:accounts",
        gettext_lazy("My mailbox"),
        gettext_lazy("Archive mails with your contacts; sent mails into your sent folder"),
        "ti-mailbox",
    ),
    (
        "davsync:accounts",
        gettext_lazy("Address book & calendar"),
        gettext_lazy("Sync contacts and appointments with your phone (CardDAV, CalDAV)"),
        "ti-address-book",
    ),
    (
        "exposes:template_list",
        gettext_lazy("Exposé layouts"),
        gettext_lazy("The office's own exposé designs"),
        "ti-file-type-pdf",
    ),
    (
        "inquiries:mailboxes",
        gettext_lazy("Inquiry mailboxes"),
        gettext_lazy("IMAP mailboxes the inquiry manager reads"),
        "ti-inbox",
    ),
    (
        "inquiries:settings",
        gettext_lazy("Inquiry manager"),
        gettext_lazy("Double opt-in, exposé template, exceptions"),
        "ti-robot",
    ),
    (
        "portals:index",
        gettext_lazy("Portals"),
        gettext_lazy("OpenImmo FTP portals and ImmobilienScout24: accounts and transfer log"),
        "ti-world-upload",
    ),
    (
        "privacy:inactive",
        gettext_lazy("Inactive prospects"),
        gettext_lazy("Deletion after a period without activity: period and review list"),
        "ti-user-x",
    ),
    (
        "duplicates:index",
        gettext_lazy("Duplicate check"),
        gettext_lazy("Thresholds and duplicate groups"),
        "ti-copy",
    ),
]


def _settings_links() -> list[dict[str, object]]:
    links: list[dict[str, object]] = []
    for name, label, help_text, icon in SETTINGS_LINKS:
        try:
            links.append({"url": reverse(name), "label": label, "help": help_text, "icon": icon})
        except NoReverseMatch:
            continue
    return links


@require_capability(Capability.VIEW)
@require_http_methods(["GET", "POST"])
def settings_view(request: AuthedRequest) -> HttpResponse:
    office = request.office
    user = request.user
    can_manage = user.can(Capability.MANAGE_OFFICE)
    form = OfficeForm(instance=office)
    if request.method == "POST":
        if not can_manage:
            messages.error(request, _("Your role may not change the office settings."))
            return redirect("settings")
        form = OfficeForm(request.POST, request.FILES, instance=office)
        if form.is_valid():
            services.office_update(office=office, acting_user=user, data=form.cleaned_data)
            messages.success(request, _("Office settings saved."))
            return redirect("settings")
        messages.error(request, _("Please correct the marked fields."))
    context = {
        "settings_links": _settings_links(),
        "form": form,
        "can_manage": can_manage,
        "token_form": ApiTokenForm(),
        "tokens": ApiToken.objects.filter(user=user),
        "users": office.users.order_by("last_name", "username"),
        "can_manage_users": user.can(Capability.MANAGE_USERS),
        "roles": Role.choices,
        "history": _history_rows(office),
        "new_token": request.session.pop("new_api_token", None),
        "two_factor_users": set(
            TOTPDevice.objects.filter(user__office=office, confirmed=True).values_list("user_id", flat=True)
        ),
    }
    return render(request, "accounts/settings.html", context)


@require_capability(Capability.MANAGE_USERS)
@require_http_methods(["GET", "POST"])
def user_create_view(request: AuthedRequest) -> HttpResponse:
    office = request.office
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = services.user_create(office=office, acting_user=request.user, **data)
        messages.success(request, _("User %(name)s was created.") % {"name": user})
        return redirect("/settings/#users")
    return render(request, "accounts/user_form.html", {"form": form})


@require_capability(Capability.MANAGE_USERS)
@require_POST
def user_role_view(request: AuthedRequest, user_id: int) -> HttpResponse:
    office = request.office
    target = get_object_or_404(User, pk=user_id, office=office)
    form = UserRoleForm(request.POST)
    if form.is_valid():
        try:
            services.user_update_role(
                user=target,
                role=form.cleaned_data["role"],
                is_active=form.cleaned_data["is_active"],
                acting_user=request.user,
            )
            messages.success(request, _("Changes to %(name)s saved.") % {"name": target})
        except ApplicationError as exc:
            messages.error(request, exc.message)
    return redirect("/settings/#users")


@require_capability(Capability.VIEW)
@require_POST
def token_create_view(request: AuthedRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        _token, plain = services.api_token_create(
            user=request.user,
            name=form.cleaned_data["name"],
            scope=form.cleaned_data["scope"] or ApiToken.Scope.FULL,
        )
        # Shown once on the next page; the database keeps only its hash.
        request.session["new_api_token"] = plain
        messages.success(request, _("API token created. Copy it now: it will not be shown again."))
    else:
        messages.error(request, _("Please give the token a name."))
    return redirect("/settings/#api-tokens")


@require_capability(Capability.VIEW)
@require_POST
def token_revoke_view(request: AuthedRequest, token_id: int) -> HttpResponse:
    if services.api_token_revoke(user=request.user, token_id=token_id):
        messages.success(request, _("API token revoked."))
    else:
        messages.error(request, _("This token does not exist or was already revoked."))
    return redirect("/settings/#api-tokens")


@require_capability(Capability.MANAGE_OFFICE)
@require_POST
def data_export_view(request: AuthedRequest) -> HttpResponse:
    office = request.office
    job = job_start(
        kind="core.data_export",
        title=_("Data export"),
        office=office,
        created_by=request.user,
        office_id=office.pk,
    )
    if request.htmx:
        return render(request, "core/_job_progress.html", {"job": job})
    return redirect("settings")
