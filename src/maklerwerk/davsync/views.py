"""The settings page "Adressbuch & Kalender": connect, test, preview the first sync, run, log."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from maklerwerk.accounts.http import AuthedRequest
from maklerwerk.accounts.permissions import require_capability
from maklerwerk.accounts.roles import Capability
from maklerwerk.contacts.selectors import tag_list
from maklerwerk.core import selectors as core_selectors
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.core.ids import parse_id
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
            return _after_connect(request, account)
    accounts = selectors.dav_accounts(user=request.user)
    return render(request, "davsync/accounts.html", {"form": form, "accounts": accounts})


def _after_connect(request: AuthedRequest, account: DavAccount) -> HttpResponse:
    """A server address instead of a collection: find the user's collections; one is taken, from
    several the user chooses on the account page."""
    try:
        found = services.dav_collections(account=account)
    except ApplicationError:  # the typed address may be the collection of a server without discovery
        found = []
    urls = [c.url for c in found]
    if found and account.url not in urls and len(found) == 1:
        services.dav_account_update(account=account, data={"url": urls[0]})
        messages.success(
            request,
            _("Connected with „%(name)s“. Check the preview before the first sync.")
            % {"name": found[0].name},
        )
    elif found and account.url not in urls:
        messages.info(request, _("The server offers several collections: please choose one."))
        return redirect(f"{reverse('davsync:account', args=[account.pk])}?discover=1")
    else:
        messages.success(request, _("Connected. Check the preview before the first sync."))
    return redirect("davsync:account", account.pk)


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
        if "choose" in request.POST:
            try:
                services.dav_collection_choose(account=account, url=request.POST.get("choose", ""))
            except ApplicationError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Collection chosen. Check the preview before the first sync."))
            return redirect("davsync:account", account.pk)
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
    collections, discover_error = [], ""
    if request.GET.get("discover"):
        try:
            collections = services.dav_collections(account=account)
        except ApplicationError as exc:
            discover_error = exc.message
    flagged, flagged_count = (
        selectors.flagged_contacts(account=account) if account.kind == DavAccount.Kind.CARDDAV else ([], 0)
    )
    context = {
        "account": account,
        "collections": collections,
        "discover_error": discover_error,
        "flagged": flagged,
        "flagged_count": flagged_count,
        "tags": tag_list(user=request.user) if account.kind == DavAccount.Kind.CARDDAV else [],
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
        appointment = caldav.busy_take_over(
            account=account, item_id=item_id, start=request.POST.get("start", "")
        )
    except DavItem.DoesNotExist as exc:
        raise Http404 from exc
    messages.success(request, _("Taken over as an appointment: %(name)s") % {"name": appointment})
    return redirect("davsync:account", account.pk)


@require_capability(Capability.VIEW)
@require_POST
def account_contacts(request: AuthedRequest, account_id: int) -> HttpResponse:
    """Mark contacts (picked one by one, or a whole tag) for this address book, or unmark one."""
    account = selectors.dav_account_get(user=request.user, pk=account_id)
    enabled = request.POST.get("action") != "remove"
    try:
        if request.POST.get("tag"):
            n = services.sync_flags_set_by_tag(account=account, tag=request.POST["tag"], enabled=enabled)
        else:
            ids = [i for i in (parse_id(v) for v in request.POST.getlist("contacts")) if i is not None]
            if not ids:
                raise ApplicationError(_("Choose at least one contact."))
            n = services.sync_flags_set(account=account, contact_ids=ids, enabled=enabled)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        text = (
            ngettext("%(n)s contact will be synced.", "%(n)s contacts will be synced.", n)
            if enabled
            else ngettext(
                "%(n)s contact will no longer be synced.", "%(n)s contacts will no longer be synced.", n
            )
        )
        messages.success(request, text % {"n": n})
    return redirect(f"{reverse('davsync:account', args=[account.pk])}#dav-contacts")
