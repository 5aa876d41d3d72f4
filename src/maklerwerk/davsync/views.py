"""The settings page "Adressbuch & Kalender": connect, test, preview the first sync, run, log."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from maklerwerk.accounts.http import AuthedRequest
from maklerwerk.accounts.permissions import require_capability
from maklerwerk.accounts.roles import Capability
from maklerwerk.core import selectors as core_selectors
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.davsync import caldav, selectors, services
from maklerwerk.davsync.forms import DavAccountForm
from maklerwerk.davsync.models import DavAccount, DavItem


@require_capability(Capability.VIEW)
@require_http_methods(["GET", "POST"])
def account_list(request: AuthedRequest) -> HttpResponse:
    form = DavAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {**form.cleaned_data, "password": form.cleaned_data.get("password") or ""}
        try:
            account = services.dav_account_create(user=request.user, data=data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Connected. Check the preview before the first sync."))
            return redirect("davsync:account", account.pk)
    accounts = selectors.dav_accounts(user=request.user)
    return render(request, "davsync/accounts.html", {"form": form, "accounts": accounts})


def _job(request: AuthedRequest) -> object:
    job_id = request.GET.get("job")
    if not job_id:
        return None
    try:
        return core_selectors.job_get(user=request.user, pk=job_id)
    except Http404:  # a stale or foreign job id: show the page without it
        return None


@require_capability(Capability.VIEW)
@require_http_methods(["GET", "POST"])
def account_detail(request: AuthedRequest, account_id: int) -> HttpResponse:
    account = selectors.dav_account_get(user=request.user, pk=account_id)
    form = DavAccountForm(request.POST or None, instance=account)
    if request.method == "POST":
        if "preview" in request.POST or "sync" in request.POST:
            job = services.dav_sync_start(
                account=account, user=request.user, dry_run="preview" in request.POST
            )
            return redirect(f"{request.path}?job={job.pk}")
        if "test" in request.POST:
            try:
                messages.success(request, services.dav_account_test(account=account))
            except ApplicationError as exc:
                messages.error(request, exc.message)
            return redirect("davsync:account", account.pk)
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                services.dav_account_update(account=DavAccount.objects.get(pk=account.pk), data=data)
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Account saved."))
                return redirect("davsync:account", account.pk)
    context = {
        "account": account,
        "form": form,
        "job": _job(request),
        "events": selectors.sync_events(account=account)[:50],
        "busy": caldav.busy_times(account) if account.kind == DavAccount.Kind.CALDAV else [],
    }
    return render(request, "davsync/account.html", context)


@require_capability(Capability.VIEW)
@require_POST
def account_delete(request: AuthedRequest, account_id: int) -> HttpResponse:
    services.dav_account_delete(account=selectors.dav_account_get(user=request.user, pk=account_id))
    messages.success(
        request, _("Account disconnected; nothing was changed in the address book or in Maklerwerk.")
    )
    return redirect("davsync:accounts")


@require_capability(Capability.EDIT)
@require_POST
def busy_take_over(request: AuthedRequest, account_id: int, item_id: int) -> HttpResponse:
    """A foreign event of the calendar becomes an appointment (the event stays as it is)."""
    account = selectors.dav_account_get(user=request.user, pk=account_id)
    try:
        appointment = caldav.busy_take_over(account=account, item_id=item_id)
    except DavItem.DoesNotExist as exc:
        raise Http404 from exc
    messages.success(request, _("Taken over as an appointment: %(name)s") % {"name": appointment})
    return redirect("davsync:account", account.pk)
