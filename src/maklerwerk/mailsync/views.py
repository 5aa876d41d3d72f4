"""Settings → Mein Postfach: connect, test, choose folders, see each account's state; an archived mail."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from maklerwerk.accounts.http import AuthedRequest
from maklerwerk.accounts.permissions import require_capability
from maklerwerk.accounts.roles import Capability
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.mailsync import selectors, services
from maklerwerk.mailsync.forms import MailAccountForm
from maklerwerk.mailsync.models import MailAccount
from maklerwerk.mailsync.tasks import account_sync_start


@require_capability(Capability.VIEW)
def account_list(request: AuthedRequest) -> HttpResponse:
    accounts = selectors.account_list(user=request.user)
    return render(
        request,
        "mailsync/accounts.html",
        {"accounts": accounts, "can_edit": request.user.can(Capability.EDIT)},
    )


def _save(request: AuthedRequest, form: MailAccountForm, account: MailAccount | None) -> MailAccount | None:
    data = form.cleaned_data
    try:
        if account is None:
            return services.mail_account_create(user=request.user, data=data)
        return services.mail_account_update(account=account, user=request.user, data=data)
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    except ApplicationError as exc:
        form.add_error(None, exc.message)
    return None


@require_capability(Capability.EDIT)
@require_http_methods(["GET", "POST"])
def account_edit(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    account = selectors.account_get(user=request.user, pk=pk) if pk else None
    form = MailAccountForm(request.POST or None, instance=MailAccount() if account is None else account)
    folders: list[str] = []
    if request.method == "POST" and form.is_valid():
        saved = _save(request, form, account)
        if saved is not None and "test" in request.POST:
            try:
                folders = services.mail_account_test(account=saved)
            except ApplicationError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Connection works: %(n)d folders found.") % {"n": len(folders)})
            return redirect("mailsync:account_edit", saved.pk)
        if saved is not None:
            messages.success(request, _("Mailbox saved."))
            return redirect("mailsync:accounts")
    return render(request, "mailsync/account_form.html", {"form": form, "account": account})


@require_capability(Capability.EDIT)
@require_POST
def account_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    account = selectors.account_get(user=request.user, pk=pk)
    services.mail_account_delete(account=account, user=request.user)
    messages.success(request, _("Mailbox disconnected. Archived mails stay with the contacts."))
    return redirect("mailsync:accounts")


@require_capability(Capability.EDIT)
@require_POST
def account_sync_view(request: AuthedRequest, pk: int) -> HttpResponse:
    account = selectors.account_get(user=request.user, pk=pk)
    job = account_sync_start(account)
    if job is None:
        messages.info(request, _("This mailbox is being archived right now."))
    else:
        messages.success(request, _("Archiving started."))
    return redirect("mailsync:accounts")


@require_capability(Capability.VIEW)
def mail_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    mail = selectors.archived_mail_get(user=request.user, pk=pk)
    return render(request, "mailsync/mail.html", {"mail": mail})
