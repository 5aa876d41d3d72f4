"""Write a mail to a contact (optionally about a property) from a template, with attachments.

It sends through the one sending service (`mailing.sending.mail_send`): the user's own SMTP account
where set, the `OutgoingMail` and the activity once; the AFTER_SEND hook puts it into the user's Sent
folder, where the archive recognises it by its Message-ID.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib import messages
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from maklerwerk.accounts.http import AuthedRequest
from maklerwerk.accounts.permissions import ensure_capability, require_capability
from maklerwerk.accounts.roles import Capability
from maklerwerk.contacts.selectors import contact_get
from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.core.ids import parse_id
from maklerwerk.core.models import Activity
from maklerwerk.integrations.smtp.client import SmtpError
from maklerwerk.mailing.placeholders import MailContext
from maklerwerk.mailing.selectors import template_list
from maklerwerk.mailing.sending import MailActivity, mail_send
from maklerwerk.mailing.services import Attachment, smtp_reason
from maklerwerk.properties.selectors import visible_properties

if TYPE_CHECKING:
    from maklerwerk.accounts.models import User
    from maklerwerk.contacts.models import Contact
    from maklerwerk.mailing.models import OutgoingMail
    from maklerwerk.properties.models import Property


def attachments_read(files: list[UploadedFile]) -> list[Attachment]:
    total = sum(f.size or 0 for f in files)
    if total > settings.MAX_UPLOAD_BYTES:
        limit = settings.MAX_UPLOAD_BYTES // (1024 * 1024)
        raise ApplicationError(_("The attachments are larger than %(mb)d MB together.") % {"mb": limit})
    return [
        Attachment(f.name or "anhang", f.read(), f.content_type or "application/octet-stream") for f in files
    ]


def compose_send(
    *,
    user: User,
    contact: Contact,
    prop: Property | None,
    to_email: str,
    subject: str,
    body: str,
    attachments: list[Attachment],
) -> OutgoingMail:
    """Render and send; raises ApplicationError with the German reason (nothing recorded then)."""
    ensure_capability(user, Capability.EDIT)
    if to_email not in {e.value for e in contact.emails.all()}:
        raise ApplicationError(_("Please choose one of the contact's e-mail addresses."))
    if not subject.strip() or not body.strip():
        raise ApplicationError(_("Please enter a subject and a text."))
    ctx = MailContext(office=contact.office, acting_user=user, contact=contact, prop=prop)
    try:
        return mail_send(
            office=contact.office,
            ctx=ctx,
            to_email=to_email,
            acting_user=user,
            subject=subject,
            body=body,
            attachments=attachments,
            activity=MailActivity(type=Activity.Type.EMAIL_SENT),
        )
    except SmtpError as exc:
        raise ApplicationError(smtp_reason(exc)) from exc


@require_capability(Capability.EDIT)
@require_http_methods(["GET", "POST"])
def compose(request: AuthedRequest, contact_id: int) -> HttpResponse:
    user = request.user
    contact = contact_get(user=user, pk=contact_id)
    properties = visible_properties(user).filter(office=request.office).order_by("external_id")
    templates = template_list(user=user, kind="mail")
    data = request.POST if request.method == "POST" else request.GET
    prop = properties.filter(pk=parse_id(data.get("property")) or 0).first()
    template = templates.filter(pk=parse_id(data.get("template")) or 0).first()
    subject = data.get("subject") or (template.subject if template else "")
    body = data.get("body") or (template.body if template else "")
    if template is not None and "load" in data:  # "Vorlage übernehmen" replaces what was typed
        subject, body = template.subject, template.body
    error = ""
    if request.method == "POST" and "load" not in request.POST:
        try:
            files = request.FILES.getlist("attachments")
            compose_send(
                user=user, contact=contact, prop=prop, to_email=request.POST.get("to", ""),
                subject=subject, body=body, attachments=attachments_read(files),
            )  # fmt: skip
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, _("E-mail sent."))
            return redirect("contacts:detail", contact.pk)
    context = {
        "contact": contact,
        "emails": list(contact.emails.all()),
        "to": data.get("to", ""),
        "properties": properties[:500],
        "prop": prop,
        "templates": templates,
        "template": template,
        "subject": subject,
        "body": body,
        "error": error,
    }
    return render(request, "mailsync/compose.html", context)
