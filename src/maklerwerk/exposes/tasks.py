"""The offer job: one individual mail per recipient, each claimed before it is sent.

If the worker dies, core.jobs declares the job dead and `services.offer_job_interrupted` resolves it:
the recipient in flight becomes "delivery unclear", the waiting ones go out in a new job.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from maklerwerk.core.exceptions import ApplicationError
from maklerwerk.core.jobs import Progress, job_function
from maklerwerk.exposes import services
from maklerwerk.exposes.models import Offer, OfferRecipient
from maklerwerk.integrations.smtp.client import SmtpError, mailer_open, message_send
from maklerwerk.mailing.placeholders import MailContext

logger = logging.getLogger(__name__)


def _attachments_for(offer: Offer, prop: Any, cache: dict[int, list[Any]]) -> list[Any]:
    """The exposé PDF and chosen documents of `prop`, built once per property and job."""
    if prop.pk in cache:
        return cache[prop.pk]
    from maklerwerk.exposes.render import ExposePdfExporter
    from maklerwerk.mailing.services import Attachment
    from maklerwerk.properties.models import PropertyDocument

    items: list[Attachment] = []
    if offer.attach_expose:
        name, mimetype, content = ExposePdfExporter().render(
            prop, template=offer.expose_template, language=offer.expose_language
        )
        items.append(Attachment(name, content, mimetype))
    for doc in PropertyDocument.objects.filter(pk__in=offer.document_ids, property=prop):
        with doc.file.open("rb") as fh:
            items.append(
                Attachment(
                    doc.file.name.rsplit("/", 1)[-1].split("_", 1)[-1],
                    fh.read(),
                    "application/pdf"
                    if doc.file.name.lower().endswith(".pdf")
                    else "application/octet-stream",
                )
            )
    cache[prop.pk] = items
    return items


@job_function("exposes.offer_send", resume=services.offer_job_interrupted)
def offer_send(progress: Progress, *, offer_id: int, acting_user_id: int | None) -> dict[str, Any]:
    """Send every waiting or failed recipient of the offer once; report per recipient."""
    from maklerwerk.accounts.models import User
    from maklerwerk.mailing.services import (
        mail_message_build,
        mail_render,
        sender_for,
        smtp_account_for,
        smtp_reason,
    )

    started = time.perf_counter()
    offer = Offer.objects.select_related("office", "mail_template", "expose_template").get(pk=offer_id)
    user = User.objects.filter(pk=acting_user_id).first()
    todo = list(
        offer.recipients.filter(status__in=services.RETRYABLE)
        .select_related("contact", "property", "property__responsible_agent", "property__office")
        .order_by("pk")
    )
    mailer = mailer_open(smtp_account_for(user))
    cache: dict[int, list[Any]] = {}
    sent = failed = skipped = 0
    smtp_seconds = 0.0
    try:
        for i, recipient in enumerate(todo, start=1):
            if not services.recipient_claim(recipient.pk):
                continue
            recipient.offer = offer
            address, reason = services.recipient_problem(recipient.contact)
            if reason:
                OfferRecipient.objects.filter(pk=recipient.pk).update(
                    status=OfferRecipient.Status.SKIPPED, reason=reason, email=address
                )
                skipped += 1
                continue
            talked_smtp = False
            try:
                ctx = MailContext(
                    office=offer.office, acting_user=user, contact=recipient.contact, prop=recipient.property
                )
                rendered = mail_render(subject=offer.subject, body=offer.body, ctx=ctx)
                attachments = _attachments_for(offer, recipient.property, cache)
                from_header, reply_to = sender_for(office=offer.office, agent=ctx.agent)
                message = mail_message_build(
                    rendered=rendered,
                    to_email=address,
                    to_name=recipient.contact.display_name,
                    from_header=from_header,
                    reply_to=reply_to,
                    attachments=attachments,
                )
                # Remember the Message-ID before talking to the server: if we die after it accepted the
                # mail, the recipient stays "sending" with this id; recovery turns it into "delivery
                # unclear" for the agent to decide, it is never sent again automatically.
                OfferRecipient.objects.filter(pk=recipient.pk).update(
                    message_id=message.extra_headers["Message-ID"], email=address
                )
                talked_smtp = True
                smtp_seconds += message_send(message, mailer=mailer)
            except SmtpError as exc:
                services.recipient_failed(recipient.pk, smtp_reason(exc))
                failed += 1
            except ApplicationError as exc:
                services.recipient_failed(recipient.pk, exc.message)
                failed += 1
            except Exception as exc:
                # A bug or bad data of this one recipient must not stop the others. Before SMTP nothing
                # went out (failed, may be retried); during SMTP nobody knows (unclear, the agent decides).
                logger.exception("offer %s: recipient %s failed", offer.pk, recipient.pk)
                error = str(exc) or type(exc).__name__
                if talked_smtp:
                    services.recipient_unclear(recipient.pk, error)
                else:
                    reason = _("Unexpected error: %(error)s") % {"error": error}
                    services.recipient_failed(recipient.pk, reason)
                failed += 1
            else:
                try:
                    services.recipient_sent(
                        recipient=recipient,
                        acting_user=user,
                        message=message,
                        rendered=rendered,
                        attachments=attachments,
                    )
                except Exception as exc:
                    # The server accepted the mail: it counts as sent, never as failed (that would resend).
                    logger.exception("offer %s: recording recipient %s failed", offer.pk, recipient.pk)
                    services.recipient_sent_unrecorded(recipient.pk, str(exc) or type(exc).__name__)
                sent += 1
            progress.update(i, len(todo), _("%(done)s of %(total)s mails") % {"done": i, "total": len(todo)})
    finally:
        mailer.close()
    total = time.perf_counter() - started
    parts = [ngettext("%(n)s mail sent", "%(n)s mails sent", sent) % {"n": sent}]
    if failed:
        parts.append(ngettext("%(n)s failed", "%(n)s failed", failed) % {"n": failed})
    if skipped:
        parts.append(ngettext("%(n)s skipped", "%(n)s skipped", skipped) % {"n": skipped})
    return {
        "offer_id": offer.pk,
        "sent": sent,
        "failed": failed,
        "skipped": skipped,
        "seconds": round(total, 3),
        "smtp_seconds": round(smtp_seconds, 3),
        "message": ", ".join(parts),
    }
